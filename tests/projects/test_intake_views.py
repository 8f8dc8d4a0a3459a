"""The founder's pages through the full URL stack: landing, binding, the wizard, autosave,
the token estimator, review and submit. Unknown, closed and replayed links, guessing and rate
limits: tests/reliability/test_link_abuse.py."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from projects.models import IntakeDraft, IntakeLink, ProfileVersion, Role
from projects.tenancy.scope import firm_scope
from projects.tokenizer import count_tokens
from projects.views.intake import SESSION_GRANTS
from tests.factories import EngagementFactory, IntakeLinkFactory
from tests.projects.test_intake_wizard import EXPECTED_PROFILE, EXPECTED_UNKNOWN, STEP_DATA

pytestmark = pytest.mark.django_db
TOKEN = "founder-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
OTHER_TOKEN = "founder-token-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Rate-limit counters live in the cache, per IP: every test starts with a clean slate.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def lead(firm, member):
    return member(firm, Role.CONSULTANT, email="lena@acme.example", full_name="Lena Lead")


@pytest.fixture
def link(firm, lead):
    engagement = EngagementFactory(client__firm=firm, client__name="Tidal Labs", lead=lead)
    return IntakeLinkFactory(engagement=engagement, token=TOKEN)


def url(name: str, token: str = TOKEN, **kwargs: str) -> str:
    return reverse(f"intake:{name}", kwargs={"token": token, **kwargs})


def step_url(step: str, token: str = TOKEN) -> str:
    return url("step", token, step=step)


def start(client: Client, token: str = TOKEN):
    response = client.post(url("landing", token))
    assert response.status_code == 302, response.content[:300]
    return response


def draft_of(link: IntakeLink) -> IntakeDraft:
    with firm_scope(link.firm_id):
        return IntakeDraft.objects.get(link=link, submitted_at__isnull=True)


def fill_every_step(client: Client, token: str = TOKEN) -> None:
    for slug, data in STEP_DATA.items():
        response = client.post(step_url(slug, token), {**data, "action": "next"})
        assert response.status_code == 302, (slug, response.content[:2000])


# --- Landing ------------------------------------------------------------------------------------


def test_the_landing_page_is_branded_and_consumes_nothing(client, link):
    response = client.get(url("landing"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Acme Advisory" in html and "Tidal Labs" in html and "Lena Lead" in html
    assert "lena@acme.example" in html
    assert ">Start<" in html or "Start<span" in html
    assert "About 15 minutes" in html
    assert 'class="sidebar"' not in html and "Dashboard" not in html  # no app navigation
    assert "--accent: #4f46e5" in html
    with firm_scope(link.firm):
        link.refresh_from_db()
        assert not IntakeDraft.objects.filter(link=link).exists()
    assert link.started_at is None and link.last_opened_at is None
    assert SESSION_GRANTS not in client.session


def test_a_closed_link_without_a_lead_names_the_sender_or_the_firm(client, firm, member):
    sender = member(firm, email="sam@acme.example", full_name="Sam Sender")
    engagement = EngagementFactory(client__firm=firm, lead=None)
    IntakeLinkFactory(
        engagement=engagement, token=TOKEN, created_by=sender, revoked_at=timezone.now()
    )
    assert "Sam Sender" in client.get(url("landing")).content.decode()
    IntakeLinkFactory(
        engagement=engagement, token=OTHER_TOKEN, expires_at=timezone.now() - timedelta(1)
    )
    html = client.get(url("landing", OTHER_TOKEN)).content.decode()
    assert "Ask Acme Advisory for a new link" in html


# --- Binding ------------------------------------------------------------------------------------


def test_starting_binds_the_session_with_a_new_key(client, link):
    session = client.session
    session["probe"] = "planted"
    session.save()
    planted = session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = planted
    response = start(client)
    assert response["Location"] == step_url("product")
    bound = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert bound and bound != planted
    draft = draft_of(link)
    assert client.session[SESSION_GRANTS] == {str(link.pk): draft.pk}
    with firm_scope(link.firm):
        link.refresh_from_db()
    assert link.started_at is not None
    # Starting again (a second tab) changes the key again and keeps the same draft.
    start(client)
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != bound
    assert client.session[SESSION_GRANTS] == {str(link.pk): draft.pk}


def test_the_wizard_needs_a_started_session(client, link):
    response = client.get(step_url("product"))
    assert response.status_code == 302 and response["Location"] == url("landing")
    htmx = client.post(url("autosave", step="product"), {"name": "x"}, **HTMX)
    assert htmx.status_code == 204 and htmx["HX-Redirect"] == url("landing")
    assert client.post(url("submit")).status_code == 302
    with firm_scope(link.firm):
        assert not IntakeDraft.objects.filter(link=link).exists()


def test_a_grant_for_one_link_does_not_open_another(client, link, firm):
    other = IntakeLinkFactory(engagement=EngagementFactory(client__firm=firm), token=OTHER_TOKEN)
    start(client)
    client.post(step_url("product"), {**STEP_DATA["product"], "action": "next"})
    mine = draft_of(link)
    # Link B's pages do not open with link A's grant...
    response = client.get(step_url("product", OTHER_TOKEN))
    assert response.status_code == 302 and response["Location"] == url("landing", OTHER_TOKEN)
    # ...not even with a forged grant that points B at A's draft.
    session = client.session
    session[SESSION_GRANTS] = {str(other.pk): mine.pk}
    session.save()
    response = client.post(url("autosave", OTHER_TOKEN, step="product"), {"name": "Hijack"})
    assert response.status_code == 302 and response["Location"] == url("landing", OTHER_TOKEN)
    assert draft_of(link).answers["name"] == "Helpdesk Copilot"
    assert "Helpdesk Copilot" not in client.get(url("landing", OTHER_TOKEN)).content.decode()


def test_another_device_resumes_the_same_draft_where_the_founder_was(client, link):
    start(client)
    client.post(step_url("product"), {**STEP_DATA["product"], "action": "next"})
    client.post(url("autosave", step="knowledge"), {"knowledge_change": "daily"}, **HTMX)

    phone = Client()
    landing = phone.get(url("landing")).content.decode()
    assert "Continue where you left off" in landing and "1 of 5 steps done" in landing
    response = start(phone)
    assert response["Location"] == step_url("knowledge")
    page = phone.get(step_url("knowledge")).content.decode()
    assert re.search(r'value="daily"\s+checked', page)
    assert phone.session[SESSION_GRANTS] == client.session[SESSION_GRANTS]


# --- The wizard ---------------------------------------------------------------------------------


def test_a_step_page_is_accessible_and_speaks_founder(client, link):
    start(client)
    html = client.get(step_url("knowledge")).content.decode()
    assert "Step 2 of 5" in html and 'aria-current="step"' in html
    assert "<legend" in html and "<fieldset" in html
    assert "How often do the facts behind the answers change?" in html
    assert "I don&#x27;t know" in html or "I don't know" in html
    # Field names live in name= attributes only, never in the text a founder reads.
    text = re.sub(r"<[^>]+>", " ", html)
    for internal in ("knowledge_change", "corpus_tokens", "citations_required"):
        assert internal not in text


def test_next_saves_and_moves_on(client, link):
    start(client)
    response = client.post(step_url("product"), {**STEP_DATA["product"], "action": "next"})
    assert response.status_code == 302 and response["Location"] == step_url("knowledge")
    draft = draft_of(link)
    assert draft.answers["name"] == "Helpdesk Copilot" and draft.step == "knowledge"


def test_next_with_errors_shows_them_per_field_and_keeps_everything_typed(client, link):
    start(client)
    data = {**STEP_DATA["usage"], "queries_per_month": "-5", "monthly_growth_pct": "lots"}
    response = client.post(step_url("usage"), {**data, "action": "next"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html and "2 answers need" in html
    assert 'href="#f-queries_per_month"' in html
    assert 'id="f-queries_per_month-error"' in html and "can&#x27;t be negative" in html
    assert 'value="-5"' in html and 'value="lots"' in html and 'value="800"' in html
    assert 'aria-invalid="true"' in html
    draft = draft_of(link)
    assert draft.answers["queries_per_month"] == "-5" and draft.step == "usage"
    # Coming back later, the stored invalid answer is still flagged.
    again = client.get(step_url("usage")).content.decode()
    assert "can&#x27;t be negative" in again and 'value="-5"' in again


def test_back_and_jumping_save_without_validating(client, link):
    start(client)
    response = client.post(step_url("knowledge"), {"knowledge_change": "weekly", "action": "back"})
    assert response["Location"] == step_url("product")
    response = client.post(
        step_url("product"), {"name": "", "stage": "idea", "goto": "team", "action": ""}
    )
    assert response["Location"] == step_url("team")
    draft = draft_of(link)
    assert draft.answers == {"knowledge_change": "weekly", "stage": "idea"}
    assert draft.step == "team"


def test_autosave_stores_raw_text_and_returns_a_fragment(client, link):
    start(client)
    response = client.post(
        url("autosave", step="usage"), {"queries_per_month": "12,5x", "output_tokens": ""}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "Saved" in html
    assert "HX-Request" in response["Vary"]
    assert draft_of(link).answers["queries_per_month"] == "12,5x"
    # Without htmx (a browser without JavaScript never calls it, but still): back to the step.
    plain = client.post(url("autosave", step="usage"), {"queries_per_month": "7"})
    assert plain.status_code == 302 and plain["Location"] == step_url("usage")
    assert client.get(url("autosave", step="usage")).status_code == 405


def test_an_unknown_step_is_404(client, link):
    start(client)
    assert client.get(step_url("nope")).status_code == 404


def test_count_tokens_with_htmx_fills_the_fields_in_place(client, link):
    start(client)
    prompt = "You are a helpful support agent. Answer the question using the policy below."
    answer = "Refunds are possible within 30 days."
    data = {**STEP_DATA["usage"], "sample_prompt": prompt, "sample_answer": answer}
    response = client.post(step_url("usage"), {**data, "action": "count"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="estimator"' in html
    assert f"request <strong>{count_tokens(prompt)}</strong>" in html
    assert 'id="q-input_tokens" hx-swap-oob="true"' in html
    assert f'value="{count_tokens(prompt)}"' in html and f'value="{count_tokens(answer)}"' in html
    assert 'id="q-few_shot_tokens"' not in html  # nothing pasted for it: left alone
    draft = draft_of(link)
    assert draft.answers["input_tokens"] == str(count_tokens(prompt))
    assert draft.answers["output_tokens"] == str(count_tokens(answer))
    assert draft.answers["few_shot_tokens"] == "200"
    assert "sample_prompt" not in draft.answers  # pasted text is counted, never stored


def test_count_tokens_without_javascript_rerenders_the_step(client, link):
    start(client)
    prompt = "Hello, world!"
    data = {
        **STEP_DATA["usage"],
        "sample_prompt": prompt,
        "input_tokens__unknown": "1",
        "action": "count",
    }
    response = client.post(step_url("usage"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert ">Hello, world!</textarea>" in html  # the sample stays in the box
    assert 'name="input_tokens" value="4"' in html
    assert "input_tokens" not in draft_of(link).unknown  # counting answers the question


def test_review_reads_back_every_answer_and_submit_makes_the_version(client, link):
    start(client)
    fill_every_step(client)
    assert draft_of(link).step == "review"
    review = client.get(url("review"))
    assert review.status_code == 200
    html = review.content.decode()
    assert "Check your answers" in html and "Live with first users" in html
    assert "1,200 pages (about 600,000 tokens)" in html
    assert html.count(">Edit<") == 5
    assert 'class="error-summary"' not in html
    text = re.sub(r"<[^>]+>", " ", html)
    for internal in ("queries_per_month", "tokens_per_example", "hosted_api", "retrieved_tokens"):
        assert internal not in text

    response = client.post(url("submit"))
    assert response.status_code == 302 and response["Location"] == url("thanks")
    with firm_scope(link.firm):
        version = ProfileVersion.objects.get(engagement_id=link.engagement_id)
    assert version.profile == EXPECTED_PROFILE
    assert version.unknown_fields == EXPECTED_UNKNOWN
    assert version.source == "founder" and version.intake_link_id == link.pk
    thanks = client.get(url("thanks")).content.decode()
    assert "Thank you — your answers are with Acme Advisory" in thanks


def test_submitting_incomplete_answers_lists_them_by_step_and_stores_nothing(client, link):
    start(client)
    client.post(step_url("product"), {**STEP_DATA["product"], "action": "next"})
    review = client.get(url("review")).content.decode()
    assert "Some answers need a look" in review
    assert f"{step_url('knowledge')}?check=1#q-knowledge_change" in review
    response = client.post(url("submit"))
    assert response.status_code == 400
    assert "Knowledge: How often do the facts" in response.content.decode()
    with firm_scope(link.firm):
        assert not ProfileVersion.objects.exists()
    assert draft_of(link).answers["name"] == "Helpdesk Copilot"
    # Sent back to the step from the review, the missing answers are flagged there.
    page = client.get(step_url("knowledge") + "?check=1").content.decode()
    assert "Choose an answer, or “I don&#x27;t know”." in page or "Choose an answer" in page


def test_thanks_before_submitting_goes_back_to_the_landing_page(client, link):
    response = client.get(url("thanks"))
    assert response.status_code == 302 and response["Location"] == url("landing")
