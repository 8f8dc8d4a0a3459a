"""A real browser on the review page: the side panels arrive by themselves, the reviewer picker
when its menu opens, and the page looks right at desktop and phone width once they have."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from projects.models import Role
from tests.factories import (
    ClientFactory,
    EngagementFactory,
    MembershipFactory,
    UserFactory,
    profile_version,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_panels_load_and_a_review_is_requested_through_the_picker(
    live_server, page, shot, firm
):
    consultant = UserFactory(email="chloe@acme.example", full_name="Chloe Dubois")
    MembershipFactory(firm=firm, user=consultant, role=Role.CONSULTANT)
    owner = UserFactory(email="olga@acme.example", full_name="Olga Owner")
    MembershipFactory(firm=firm, user=owner, role=Role.OWNER)
    engagement = EngagementFactory(
        client=ClientFactory(firm=firm, name="Brightdesk"), title="Support copilot"
    )
    profile_version(
        engagement,
        {"name": "Support copilot", "stage": "mvp", "knowledge_change": "weekly",
         "corpus_tokens": 800000, "queries_per_month": 30000},
        source="founder",
    )  # fmt: skip
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail").fill("chloe@acme.example")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/f/{firm.slug}/engagements/{engagement.pk}/recommendation/")
    expect(page.locator("#revisions")).to_contain_text("Nothing approved yet")
    expect(page.locator("#activity")).to_contain_text("Draft from profile v1")
    expect(page.locator("#revisions[aria-busy]")).to_have_count(0)

    page.set_viewport_size({"width": 1440, "height": 900})
    shot("review-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    shot("review-phone")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_text("Request review").click()
    page.get_by_label("Reviewer").select_option(label="Olga Owner")
    page.get_by_role("button", name="Ask for review").click()
    expect(page.locator("#messages")).to_contain_text("Review requested from Olga Owner")
    expect(page.get_by_test_id("rec-status")).to_have_text("In review")
    assert errors == []
