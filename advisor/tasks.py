"""Background jobs of the advisor. Each takes ids, enters the firm's scope itself, and is safe
to run twice (re-assessment skips engagements already on the current inputs; e-mails check the
link is still usable)."""

from __future__ import annotations

import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from advisor.models import ShareLink
from advisor.services.reassessment import CHUNK_SIZE, open_engagement_ids, reassess_engagement
from projects.models import Firm
from projects.tenancy.scope import firm_scope


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
    done = 0
    for engagement_id in engagement_ids:
        # One transaction per engagement: a failure later in the chunk keeps earlier work.
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
# template, so the task never retries on top; a worker lost mid-task hands it back (acks late)
# and the rerun finds its draft by input hash.
@shared_task
def draft_narrative(firm_id: int, recommendation_id: int, attempt: int = 0) -> str:
    """Draft, ground-check and apply a recommendation's narrative (advisor.services.narratives)."""
    from advisor.services.narratives import narrative_draft_run

    firm = Firm.objects.get(pk=firm_id)
    return narrative_draft_run(firm=firm, recommendation_id=recommendation_id, attempt=attempt)
