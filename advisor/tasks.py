"""Background jobs of the advisor. Each takes ids, enters the firm's scope itself, and is safe
to run twice (re-assessment skips engagements already on the current inputs; e-mails check the
link is still usable)."""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from advisor.models import ShareLink
from advisor.services.reassessment import (
    CHUNK_SIZE,
    open_engagement_ids,
    reassess_engagement,
    reassess_engagements_bulk,
)
from projects.models import Firm
from projects.tenancy.scope import firm_scope

log = logging.getLogger(__name__)


@shared_task
def reassess_firm(firm_id: int, reason: str) -> int:
    """Fan the firm's open engagements out to chunked tasks; returns how many were queued."""
    firm = Firm.objects.get(pk=firm_id)
    with firm_scope(firm):
        ids = open_engagement_ids(firm=firm)
    for start in range(0, len(ids), CHUNK_SIZE):
        reassess_engagements.delay(firm_id, ids[start : start + CHUNK_SIZE], reason)
    return len(ids)


@shared_task
def reassess_engagements(firm_id: int, engagement_ids: list[int], reason: str) -> int:
    firm = Firm.objects.get(pk=firm_id)
    try:
        # The whole chunk in one transaction and a fixed number of queries (the fast path).
        with firm_scope(firm):
            return reassess_engagements_bulk(
                firm=firm, engagement_ids=engagement_ids, reason=reason
            )
    except Exception:
        # Rolled back whole; one engagement at a time then, each in its own transaction, so
        # one that cannot be assessed does not hold back the rest of its chunk.
        log.exception("Bulk re-assessment of a chunk failed; re-assessing one by one")
    done = 0
    for engagement_id in engagement_ids:
        with firm_scope(firm):
            if reassess_engagement(firm=firm, engagement_id=engagement_id, reason=reason):
                done += 1
    return done


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError), retry_backoff=True, max_retries=3
)
def send_share_email(firm_id: int, link_id: int, token: str) -> bool:
    firm = Firm.objects.get(pk=firm_id)
    with firm_scope(firm):
        link = (
            ShareLink.objects.select_related("revision__engagement__client", "created_by")
            .filter(pk=link_id)
            .first()
        )
        if link is None or link.state != "active" or not link.sent_to:
            return False
        url = settings.FORKCAST_BASE_URL.rstrip("/") + reverse("share", kwargs={"token": token})
        context = {"firm": firm, "link": link, "url": url, "engagement": link.revision.engagement}
        message = EmailMultiAlternatives(
            subject=f"{firm.brand_name}: your architecture recommendation",
            body=render_to_string("emails/share.txt", context),
            to=[link.sent_to],
        )
        message.attach_alternative(render_to_string("emails/share.html", context), "text/html")
        message.send()
    return True


# The client retries the call itself (OPENAI_MAX_RETRIES) and a failed call falls back to the
# template, so the task never retries the model on top; a worker lost mid-task hands it back
# (acks late) and the rerun finds its draft by input hash. A rerun that finds the draft still
# claimed (the lost delivery's claim, or a live one) comes back when the claim has gone stale,
# instead of ending: otherwise a job requeued at once (a killed pool process) would be dropped
# and the narrative left "drafting" for good.
@shared_task(bind=True, max_retries=10)
def draft_narrative(self, firm_id: int, recommendation_id: int, attempt: int = 0) -> str:
    """Draft, ground-check and apply a recommendation's narrative (advisor.services.narratives)."""
    from advisor.services.narratives import narrative_draft_run, stale_after

    firm = Firm.objects.get(pk=firm_id)
    outcome = narrative_draft_run(firm=firm, recommendation_id=recommendation_id, attempt=attempt)
    if outcome == "busy" and not self.request.is_eager:
        raise self.retry(countdown=stale_after().total_seconds())
    return outcome


@shared_task
def queue_narrative_drafts(firm_id: int, recommendation_ids: list[int]) -> int:
    """Queue one `draft_narrative` job per draft of a re-assessed chunk. The chunk sends this one
    message when it commits, instead of a message per draft on its own clock (publishing was
    a third of a chunk's time, docs/PERFORMANCE.md); each narrative is still its own job, with
    its own retries. A rerun after a lost worker queues them again, and a repeated job finds
    its draft by input hash."""
    for recommendation_id in recommendation_ids:
        draft_narrative.delay(firm_id, recommendation_id, 0)
    return len(recommendation_ids)
