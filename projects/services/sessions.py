"""Writes about working sessions and their follow-ups, and a session's calendar file."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from projects.models import Engagement, Firm, FollowUp, Session, User

SESSION_FIELDS = ("title", "starts_at", "duration_minutes", "location", "attendees", "agenda")


def session_create(
    *, firm: Firm, engagement: Engagement, created_by: User | None, **fields: Any
) -> Session:
    if engagement.firm_id != firm.pk:
        raise ValidationError("The engagement belongs to another firm.")
    session = Session(firm=firm, engagement=engagement, created_by=created_by)
    for key in (*SESSION_FIELDS, "notes", "decisions"):
        if key in fields:
            setattr(session, key, fields[key])
    session.full_clean(exclude=["firm", "engagement", "created_by"])
    session.save()
    return session


def session_update(*, firm: Firm, session: Session, **fields: Any) -> Session:
    if session.firm_id != firm.pk:
        raise ValidationError("The session belongs to another firm.")
    for key in (*SESSION_FIELDS, "notes", "decisions"):
        if key in fields:
            setattr(session, key, fields[key])
    session.full_clean(exclude=["firm", "engagement", "created_by"])
    session.save()
    return session


def session_save_notes(
    *, firm: Firm, session: Session, notes: str, decisions: str | None
) -> Session:
    """Autosave while the consultant types: only the notes (and decisions) change."""
    if session.firm_id != firm.pk:
        raise ValidationError("The session belongs to another firm.")
    session.notes = notes
    update = ["notes", "updated_at"]
    if decisions is not None:
        session.decisions = decisions
        update.append("decisions")
    session.save(update_fields=update)
    return session


def follow_up_add(
    *, firm: Firm, session: Session, text: str, owner: str = "", due_date: date | None = None
) -> FollowUp:
    if session.firm_id != firm.pk:
        raise ValidationError("The session belongs to another firm.")
    if not text.strip():
        raise ValidationError({"text": "Say what needs doing."})
    return FollowUp.objects.create(
        firm=firm, session=session, text=text.strip(), owner=owner.strip(), due_date=due_date
    )


@transaction.atomic
def follow_up_toggle(*, firm: Firm, follow_up_id: int) -> FollowUp:
    item = FollowUp.objects.select_for_update().get(firm=firm, pk=follow_up_id)
    item.done = not item.done
    item.save(update_fields=["done"])
    return item


def _ics_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _ics_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> str:
    # RFC 5545: lines longer than 75 octets continue on the next line after a space.
    out, chunk = [], ""
    for ch in line:
        if len((chunk + ch).encode()) > 75:
            out.append(chunk)
            chunk = " " + ch
        else:
            chunk += ch
    out.append(chunk)
    return "\r\n".join(out)


def session_ics(*, session: Session, host: str, now: datetime) -> str:
    """An iCalendar file for one session, stable per session (UID) so re-importing updates it."""
    description = session.agenda or ""
    if session.attendee_list:
        description += (
            ("\n\n" if description else "") + "Attendees: " + ", ".join(session.attendee_list)
        )
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Forkcast//Sessions//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:session-{session.pk}@{host}",
        f"DTSTAMP:{_ics_time(now)}",
        f"DTSTART:{_ics_time(session.starts_at)}",
        f"DTEND:{_ics_time(session.ends_at)}",
        f"SUMMARY:{_ics_escape(session.title + ' — ' + session.engagement.client.name)}",
        f"DESCRIPTION:{_ics_escape(description)}",
    ]
    if session.location:
        lines.append(f"LOCATION:{_ics_escape(session.location)}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
