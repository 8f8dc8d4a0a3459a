"""What the firm dashboard shows: the pipeline, the week's sessions, open follow-ups, and the
latest profile submissions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from projects.models import Firm, FollowUp, ProfileVersion, Session, User
from projects.selectors.engagements import pipeline_counts


def dashboard_summary(*, firm: Firm, user: User) -> dict[str, Any]:
    now = timezone.now()
    return {
        "today": timezone.localdate(),
        "pipeline": pipeline_counts(firm=firm),
        "upcoming_sessions": list(
            Session.objects.filter(
                firm=firm, starts_at__gte=now, starts_at__lt=now + timedelta(days=14)
            )
            .select_related("engagement__client")
            .order_by("starts_at")[:6]
        ),
        "open_follow_ups": list(
            FollowUp.objects.filter(firm=firm, done=False)
            .select_related("session__engagement__client")
            .order_by("due_date", "created_at")[:6]
        ),
        "recent_versions": list(
            ProfileVersion.objects.filter(firm=firm)
            .select_related("engagement__client", "submitted_by")
            .order_by("-created_at")[:6]
        ),
        "my_engagement_count": _lead_count(firm, user),
    }


def _lead_count(firm: Firm, user: User) -> int:
    from projects.models import Engagement

    return Engagement.objects.filter(firm=firm, lead=user).exclude(status="closed").count()
