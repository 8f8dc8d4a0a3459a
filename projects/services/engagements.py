"""Writes about clients, contacts and engagements."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError

from projects.models import Client, Contact, Engagement, EngagementStatus, Firm, Membership, User

# The statuses move forward one step at a time; any status may close, and a closed engagement
# may reopen into review (a consultant picks it back up).
STATUS_ORDER = [s.value for s in EngagementStatus]


def _check_lead(firm: Firm, lead: User | None) -> None:
    if lead is not None and not Membership.objects.filter(firm=firm, user=lead).exists():
        raise ValidationError({"lead": "The lead must be a member of this firm."})


def client_create(*, firm: Firm, name: str, website: str = "", notes: str = "") -> Client:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the client a name."})
    return Client.objects.create(firm=firm, name=name, website=website, notes=notes)


def client_update(*, firm: Firm, client: Client, **fields: Any) -> Client:
    if client.firm_id != firm.pk:
        raise ValidationError("The client belongs to another firm.")
    for key in ("name", "website", "notes"):
        if key in fields:
            setattr(client, key, fields[key])
    client.full_clean(exclude=["firm"])
    client.save()
    return client


def client_delete(*, firm: Firm, client: Client) -> None:
    if client.firm_id != firm.pk:
        raise ValidationError("The client belongs to another firm.")
    try:
        client.delete()
    except ProtectedError:
        raise ValidationError(
            "This client has engagements. Close them instead; their history stays."
        ) from None


@transaction.atomic
def contact_add(
    *, firm: Firm, client: Client, name: str, email: str, title: str = "", is_primary: bool = False
) -> Contact:
    if client.firm_id != firm.pk:
        raise ValidationError("The client belongs to another firm.")
    if is_primary or not Contact.objects.filter(firm=firm, client=client).exists():
        Contact.objects.filter(firm=firm, client=client).update(is_primary=False)
        is_primary = True
    contact = Contact(
        firm=firm, client=client, name=name, email=email.lower(), title=title, is_primary=is_primary
    )
    contact.full_clean(exclude=["firm", "client"])
    contact.save()
    return contact


def contact_remove(*, firm: Firm, contact_id: int) -> None:
    Contact.objects.get(firm=firm, pk=contact_id).delete()


def engagement_create(
    *,
    firm: Firm,
    client: Client,
    title: str,
    lead: User | None = None,
    summary: str = "",
    start_date: date | None = None,
    target_date: date | None = None,
) -> Engagement:
    # Foreign keys are checked by the database without row-level security: check the firm here.
    if client.firm_id != firm.pk:
        raise ValidationError({"client": "Choose one of this firm's clients."})
    _check_lead(firm, lead)
    if not title.strip():
        raise ValidationError({"title": "Give the engagement a title."})
    if start_date and target_date and target_date < start_date:
        raise ValidationError({"target_date": "The target date is before the start."})
    return Engagement.objects.create(
        firm=firm,
        client=client,
        title=title.strip(),
        lead=lead,
        summary=summary,
        start_date=start_date,
        target_date=target_date,
    )


def engagement_update(*, firm: Firm, engagement: Engagement, **fields: Any) -> Engagement:
    if engagement.firm_id != firm.pk:
        raise ValidationError("The engagement belongs to another firm.")
    if "client" in fields and fields["client"].firm_id != firm.pk:
        raise ValidationError({"client": "Choose one of this firm's clients."})
    if "lead" in fields:
        _check_lead(firm, fields["lead"])
    for key in ("client", "title", "lead", "summary", "start_date", "target_date"):
        if key in fields:
            setattr(engagement, key, fields[key])
    start, target = engagement.start_date, engagement.target_date
    if start and target and target < start:
        raise ValidationError({"target_date": "The target date is before the start."})
    engagement.save()
    return engagement


def engagement_set_status(*, firm: Firm, engagement: Engagement, status: str) -> Engagement:
    if engagement.firm_id != firm.pk:
        raise ValidationError("The engagement belongs to another firm.")
    if status not in STATUS_ORDER:
        raise ValidationError({"status": "Unknown status."})
    engagement.status = status
    engagement.save(update_fields=["status", "updated_at"])
    return engagement
