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
