"""Re-assessment: when a firm's active price book changes, every open engagement is assessed
again in the background, in chunks, so consultants see verdict flips and cost deltas before
anything goes to a client. Delivered revisions are frozen and never touched."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from advisor.engine import OPTIONS
from advisor.models import Recommendation
from projects.models import Engagement, EngagementStatus, Firm, ProfileVersion

CHUNK_SIZE = 200


def _before(previous: Recommendation | None) -> dict[str, Any] | None:
    """The part of a replaced assessment `_cost_deltas` reads, from its `result_summary`."""
    if previous is None:
        return None
    options = {o: {"total_usd": getattr(previous, f"summary_{o}")} for o in OPTIONS}
    return {"costs": {"options": options}}


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


def reassess_engagements_bulk(*, firm: Firm, engagement_ids: list[int], reason: str) -> int:
    """`reassess_engagement` for a whole chunk at once, with the same outcome row for row: a
    new draft on the latest profile version and the active book, the open one it replaces
    superseded, overrides and an edited narrative carried over, the change recorded, the
    narrative job queued. One transaction and a fixed number of queries per chunk instead of
    about twenty per engagement (docs/PERFORMANCE.md); returns how many were re-assessed."""
    from django.utils import timezone

    from advisor.models import AuditEvent, Override, Reassessment, RecommendationStatus
    from advisor.models.recommendations import NarrativeState
    from advisor.narrative import template_narrative
    from advisor.report_content import OPTION_LABELS
    from advisor.services.price_books import active_price_book
    from advisor.services.recommendations import (
        _assess_version,
        _cost_deltas,
        _engine_book,
        _original_value,
        result_summary,
    )
    from advisor.tasks import queue_narrative_drafts

    with transaction.atomic():
        engagements = {
            e.pk: e
            for e in Engagement.objects.select_for_update()
            .filter(firm=firm, pk__in=engagement_ids)
            .order_by("pk")
        }
        latest_ids: dict[int, int] = {}
        for pk, engagement_id in (
            ProfileVersion.objects.filter(firm=firm, engagement_id__in=engagements)
            .order_by("engagement_id", "number")
            .values_list("pk", "engagement_id")
        ):
            latest_ids[engagement_id] = pk  # ordered by number: the last one wins
        versions = ProfileVersion.objects.in_bulk(list(latest_ids.values()))
        current: dict[int, Recommendation] = {}
        # What the change record needs of the assessment it replaces is its verdict and its
        # option totals: read them in the database, not by decoding every document whole.
        for rec in (
            Recommendation.objects.filter(firm=firm, engagement_id__in=engagements)
            .exclude(status=RecommendationStatus.SUPERSEDED)
            .defer("assessment")
            .annotate(**result_summary())
            .order_by("engagement_id", "-created_at", "-pk")
        ):
            current.setdefault(rec.engagement_id, rec)
        book_version = active_price_book(firm=firm)
        book = _engine_book(book_version)
        as_of = timezone.localdate()

        todo = []
        for engagement_id, version_id in latest_ids.items():
            previous = current.get(engagement_id)
            if (
                previous is not None
                and previous.profile_version_id == version_id
                and previous.price_book_id == book_version.pk
            ):
                continue  # already on the current inputs: a retried chunk does nothing twice
            todo.append((engagements[engagement_id], versions[version_id], previous))
        if not todo:
            return 0

        made = []
        for engagement, version, previous in todo:
            assessment = _assess_version(version, book, as_of)
            carry = previous is not None and previous.narrative_edited
            made.append(
                Recommendation(
                    firm=firm, engagement=engagement, profile_version=version,
                    price_book=book_version, engine_version=assessment["engine_version"],
                    as_of=as_of, assessment=assessment,
                    narrative=previous.narrative if carry else template_narrative(
                        assessment, product=version.profile.get("name", "")
                    ),
                    narrative_source=previous.narrative_source if carry else "template",
                    narrative_edited=carry,
                    # The drafting job is queued below for every draft whose narrative is not
                    # a consultant's (narrative_queue's state change, made before the insert).
                    narrative_state=(
                        Recommendation._meta.get_field("narrative_state").default
                        if carry else NarrativeState.QUEUED
                    ),
                    supersedes=previous if previous is not None and previous.is_open else None,
                )
            )  # fmt: skip
        Recommendation.objects.bulk_create(made)

        previous_by_pk = {p.pk: (p, new) for (_, _, p), new in zip(todo, made, strict=True) if p}
        carried: dict[int, int] = {}
        overrides = []
        for override in Override.objects.filter(
            firm=firm, recommendation_id__in=list(previous_by_pk), withdrawn_at=None
        ).order_by("pk"):
            new = previous_by_pk[override.recommendation_id][1]
            overrides.append(
                Override(
                    firm=firm, recommendation=new, kind=override.kind, rule_id=override.rule_id,
                    value=override.value,
                    original=_original_value(new.assessment, override.kind, override.rule_id),
                    justification=override.justification, created_by_id=override.created_by_id,
                )
            )  # fmt: skip
            carried[new.pk] = carried.get(new.pk, 0) + 1
        Override.objects.bulk_create(overrides)
        superseded = [
            p.pk
            for p, _ in previous_by_pk.values()
            if p.is_open or p.status == RecommendationStatus.APPROVED
        ]
        Recommendation.objects.filter(firm=firm, pk__in=superseded).update(
            status=RecommendationStatus.SUPERSEDED, updated_at=timezone.now()
        )
        Reassessment.objects.bulk_create(
            [
                Reassessment(
                    firm=firm, engagement=engagement, previous=previous, current=new,
                    reason=reason,
                    verdict_before=previous.summary_verdict if previous else "",
                    verdict_after=new.assessment["verdict"],
                    cost_deltas=_cost_deltas(_before(previous), new.assessment),
                )
                for (engagement, _, previous), new in zip(todo, made, strict=True)
            ]
        )  # fmt: skip
        moving = [
            e.pk
            for e, _, _ in todo
            if e.status in {EngagementStatus.INTAKE, EngagementStatus.ASSESSMENT}
        ]
        Engagement.objects.filter(firm=firm, pk__in=moving).update(
            status=EngagementStatus.REVIEW, updated_at=timezone.now()
        )
        events = []
        for (engagement, version, _), new in zip(todo, made, strict=True):
            count = carried.get(new.pk, 0)
            note = f" ({count} override{'s' if count != 1 else ''} carried over)" if count else ""
            events.append(
                AuditEvent(
                    firm=firm, engagement=engagement, verb="recommendation.drafted",
                    summary=(
                        f"Draft from profile v{version.number} on {book_version.key}: "
                        f"{OPTION_LABELS[new.assessment['verdict']]}{note}"
                    )[:300],
                    data={"recommendation": new.pk, "reason": reason},
                )
            )  # fmt: skip
        AuditEvent.objects.bulk_create(events)
        queued = [new.pk for new in made if not new.narrative_edited]
        firm_id = firm.pk
        if queued:
            transaction.on_commit(lambda: queue_narrative_drafts.delay(firm_id, queued))
    return len(made)
