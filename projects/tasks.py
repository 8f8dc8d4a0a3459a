"""Background jobs of the projects app. Each takes ids, enters the firm's scope itself, and is
safe to run twice."""

from __future__ import annotations

import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from projects.models import Firm, Invitation
from projects.tenancy.scope import firm_scope


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError),
    retry_backoff=True,
    max_retries=3,
)
def send_invitation_email(firm_id: int, invitation_id: int, token: str) -> bool:
    """E-mail an invitation link. Returns False (and sends nothing) once it is no longer pending."""
    firm = Firm.objects.get(pk=firm_id)
    with firm_scope(firm):
        invitation = (
            Invitation.objects.select_related("invited_by").filter(pk=invitation_id).first()
        )
        if invitation is None or invitation.state != "pending":
            return False
        url = settings.FORKCAST_BASE_URL.rstrip("/") + reverse(
            "invitation-accept", kwargs={"token": token}
        )
        context = {"firm": firm, "invitation": invitation, "url": url}
        subject = f"{firm.brand_name} invited you to Forkcast"
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("emails/invitation.txt", context),
            to=[invitation.email],
        )
        message.attach_alternative(render_to_string("emails/invitation.html", context), "text/html")
        message.send()
    return True


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError),
    retry_backoff=True,
    max_retries=3,
)
def send_intake_email(firm_id: int, link_id: int, token: str) -> bool:
    """E-mail a founder their intake link, in the firm's name. Returns False (and sends
    nothing) once the link can no longer be used: revoked, expired or submitted."""
    from projects.models import IntakeDraft, IntakeLink

    firm = Firm.objects.get(pk=firm_id)
    with firm_scope(firm):
        link = (
            IntakeLink.objects.select_related(
                "engagement__client", "engagement__lead", "created_by"
            )
            .filter(pk=link_id)
            .first()
        )
        if link is None or link.state not in {"sent", "in_progress"} or not link.sent_to:
            return False
        url = settings.FORKCAST_BASE_URL.rstrip("/") + reverse(
            "intake:landing", kwargs={"token": token}
        )
        sender = link.engagement.lead or link.created_by
        # Answers already there (a resend, or a reopened intake): the e-mail says so.
        has_answers = (
            IntakeDraft.objects.filter(link=link, submitted_at__isnull=True)
            .exclude(answers={})
            .exists()
        )
        context = {
            "firm": firm,
            "link": link,
            "client": link.engagement.client,
            "sender": sender,
            "url": url,
            "has_answers": has_answers,
        }
        subject = (
            f"{firm.brand_name}: a few questions about {link.engagement.client.name}'s AI product"
        )
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("emails/intake.txt", context),
            to=[link.sent_to],
            reply_to=[sender.email] if sender and sender.email else None,
        )
        message.attach_alternative(render_to_string("emails/intake.html", context), "text/html")
        message.send()
    return True
