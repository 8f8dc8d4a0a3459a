"""A real browser: a consultant creates a client and an engagement, sends the founder the intake
link, schedules a session, and takes notes that save as they type (HTMX autosave)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from projects.models import Engagement, Role, Session
from projects.tenancy.scope import firm_scope
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_consultant_creates_client_engagement_and_session_with_autosaved_notes(
    live_server, page, shot, firm
):
    user = UserFactory(email="chloe@acme.example", full_name="Chloe Dubois")
    MembershipFactory(firm=firm, user=user, role=Role.CONSULTANT)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail").fill("chloe@acme.example")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()

    page.locator(".sidebar").get_by_role("link", name="Clients").click()
    expect(page.get_by_text("No clients yet")).to_be_visible()
    page.get_by_role("link", name="New client").click()
    page.get_by_label("Name").fill("Lumen Health")
    page.get_by_label("Website").fill("lumen.example")
    page.get_by_role("button", name="Add client").click()
    expect(page.get_by_role("heading", name="Lumen Health")).to_be_visible()

    page.get_by_label("Name").fill("Iris Novak")
    page.get_by_label("Email").fill("iris@lumen.example")
    page.get_by_role("button", name="Add contact").click()
    expect(page.get_by_text("iris@lumen.example")).to_be_visible()

    page.get_by_role("link", name="New engagement").click()
    page.get_by_label("Title").fill("Clinical FAQ assistant")
    page.get_by_role("button", name="Create engagement").click()
    expect(page.get_by_role("heading", name="Clinical FAQ assistant")).to_be_visible()
    expect(page.locator(".status-track .is-current")).to_have_text("Intake")

    # The client's contact is the founder the link goes to.
    panel = page.get_by_test_id("intake-panel")
    expect(panel.get_by_label("Founder's e-mail")).to_have_value("iris@lumen.example")
    panel.get_by_role("button", name="Send intake link").click()
    expect(panel.get_by_test_id("intake-state")).to_have_text("Sent")
    assert [m.to for m in mail.outbox] == [["iris@lumen.example"]]
    assert re.search(r"/intake/\S+/", mail.outbox[0].body)

    page.get_by_role("link", name="Schedule session").first.click()
    page.get_by_label("Title").fill("Kick-off")
    page.get_by_label("Starts").fill("2026-12-03T10:00")
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_role("heading", name="Kick-off")).to_be_visible()

    # Notes save while typing — no button press.
    page.get_by_role("textbox", name="Notes").fill("## Goals\n- **Cite** the clinical guideline")
    expect(page.locator("#save-status")).to_contain_text("Saved")
    expect(page.locator("#notes-preview strong")).to_have_text("Cite")
    shot("session-notes")

    with firm_scope(firm):
        engagement = Engagement.objects.select_related("client").get(title="Clinical FAQ assistant")
        session = Session.objects.get(engagement=engagement)
    assert engagement.client.website == "https://lumen.example"
    assert engagement.lead == user
    assert "**Cite**" in session.notes

    # The search narrows the client list in place.
    page.locator(".sidebar").get_by_role("link", name="Clients").click()
    page.get_by_label("Search clients").fill("nothing-like-this")
    expect(page.locator("#client-results")).to_contain_text("No client matches")
    page.get_by_label("Search clients").fill("lumen")
    expect(page.locator("#client-results")).to_contain_text("Lumen Health")
    expect(page).to_have_url(re.compile(r"q=lumen"))
