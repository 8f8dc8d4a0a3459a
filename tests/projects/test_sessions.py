"""Working sessions: scheduling, notes saved as the consultant types (rendered safely),
follow-ups, and the .ics calendar file."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from projects.markdown import render_markdown
from projects.models import FollowUp, Role, Session
from projects.tenancy.scope import firm_scope
from tests.factories import ClientFactory, EngagementFactory, SessionFactory

pytestmark = pytest.mark.django_db


def url(name: str, firm, **kwargs) -> str:
    return reverse(f"projects:{name}", kwargs={"firm_slug": firm.slug, **kwargs})


@pytest.fixture
def engagement(firm):
    return EngagementFactory(client=ClientFactory(firm=firm, name="Lumen Health"))


def test_schedule_a_session_with_per_field_errors(firm, owner_client, engagement):
    bad = owner_client.post(
        url("session-new", firm, engagement_id=engagement.pk),
        {"title": "Kick-off", "starts_at": "tomorrow", "duration_minutes": "2"},
    )
    assert bad.status_code == 200
    assert {"starts_at", "duration_minutes"} <= set(bad.context["form"].errors)
    assert b'value="Kick-off"' in bad.content
    ok = owner_client.post(
        url("session-new", firm, engagement_id=engagement.pk),
        {"title": "Kick-off", "starts_at": "2026-12-03T10:00", "duration_minutes": "90",
         "attendees": "Olga\nIris (Lumen)", "agenda": "Goals"},
    )  # fmt: skip
    with firm_scope(firm):
        session = Session.objects.get(title="Kick-off")
    assert ok["Location"] == url("session-detail", firm, session_id=session.pk)
    assert session.attendee_list == ["Olga", "Iris (Lumen)"]
    assert session.duration_minutes == 90


def test_notes_autosave_over_htmx_and_render_markdown_safely(firm, owner_client, engagement):
    session = SessionFactory(engagement=engagement)
    response = owner_client.post(
        url("session-notes", firm, session_id=session.pk),
        {"notes": "## Goals\n**Ship** RAG <script>alert(1)</script> [x](javascript:alert(1))"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'id="save-status"' in body and "Saved" in body
    assert 'id="notes-preview"' in body and 'hx-swap-oob="true"' in body
    assert "<strong>Ship</strong>" in body and "<h2>Goals</h2>" in body
    assert "<script>" not in body and "javascript:" not in body
    with firm_scope(firm):
        session.refresh_from_db()
    assert session.notes.startswith("## Goals")
    page = owner_client.get(url("session-detail", firm, session_id=session.pk))
    assert "<script>alert" not in page.content.decode()


def test_notes_save_without_javascript_redirects_back(firm, owner_client, engagement):
    session = SessionFactory(engagement=engagement)
    response = owner_client.post(
        url("session-notes", firm, session_id=session.pk),
        {"notes": "plain", "decisions": "Start with RAG\nRevisit in Q2"},
    )
    assert response.status_code == 302
    with firm_scope(firm):
        session.refresh_from_db()
    assert session.decision_list == ["Start with RAG", "Revisit in Q2"]


def test_markdown_sanitiser_keeps_links_and_drops_handlers():
    html = render_markdown(
        '<a href="https://x.example" onclick="evil()">x</a> <img src=x onerror=y>'
    )
    assert 'href="https://x.example"' in html
    assert "onclick" not in html and "onerror" not in html and "<img" not in html


def test_follow_ups_add_and_toggle(firm, owner_client, engagement):
    session = SessionFactory(engagement=engagement)
    bad = owner_client.post(
        url("follow-up-new", firm, session_id=session.pk), {"text": ""}, HTTP_HX_REQUEST="true"
    )
    assert bad.status_code == 200 and "This field is required" in bad.content.decode()
    added = owner_client.post(
        url("follow-up-new", firm, session_id=session.pk),
        {"text": "Send usage export", "owner": "Iris", "due_date": "2026-12-10"},
        HTTP_HX_REQUEST="true",
    )
    assert (
        'id="follow-ups"' in added.content.decode()
        and "Send usage export" in added.content.decode()
    )
    with firm_scope(firm):
        item = FollowUp.objects.get()
    owner_client.post(url("follow-up-toggle", firm, follow_up_id=item.pk))
    with firm_scope(firm):
        item.refresh_from_db()
    assert item.done is True


def test_session_ics_is_a_valid_calendar_event(firm, owner_client, engagement):
    session = SessionFactory(
        engagement=engagement,
        title="Architecture review; part 1",
        starts_at=datetime(2026, 12, 3, 10, 0, tzinfo=UTC),
        duration_minutes=90,
        location="Zoom",
        agenda="Costs, latency",
    )
    response = owner_client.get(url("session-ics", firm, session_id=session.pk))
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and "END:VCALENDAR" in lines
    assert "DTSTART:20261203T100000Z" in lines and "DTEND:20261203T113000Z" in lines
    assert f"UID:session-{session.pk}@testserver" in lines
    assert "SUMMARY:Architecture review\\; part 1 — Lumen Health" in text
    assert "DESCRIPTION:Costs\\, latency" in text
    assert all(len(line.encode()) <= 75 for line in lines)


def test_engagement_page_shows_sessions_as_a_timeline(firm, owner_client, engagement):
    SessionFactory(
        engagement=engagement, title="Discovery", starts_at=datetime(2026, 1, 5, 9, tzinfo=UTC)
    )
    SessionFactory(
        engagement=engagement, title="Readout", starts_at=datetime(2027, 1, 5, 9, tzinfo=UTC)
    )
    page = owner_client.get(url("engagement-detail", firm, engagement_id=engagement.pk))
    body = page.content.decode()
    assert body.index("Readout") < body.index("Discovery")  # upcoming first, then the past
    assert page.context["next_session"].title == "Readout"


def test_viewer_cannot_save_notes(firm, member, client_for, engagement):
    session = SessionFactory(engagement=engagement, notes="original")
    viewer = client_for(member(firm, Role.VIEWER))
    assert viewer.get(url("session-detail", firm, session_id=session.pk)).status_code == 200
    response = viewer.post(url("session-notes", firm, session_id=session.pk), {"notes": "x"})
    assert response.status_code == 403
    with firm_scope(firm):
        session.refresh_from_db()
    assert session.notes == "original"
