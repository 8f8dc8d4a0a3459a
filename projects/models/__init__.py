"""Models of the projects app, one module per subject."""

from projects.models.accounts import User
from projects.models.api_keys import ApiKey, ApiKeyScope
from projects.models.engagements import Client, Contact, Engagement, EngagementStatus
from projects.models.firms import Firm, Invitation, Membership, Role
from projects.models.intake import (
    ImmutableError,
    IntakeDraft,
    IntakeLink,
    ProfileSource,
    ProfileVersion,
)
from projects.models.sessions import FollowUp, Session

__all__ = [
    "ApiKey",
    "ApiKeyScope",
    "Client",
    "Contact",
    "Engagement",
    "EngagementStatus",
    "Firm",
    "FollowUp",
    "ImmutableError",
    "IntakeDraft",
    "IntakeLink",
    "Invitation",
    "Membership",
    "ProfileSource",
    "ProfileVersion",
    "Role",
    "Session",
    "User",
]
