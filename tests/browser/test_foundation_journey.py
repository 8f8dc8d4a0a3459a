"""A real browser: log in, switch firm, invite a member, accept the invitation as the invitee."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from projects.models import Membership, Role
from projects.tenancy.scope import firm_scope
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"


def test_login_switch_firm_invite_and_accept(live_server, page, shot, settings, firm, other_firm):
    settings.FORKCAST_BASE_URL = live_server.url
    owner = UserFactory(email="olivia@acme.example", full_name="Olivia Hart")
    MembershipFactory(firm=firm, user=owner, role=Role.OWNER)
    MembershipFactory(firm=other_firm, user=owner, role=Role.VIEWER)

    page.goto(f"{live_server.url}/accounts/login/")
    shot("login")
    page.get_by_label("E-mail").fill("olivia@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # Two firms: the home page lets her choose.
    expect(page.get_by_role("heading", name="Your firms")).to_be_visible()
    page.get_by_test_id("firm-card").filter(has_text="Acme Advisory").click()
    expect(page).to_have_url(re.compile(r"/f/acme/$"))

    # Switch firm through the switcher, then back.
    page.get_by_test_id("firm-switcher").locator("summary").click()
    page.get_by_test_id("firm-switcher").get_by_role(
        "link", name=re.compile("Rival Partners")
    ).click()
    expect(page).to_have_url(re.compile(r"/f/rival/$"))
    expect(page.locator(".sidebar")).to_contain_text("Signed in as viewer")
    page.get_by_test_id("firm-switcher").locator("summary").click()
    page.get_by_test_id("firm-switcher").get_by_role(
        "link", name=re.compile("Acme Advisory")
    ).click()
    expect(page).to_have_url(re.compile(r"/f/acme/$"))
    shot("dashboard")

    # Invite a member (an HTMX form that updates the pending list in place).
    page.get_by_role("link", name="Members").first.click()
    page.get_by_label("E-mail").fill("newbie@example.com")
    page.get_by_label("Role", exact=True).select_option("consultant")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_test_id("pending-invitations")).to_contain_text("newbie@example.com")
    expect(page.locator("#messages")).to_contain_text("Invitation sent to newbie@example.com")
    shot("members")
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/invitations/\S+/", mail.outbox[0].body).group(0)

    # Log out, then accept as the invitee: sign up from the invitation and join.
    page.locator(".topbar").get_by_label("Account menu").click()
    page.get_by_role("button", name="Log out").click()
    page.goto(link)
    expect(page.get_by_role("heading", name="Join Acme Advisory")).to_be_visible()
    shot("invitation")
    page.get_by_role("link", name="Create an account to join").click()
    page.get_by_label("Full name").fill("Nadia Newbie")
    page.get_by_label("Work e-mail").fill("newbie@example.com")
    page.get_by_label("Password", exact=True).fill("a-long-unusual-passphrase")
    page.get_by_label("Password confirmation").fill("a-long-unusual-passphrase")
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("button", name="Accept and join").click()
    expect(page).to_have_url(re.compile(r"/f/acme/$"))
    expect(page.locator(".sidebar")).to_contain_text("Signed in as consultant")

    with firm_scope(firm):
        joined = Membership.objects.get(user__email="newbie@example.com")
    assert joined.role == Role.CONSULTANT


def test_phone_width_dashboard_has_a_working_menu(live_server, page, shot, firm):
    owner = UserFactory(email="phone@acme.example", full_name="Pat Phone")
    MembershipFactory(firm=firm, user=owner, role=Role.OWNER)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail").fill("phone@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/f/acme/$"))
    expect(page.locator(".sidebar")).to_be_hidden()
    shot("dashboard-phone")
    page.get_by_label("Open menu").click()
    page.locator(".mobile-bar").get_by_role("link", name="Members").click()
    expect(page).to_have_url(re.compile(r"/f/acme/settings/members/$"))
    shot("members-phone")
