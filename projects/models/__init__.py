"""Models of the projects app, one module per subject."""

from projects.models.accounts import User
from projects.models.firms import Firm, Invitation, Membership, Role

__all__ = ["Firm", "Invitation", "Membership", "Role", "User"]
