"""A real browser through the founder intake: a consultant sends the link from the engagement
page; a founder answers over two sittings on two devices (a laptop, then a phone) and submits;
a validation error keeps everything typed. Screenshots land in test-artifacts/intake-*.png."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import Page, expect

from projects.models import IntakeDraft, ProfileVersion, Role
from projects.tenancy.scope import firm_scope
from tests.browser.conftest import ARTIFACTS
from tests.factories import (
    ContactFactory,
    EngagementFactory,
    IntakeLinkFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"
PHONE = {"width": 390, "height": 844}
TOKEN = "browser-intake-token-aaaaaaaaaaaaaaaaaaaaaaaa"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def snap(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"intake-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def wait_for_draft(page: Page, link, predicate, timeout_ms: int = 10_000) -> IntakeDraft:
    """Poll the stored draft until `predicate` holds (autosave runs in the background)."""
    for _ in range(timeout_ms // 100):
        with firm_scope(link.firm_id):
            draft = IntakeDraft.objects.filter(link=link).first()
        if draft is not None and predicate(draft):
            return draft
        page.wait_for_timeout(100)
    raise AssertionError(f"the draft never got there: {draft and draft.answers}")


def choose(page: Page, question: str, option: str) -> None:
    """Pick a radio card by its question (the fieldset's legend) and the start of its label."""
    group = page.get_by_role("group", name=question)
    group.get_by_role("radio", name=re.compile(rf"^{re.escape(option)}\b")).check()


def next_step(page: Page) -> None:
    page.get_by_role("button", name=re.compile(r"^(Next|Review my answers)")).click()


def answer_product(page: Page) -> None:
    page.get_by_label("What is the product called?").fill("Helpdesk Copilot")
    page.get_by_label("What does it do?").fill("Agents ask about refunds; answers cite policy.")
    choose(page, "How far along is it?", "Live with first users")
    choose(page, "Do you know what your users actually ask", "Yes")


def answer_knowledge(page: Page) -> None:
    choose(page, "How often do the facts behind the answers change?", "Every week")
    choose(page, "Does the right answer depend on who is asking?", "No")
    choose(page, "Do users need to see where an answer came from?", "Yes")
    choose(page, "Who must be able to check the answers afterwards?", "Our own team")


def answer_answers(page: Page) -> None:
    choose(page, "What shape must the answers have?", "Conversational text")
    choose(page, "Do the answers need a particular voice?", "Our brand's voice")
    choose(page, "How specialised is the language of your field?", "Some jargon")
    choose(page, "How bad is a confident but wrong answer?", "Serious")
    choose(page, "Does any part of the product need answers in real time?", "No")


def answer_team(page: Page) -> None:
    choose(page, "Where may the AI models run?", "I don't know")
    choose(page, "How much machine-learning experience does your team have?", "Some")
    page.get_by_label("What does a day of engineering cost you?").fill("900")
    page.get_by_label("How far ahead should the cost comparison look?").fill("24")


def test_a_consultant_sends_the_intake_link_from_the_engagement_page(
    live_server, page, browser, settings, firm
):
    settings.FORKCAST_BASE_URL = live_server.url
    consultant = UserFactory(email="cora@acme.example", full_name="Cora Consultant")
    MembershipFactory(firm=firm, user=consultant, role=Role.CONSULTANT)
    engagement = EngagementFactory(
        client__firm=firm, client__name="Tidal Labs", title="Support copilot", lead=consultant
    )
    ContactFactory(client=engagement.client, email="ceo@tidal.example", is_primary=True)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail").fill("cora@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/f/acme/engagements/{engagement.pk}/")

    panel = page.get_by_test_id("intake-panel")
    expect(panel.get_by_test_id("intake-state")).to_have_text("Not sent")
    expect(panel.get_by_label("Founder's e-mail")).to_have_value("ceo@tidal.example")
    panel.scroll_into_view_if_needed()
    snap(page, "panel-empty")
    panel.get_by_role("button", name="Send intake link").click()

    # HTMX swapped the panel in place: the page did not reload, the state moved on.
    expect(panel.get_by_test_id("intake-state")).to_have_text("Sent")
    expect(page.locator("#messages")).to_contain_text("Intake link sent to ceo@tidal.example")
    expect(panel).to_contain_text("Not yet")
    snap(page, "panel-sent")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ceo@tidal.example"]
    link = re.search(r"http://\S+/intake/\S+/", mail.outbox[0].body).group(0)

    # The founder's link works (and this visit consumes nothing).
    page.goto(link)
    expect(page.get_by_role("heading", name="Tell us about your AI product")).to_be_visible()
    page.goto(f"{live_server.url}/f/acme/engagements/{engagement.pk}/")
    expect(page.get_by_test_id("intake-state")).to_have_text("Sent")

    # The founder starts on their own device and answers the first step...
    founder = browser.new_context()
    founder_page = founder.new_page()
    founder_page.goto(link)
    founder_page.get_by_role("button", name="Start").click()
    answer_product(founder_page)
    next_step(founder_page)
    expect(founder_page).to_have_url(re.compile(r"/step/knowledge/$"))
    founder.close()
    # ...and the consultant sees it.
    page.reload()
    expect(page.get_by_test_id("intake-state")).to_have_text("In progress")
    expect(page.get_by_test_id("intake-progress")).to_have_text("1 of 5 steps")
    page.get_by_test_id("intake-panel").scroll_into_view_if_needed()
    snap(page, "panel-in-progress")
    page.set_viewport_size(PHONE)
    page.get_by_test_id("intake-panel").scroll_into_view_if_needed()
    snap(page, "panel-in-progress-phone")
    page.set_viewport_size({"width": 1280, "height": 720})

    # Revoke with HTMX (confirming the dialog), then the founder's link answers 410.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("intake-panel").get_by_role("button", name="Revoke").click()
    expect(page.get_by_test_id("intake-state")).to_have_text("Revoked")
    response = page.goto(link)
    assert response.status == 410
    expect(page.get_by_role("heading", name="This link was withdrawn")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Cora Consultant")


def test_a_founder_answers_over_two_sittings_on_two_devices_and_submits(
    live_server, browser, firm, member
):
    lead = member(firm, Role.CONSULTANT, email="lena@acme.example", full_name="Lena Lead")
    firm.display_name = "Acme Advisory"
    firm.accent_colour = "#0f766e"
    firm.save()
    engagement = EngagementFactory(client__firm=firm, client__name="Tidal Labs", lead=lead)
    link = IntakeLinkFactory(engagement=engagement, token=TOKEN)
    url = f"{live_server.url}/intake/{TOKEN}/"

    # First sitting, on a laptop.
    laptop = browser.new_context(viewport={"width": 1280, "height": 900})
    page = laptop.new_page()
    page.goto(url)
    expect(page.get_by_role("heading", name="Tell us about your AI product")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Lena Lead at Acme Advisory")
    snap(page, "landing")
    page.get_by_role("button", name="Start").click()
    expect(page).to_have_url(re.compile(r"/step/product/$"))
    expect(page.get_by_text("Step 1 of 5")).to_be_visible()
    snap(page, "step-product-empty")
    answer_product(page)
    next_step(page)

    expect(page).to_have_url(re.compile(r"/step/knowledge/$"))
    answer_knowledge(page)
    # The corpus questions appear only after "Yes" (CSS, no script).
    corpus = page.get_by_label("Roughly how much of it is there?")
    expect(corpus).to_be_hidden()
    choose(page, "Do the answers draw on your own documents or data?", "Yes")
    expect(corpus).to_be_visible()
    corpus.fill("1200")
    page.get_by_label("Unit").select_option("pages")
    page.get_by_label("How many times a month does it change?").fill("4")
    page.get_by_label("When it changes, how much of it changes?").fill("5")
    # Autosave (HTMX, 0.8 s after typing stops) stores it and says so; no Next pressed.
    draft = wait_for_draft(page, link, lambda d: d.answers.get("corpus_changed_fraction") == "5")
    assert draft.step == "knowledge"
    expect(page.locator("#save-status")).to_have_text(re.compile("Saved"), timeout=10_000)
    snap(page, "step-knowledge-autosaved")
    laptop.close()

    # Second sitting, on a phone: a new browser, the same link, resumed where they were.
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.goto(url)
    expect(page.get_by_role("main")).to_contain_text("2 of 5 steps done")
    snap(page, "landing-phone-resume")
    page.get_by_role("button", name="Continue where you left off").click()
    expect(page).to_have_url(re.compile(r"/step/knowledge/$"))
    expect(page.get_by_label("Roughly how much of it is there?")).to_have_value("1200")
    expect(
        page.get_by_role("group", name="How often do the facts").get_by_role(
            "radio", name=re.compile(r"^Every week")
        )
    ).to_be_checked()
    snap(page, "step-knowledge-phone")
    next_step(page)

    expect(page).to_have_url(re.compile(r"/step/answers/$"))
    answer_answers(page)
    expect(page.get_by_label("What is the longest an answer may take?")).to_be_hidden()
    snap(page, "step-answers-phone")
    next_step(page)

    # Usage: the token estimator counts a pasted prompt and fills the field in place.
    expect(page).to_have_url(re.compile(r"/step/usage/$"))
    page.get_by_label("How many questions does the product answer in a month?").fill("20,000")
    page.get_by_label("How fast do you expect that to grow?").fill("2.5")
    page.get_by_label("A typical full request").fill("Hello, world!")
    page.get_by_label("A typical answer", exact=True).fill(
        "The quick brown fox jumps over the lazy dog."
    )
    page.get_by_role("button", name="Count tokens").click()
    expect(page.locator("#estimator")).to_contain_text("filled in below")
    expect(page.get_by_label("How long is a typical request to the model?")).to_have_value("4")
    expect(page.get_by_label("How long is a typical answer?")).to_have_value("10")
    page.get_by_label("How much of that request is worked examples?").fill("0")
    page.get_by_label("How many checked example questions").fill("0")
    page.locator("#q-tokens_per_example").get_by_label(re.compile("I don't know")).check()
    snap(page, "step-usage-phone")
    next_step(page)

    expect(page).to_have_url(re.compile(r"/step/team/$"))
    answer_team(page)
    next_step(page)

    # Review, in the founder's words, then send.
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("1,200 pages (about 600,000 tokens)")
    expect(page.get_by_role("main")).not_to_contain_text("corpus_tokens")
    snap(page, "review-phone")
    page.get_by_role("button", name="Send my answers to Acme Advisory").click()
    expect(page.get_by_role("heading", name=re.compile("Thank you"))).to_be_visible()
    snap(page, "thanks-phone")

    with firm_scope(firm):
        version = ProfileVersion.objects.get(engagement=engagement)
    assert version.source == "founder"
    assert version.profile["name"] == "Helpdesk Copilot"
    assert version.profile["stage"] == "mvp"
    assert version.profile["corpus_tokens"] == 600_000
    assert version.profile["corpus_changed_fraction"] == 0.05
    assert version.profile["queries_per_month"] == 20_000
    assert version.profile["input_tokens"] == 4 and version.profile["output_tokens"] == 10
    assert version.profile["latency_p95_budget_ms"] is None
    assert version.unknown_fields == ["hosting", "tokens_per_example"]

    # The same link later says thank you and how to change answers.
    page.goto(url)
    expect(page.get_by_role("heading", name=re.compile("already in"))).to_be_visible()
    phone.close()


def test_a_validation_error_keeps_everything_typed(live_server, browser, firm):
    engagement = EngagementFactory(client__firm=firm, client__name="Tidal Labs")
    IntakeLinkFactory(engagement=engagement, token=TOKEN)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/intake/{TOKEN}/")
    page.get_by_role("button", name="Start").click()
    page.goto(f"{live_server.url}/intake/{TOKEN}/step/usage/")

    page.get_by_label("How many questions does the product answer in a month?").fill("-5")
    page.get_by_label("How fast do you expect that to grow?").fill("12.5")
    page.get_by_label("How long is a typical request to the model?").fill("900")
    page.get_by_label("How much of that request is worked examples?").fill("1200")
    page.get_by_label("A typical full request").fill("Pasted prompt stays here.")
    next_step(page)

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("can't be negative")
    expect(summary).to_contain_text("can't be more than the whole request (900 tokens)")
    months = page.get_by_label("How many questions does the product answer in a month?")
    expect(months).to_have_value("-5")
    expect(months).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("How fast do you expect that to grow?")).to_have_value("12.5")
    expect(page.get_by_label("How long is a typical request to the model?")).to_have_value("900")
    expect(page.get_by_label("How much of that request is worked examples?")).to_have_value("1200")
    expect(page.get_by_label("A typical full request")).to_have_value("Pasted prompt stays here.")
    snap(page, "error-kept")

    # The summary's link takes the keyboard to the field.
    summary.get_by_role("link", name=re.compile("How many questions")).click()
    expect(months).to_be_focused()
    months.fill("15000")
    page.get_by_label("How much of that request is worked examples?").fill("100")
    next_step(page)
    # Still on usage: the other questions of the step are not answered yet — but nothing lost.
    expect(page.locator(".error-summary")).not_to_contain_text("can't be negative")
    expect(months).to_have_value("15000")

    page.set_viewport_size(PHONE)
    snap(page, "error-kept-phone")
    context.close()


def test_closed_links_look_calm_on_a_phone(live_server, browser, firm):
    from datetime import timedelta

    from django.utils import timezone

    engagement = EngagementFactory(client__firm=firm)
    IntakeLinkFactory(
        engagement=engagement, token=TOKEN, expires_at=timezone.now() - timedelta(days=2)
    )
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    response = page.goto(f"{live_server.url}/intake/{TOKEN}/")
    assert response.status == 410
    expect(page.get_by_role("heading", name="This link has expired")).to_be_visible()
    snap(page, "expired-phone")
    response = page.goto(f"{live_server.url}/intake/not-a-real-token/")
    assert response.status == 404
    expect(page.get_by_role("main")).not_to_contain_text("Acme")
    snap(page, "unknown-phone")
    context.close()


def test_a_step_can_be_answered_with_the_keyboard_alone(live_server, browser, firm):
    engagement = EngagementFactory(client__firm=firm)
    IntakeLinkFactory(engagement=engagement, token=TOKEN)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/intake/{TOKEN}/")
    page.get_by_role("button", name="Start").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/step/product/$"))

    page.get_by_label("What is the product called?").focus()
    page.keyboard.type("Keyboard Copilot")
    page.keyboard.press("Tab")  # the description
    page.keyboard.press("Tab")  # into the stage radio group
    stage = page.get_by_role("group", name="How far along is it?")
    expect(stage.get_by_role("radio", name=re.compile(r"^An idea"))).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(stage.get_by_role("radio", name=re.compile(r"^A prototype"))).to_be_checked()
    page.keyboard.press("Tab")  # the next group
    page.keyboard.press("ArrowDown")
    known = page.get_by_role("group", name=re.compile("Do you know what your users"))
    expect(known.get_by_role("radio", name=re.compile(r"^Not yet"))).to_be_checked()
    expect(known.get_by_role("radio", name=re.compile(r"^Not yet"))).to_be_focused()
    snap(page, "keyboard-focus")

    # Enter in a text field submits with Next (the first button in the form), not Back.
    page.get_by_label("What is the product called?").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/step/knowledge/$"))
    context.close()


def test_the_wizard_works_without_javascript(live_server, browser, firm):
    engagement = EngagementFactory(client__firm=firm)
    link = IntakeLinkFactory(engagement=engagement, token=TOKEN)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/intake/{TOKEN}/")
    page.get_by_role("button", name="Start").click()
    answer_product(page)
    next_step(page)
    expect(page).to_have_url(re.compile(r"/step/knowledge/$"))
    # The gate still reveals its follow-ups (CSS :has, no script).
    choose(page, "Do the answers draw on your own documents or data?", "Yes")
    expect(page.get_by_label("Roughly how much of it is there?")).to_be_visible()

    page.goto(f"{live_server.url}/intake/{TOKEN}/step/usage/")
    page.get_by_label("A typical full request").fill("Hello, world!")
    page.get_by_role("button", name="Count tokens").click()  # a full-page round trip
    expect(page.get_by_label("How long is a typical request to the model?")).to_have_value("4")
    expect(page.get_by_label("A typical full request")).to_have_value("Hello, world!")
    page.get_by_role("button", name="Back").click()
    expect(page).to_have_url(re.compile(r"/step/answers/$"))
    with firm_scope(firm):
        draft = IntakeDraft.objects.get(link=link)
    assert draft.answers["name"] == "Helpdesk Copilot"
    assert draft.answers["input_tokens"] == "4"
    context.close()


def test_leaving_right_after_typing_still_saves(live_server, browser, firm):
    engagement = EngagementFactory(client__firm=firm)
    link = IntakeLinkFactory(engagement=engagement, token=TOKEN)
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/intake/{TOKEN}/")
    page.get_by_role("button", name="Start").click()
    page.get_by_label("What is the product called?").fill("Left in a hurry")
    # Well inside the 0.8 s autosave delay: the beacon sent on pagehide carries it.
    page.goto("about:blank")
    draft = wait_for_draft(page, link, lambda d: d.answers.get("name") == "Left in a hurry")
    assert draft.step == "product"
    context.close()
