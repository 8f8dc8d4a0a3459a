"""A real browser: the consultant reviews a draft, overrides the verdict with a justification,
tries a what-if, approves and delivers; the client opens the share link and acknowledges."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from advisor.models import ShareLink
from projects.models import Role
from projects.tenancy.scope import firm_scope
from tests.factories import (
    ClientFactory,
    EngagementFactory,
    MembershipFactory,
    UserFactory,
    profile_version,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_review_override_whatif_approve_deliver_and_acknowledge(
    live_server, page, browser, shot, firm
):
    consultant = UserFactory(email="chloe@acme.example", full_name="Chloe Dubois")
    MembershipFactory(firm=firm, user=consultant, role=Role.CONSULTANT)
    engagement = EngagementFactory(
        client=ClientFactory(firm=firm, name="Brightdesk"), title="Support copilot", lead=consultant
    )
    profile_version(
        engagement,
        {"name": "Support copilot", "stage": "mvp", "knowledge_change": "weekly",
         "corpus_tokens": 800000, "queries_per_month": 30000},
        source="founder",
    )  # fmt: skip

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail").fill("chloe@acme.example")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/f/{firm.slug}/engagements/{engagement.pk}/")
    expect(page.get_by_test_id("engagement-verdict")).to_have_text("RAG")
    page.get_by_role("link", name="Open the review").click()
    expect(page.get_by_test_id("rec-status")).to_have_text("Draft")
    expect(page.locator("#report-why")).to_contain_text("R-FRESH")

    # Override the verdict, with a justification that is kept.
    page.get_by_text("Override the verdict, the first stage or a rule").click()
    page.get_by_label("What to override").select_option("verdict")
    page.get_by_label("New value").select_option("hybrid")
    page.get_by_label("Justification").fill(
        "Brand voice is a hard requirement the rules cannot see."
    )
    page.get_by_role("button", name="Record override").click()
    expect(page.locator("#messages")).to_contain_text("Override recorded")
    expect(page.locator("#report-verdict")).to_contain_text("Overridden")
    expect(page.locator("#report-verdict")).to_contain_text("Brand voice is a hard requirement")

    # What-if: ten times the volume, recomputed live without saving.
    page.get_by_label("Queries a month").fill("300000")
    expect(page.locator("#whatif-result table")).to_be_visible()
    expect(page.locator("#whatif-result")).to_contain_text("+$")
    shot("review-whatif")

    page.get_by_role("button", name="Approve and freeze").click()
    expect(page.locator("#messages")).to_contain_text("Approved as revision 1")
    expect(page.get_by_test_id("rec-status")).to_have_text("Approved")

    page.get_by_text("Deliver to client").click()
    page.get_by_label("Send the link to").fill("maya@brightdesk.example")
    page.get_by_role("button", name="Create share link").click()
    message = page.locator("#messages").inner_text()
    share_url = re.search(r"http://\S+/share/\S+/", message).group(0)
    expect(page.get_by_test_id("rec-status")).to_have_text("Delivered")

    # The client, in a browser of their own, with no account.
    client_context = browser.new_context()
    client_page = client_context.new_page()
    client_page.goto(share_url)
    expect(client_page.get_by_role("heading", name="Support copilot")).to_be_visible()
    expect(client_page.locator("#report-verdict")).to_contain_text("Hybrid")
    expect(client_page.locator("#report-verdict")).to_contain_text(
        "Brand voice is a hard requirement"
    )
    client_page.get_by_label("Your name").fill("Maya Torres")
    client_page.get_by_role("button", name="Acknowledge receipt").click()
    expect(client_page.get_by_test_id("acknowledged")).to_contain_text("Maya Torres")
    client_page.screenshot(path="test-artifacts/share-page.png", full_page=False)
    client_context.close()

    with firm_scope(firm):
        link = ShareLink.objects.get()
    assert link.acknowledged_name == "Maya Torres" and link.sent_to == "maya@brightdesk.example"
    page.reload()
    expect(page.locator("#revisions")).to_contain_text("acknowledged by Maya Torres")
