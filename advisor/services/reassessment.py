"""Re-assessment: when a firm's active price book changes, every open engagement is assessed
again in the background, in chunks, so consultants see verdict flips and cost deltas before
anything goes to a client. Delivered revisions are frozen and never touched."""

from __future__ import annotations

from django.db import transaction

from advisor.models import Recommendation
from projects.models import Engagement, EngagementStatus, Firm, ProfileVersion

CHUNK_SIZE = 200


def reassess_firm_on_commit(*, firm: Firm, reason: str) -> None:
    """Queue the re-assessment of the firm's open engagements once the transaction commits."""
    from advisor.tasks import reassess_firm

    firm_id = firm.pk
    transaction.on_commit(lambda: reassess_firm.delay(firm_id, reason))


def open_engagement_ids(*, firm: Firm) -> list[int]:
    return list(
        Engagement.objects.filter(firm=firm, profile_versions__isnull=False)
        .exclude(status=EngagementStatus.CLOSED)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def reassess_engagement(*, firm: Firm, engagement_id: int, reason: str) -> Recommendation | None:
    """Assess the engagement's latest profile version on the active price book, unless its
    current recommendation already rests on exactly those (so a retried task does nothing)."""
    from advisor.services.price_books import active_price_book
    from advisor.services.recommendations import current_recommendation, recommendation_assess

    engagement = Engagement.objects.filter(firm=firm, pk=engagement_id).first()
    if engagement is None:
        return None
    latest = (
        ProfileVersion.objects.filter(firm=firm, engagement=engagement).order_by("-number").first()
    )
    if latest is None:
        return None
    book = active_price_book(firm=firm)
    current = current_recommendation(firm=firm, engagement=engagement)
    if current and current.profile_version_id == latest.pk and current.price_book_id == book.pk:
        return None
    return recommendation_assess(firm=firm, profile_version=latest, reason=reason)
