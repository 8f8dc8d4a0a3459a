"""Portfolio reads: the working recommendations of a firm, the verdict mix, what waits for
review, and what re-assessment changed."""

from __future__ import annotations

from collections import Counter
from typing import Any

from advisor.models import Reassessment, Recommendation, RecommendationStatus
from advisor.report_content import OPTION_LABELS
from advisor.services.recommendations import attach_effective
from projects.models import Firm, User


def working_recommendations(*, firm: Firm, include_closed: bool = False) -> list[Recommendation]:
    """One per open engagement: the newest recommendation that was not superseded (one query;
    grouped here rather than with DISTINCT ON, which SQLite lacks)."""
    rows = Recommendation.objects.filter(firm=firm).exclude(status=RecommendationStatus.SUPERSEDED)
    if not include_closed:
        rows = rows.exclude(engagement__status="closed")
    rows = rows.select_related(
        "engagement__client", "engagement__lead", "reviewer", "profile_version"
    ).order_by("engagement_id", "-created_at", "-pk")
    newest: dict[int, Recommendation] = {}
    for row in rows:
        newest.setdefault(row.engagement_id, row)
    return attach_effective(firm=firm, recommendations=list(newest.values()))


def review_queues(*, firm: Firm, user: User) -> dict[str, list[Recommendation]]:
    items = sorted(working_recommendations(firm=firm), key=lambda r: r.updated_at, reverse=True)
    return {
        "mine": [r for r in items if r.status == "in_review" and r.reviewer_id == user.pk],
        "in_review": [r for r in items if r.status == "in_review" and r.reviewer_id != user.pk],
        "drafts": [r for r in items if r.status == "draft"],
        "approved": [r for r in items if r.status == "approved"],
        "delivered": [r for r in items if r.status == "delivered"],
    }


def verdict_mix(*, firm: Firm) -> list[dict[str, Any]]:
    """How many engagements (closed ones included) land on each option — the engine's verdict,
    before overrides: the honest base rate of the portfolio."""
    counts = Counter(
        r.assessment["verdict"] for r in working_recommendations(firm=firm, include_closed=True)
    )
    total = sum(counts.values()) or 1
    return [
        {"option": option, "label": label, "count": counts.get(option, 0),
         "share": round(100 * counts.get(option, 0) / total)}
        for option, label in OPTION_LABELS.items()
    ]  # fmt: skip


def recent_reassessments(*, firm: Firm, limit: int = 6) -> list[Reassessment]:
    return list(
        Reassessment.objects.filter(firm=firm, previous__isnull=False)
        .select_related("engagement__client")
        .order_by("-created_at")[:limit]
    )
