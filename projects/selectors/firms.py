"""Reads about firms, memberships and invitations."""

from __future__ import annotations

from django.db.models import QuerySet

from projects.models import Firm, Invitation, Membership, User
from projects.tenancy.scope import dangerously_unscoped


def user_memberships(*, user: User) -> list[Membership]:
    """A user's memberships across firms: the firm switcher and the home redirect."""
    if not user.is_authenticated:
        return []
    with dangerously_unscoped(reason="a signed-in user's own memberships"):
        return list(
            Membership.objects.filter(user=user).select_related("firm").order_by("firm__name")
        )


def firm_get_by_slug(*, slug: str) -> Firm | None:
    return Firm.objects.filter(slug=slug).first()


def membership_get(*, firm: Firm, user: User) -> Membership | None:
    return Membership.objects.filter(firm=firm, user=user).first()


def membership_list(*, firm: Firm) -> QuerySet[Membership]:
    return Membership.objects.filter(firm=firm).select_related("user").order_by("user__email")


def invitation_list_pending(*, firm: Firm) -> QuerySet[Invitation]:
    return Invitation.objects.filter(firm=firm).pending().select_related("invited_by")


def invitation_list_recent(*, firm: Firm, limit: int = 10) -> QuerySet[Invitation]:
    return Invitation.objects.filter(firm=firm).select_related("invited_by", "accepted_by")[:limit]
