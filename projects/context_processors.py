"""Template context for every page: the firm in scope, the member's role, and their firms."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from projects.models.firms import role_at_least
from projects.selectors.firms import user_memberships


def firm_context(request: HttpRequest) -> dict[str, Any]:
    firm = getattr(request, "firm", None)
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)

    cache: list[list[Any]] = []

    def memberships() -> list[Any]:
        if not cache:
            cache.append(user_memberships(user=user) if user is not None else [])
        return cache[0]

    return {
        "firm": firm,
        "membership": membership,
        "can_edit": bool(membership and role_at_least(membership.role, "consultant")),
        "can_admin": bool(membership and role_at_least(membership.role, "admin")),
        # Lazy: only pages that show the switcher pay for the query.
        "my_memberships": memberships,
    }
