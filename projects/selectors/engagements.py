"""Reads about clients, engagements, sessions and profile versions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from projects.models import (
    Client,
    Contact,
    Engagement,
    EngagementStatus,
    Firm,
    FollowUp,
    ProfileVersion,
    Session,
)
from projects.services.profiles import DiffRow, profile_diff


def client_list(*, firm: Firm, search: str = "") -> QuerySet[Client]:
    qs = Client.objects.filter(firm=firm).annotate(
        engagement_count=Count("engagements", distinct=True),
        open_count=Count(
            "engagements", filter=~Q(engagements__status=EngagementStatus.CLOSED), distinct=True
        ),
    )
    search = search.strip()
    if search:
        qs = qs.filter(
            Q(name__icontains=search)
            | Q(website__icontains=search)
            | Q(contacts__name__icontains=search)
            | Q(contacts__email__icontains=search)
        ).distinct()
    return qs.prefetch_related(
        Prefetch("contacts", queryset=Contact.objects.filter(firm=firm, is_primary=True))
    ).order_by("name")


def engagement_list(
    *, firm: Firm, status: str = "", search: str = "", client: Client | None = None
) -> QuerySet[Engagement]:
    qs = (
        Engagement.objects.filter(firm=firm)
        .select_related("client", "lead")
        .annotate(
            version_count=Count("profile_versions", distinct=True),
            next_session=Min(
                "sessions__starts_at", filter=Q(sessions__starts_at__gte=timezone.now())
            ),
        )
    )
    if status in EngagementStatus.values:
        qs = qs.filter(status=status)
    if client is not None:
        qs = qs.filter(client=client)
    search = search.strip()
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(client__name__icontains=search))
    return qs.order_by("-updated_at")


def pipeline_counts(*, firm: Firm) -> list[tuple[str, str, int]]:
    """(status, label, count) for every status, in pipeline order — zeros included."""
    counts = dict(
        Engagement.objects.filter(firm=firm).values_list("status").annotate(n=Count("id"))
    )
    return [(s.value, s.label, counts.get(s.value, 0)) for s in EngagementStatus]


@dataclass(frozen=True)
class VersionWithDiff:
    version: ProfileVersion
    diff: list[DiffRow]


def profile_versions_with_diffs(*, firm: Firm, engagement: Engagement) -> list[VersionWithDiff]:
    """Newest first, each with its readable diff against the version before it."""
    versions = list(
        ProfileVersion.objects.filter(firm=firm, engagement=engagement)
        .select_related("submitted_by")
        .order_by("number")
    )
    result, previous = [], None
    for version in versions:
        result.append(VersionWithDiff(version, profile_diff(previous, version.profile)))
        previous = version.profile
    return list(reversed(result))


def latest_profile_version(*, firm: Firm, engagement: Engagement) -> ProfileVersion | None:
    return (
        ProfileVersion.objects.filter(firm=firm, engagement=engagement).order_by("-number").first()
    )


def session_list(*, firm: Firm, engagement: Engagement) -> QuerySet[Session]:
    return (
        Session.objects.filter(firm=firm, engagement=engagement)
        .select_related("created_by")
        .prefetch_related(Prefetch("follow_ups", queryset=FollowUp.objects.filter(firm=firm)))
        .order_by("-starts_at")
    )


def engagement_timeline(*, firm: Firm, engagement: Engagement) -> dict[str, Any]:
    sessions = list(session_list(firm=firm, engagement=engagement))
    now = timezone.now()
    upcoming = sorted((s for s in sessions if s.starts_at >= now), key=lambda s: s.starts_at)
    past = [s for s in sessions if s.starts_at < now]
    open_follow_ups = [f for s in sessions for f in s.follow_ups.all() if not f.done]
    return {
        "upcoming_sessions": upcoming,
        "past_sessions": past,
        "next_session": upcoming[0] if upcoming else None,
        "open_follow_ups": open_follow_ups,
    }
