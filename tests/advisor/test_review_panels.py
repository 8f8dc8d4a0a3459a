"""The review page's fragments and what it keeps: the side panels it loads over HTMX (each a
page of its own without JavaScript, each another firm's 404), the reviewer picker, the firm
switcher, forms that failed shown in place, and the report's HTML kept under a digest of what
it is drawn from — never stale when any of that changes."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from advisor.models import EvidenceEntry, NarrativeDraft, Reassessment, Scenario
from advisor.selectors.review import review_basis, review_recommendation, whatif_recommendation
from advisor.services.library import evidence_change, evidence_retire, library_seed
from advisor.services.recommendations import (
    current_recommendation,
    override_add,
    override_withdraw,
    recommendation_approve,
    recommendation_deliver,
)
from projects.models import Role
from projects.tenancy.scope import firm_scope
from tests.advisor.review_helpers import SUPPORT_BOT, url
from tests.factories import (
    ClientFactory,
    ContactFactory,
    EngagementFactory,
    IntakeLinkFactory,
    MembershipFactory,
    profile_version,
)

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def foreign(other_firm):  # type: ignore[no-untyped-def]
    """Another firm's engagement, with a delivered revision and a share link."""
    engagement = EngagementFactory(client=ClientFactory(firm=other_firm), title="Rival work")
    profile_version(engagement, SUPPORT_BOT)
    owner = MembershipFactory(firm=other_firm, role=Role.OWNER).user
    with firm_scope(other_firm):
        recommendation = current_recommendation(firm=other_firm, engagement=engagement)
        recommendation_approve(firm=other_firm, recommendation=recommendation, user=owner)
        recommendation_deliver(
            firm=other_firm, recommendation=recommendation, user=owner, email="x@rival.example"
        )
    return engagement, recommendation


def test_the_page_holds_a_place_for_each_side_panel_and_reads_none_of_them(
    firm, owner_client, draft
):
    page = url("review", firm, engagement_id=draft.engagement_id)
    with CaptureQueriesContext(connection) as captured:
        html = owner_client.get(page).content.decode()
    for name in ("review-revisions", "review-activity"):
        target = url(name, firm, engagement_id=draft.engagement_id)
        # Loaded as the page comes in; a plain link for a browser without JavaScript.
        assert f'hx-get="{target}" hx-trigger="load"' in html
        assert f'<a href="{target}">' in html
    picker = url("review-request-form", firm, recommendation_id=draft.pk)
    assert f'hx-get="{picker}" hx-trigger="toggle once from:closest details"' in html
    switcher = url("firm-switcher", firm)
    assert f'hx-get="{switcher}" hx-trigger="toggle once from:closest details"' in html
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    for table in ("advisor_revision", "advisor_sharelink", "advisor_auditevent"):
        assert f'FROM "{table}"' not in sql, table
    assert 'id="id_reviewer"' not in html  # the firm's consultants are read when asked for


def test_the_revisions_panel(firm, owner, owner_client, member, client_for, draft, foreign):
    with firm_scope(firm):
        recommendation_approve(firm=firm, recommendation=draft, user=owner)
        recommendation_deliver(
            firm=firm, recommendation=draft, user=owner, email="maya@brightdesk.example"
        )
    panel = url("review-revisions", firm, engagement_id=draft.engagement_id)
    fragment = owner_client.get(panel, **HTMX)
    html = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<section class="card" id="revisions">')
    assert "Revision 1" in html and "sent to maya@brightdesk.example" in html
    assert "Revoke" in html and "csrfmiddlewaretoken" in html
    assert "HX-Request" in fragment["Vary"]
    # A viewer reads it, without the consultant's actions.
    viewer = client_for(member(firm, Role.VIEWER)).get(panel, **HTMX).content.decode()
    assert "Revision 1" in viewer and "Revoke" not in viewer
    # Without HTMX, a page of its own with a way back.
    page = owner_client.get(panel)
    body = page.content.decode()
    assert page.status_code == 200 and "<html" in body and "Revision 1" in body
    assert url("review", firm, engagement_id=draft.engagement_id) in body
    # Another firm's engagement answers as a missing one, and leaks nothing.
    theirs = url("review-revisions", firm, engagement_id=foreign[0].pk)
    for headers in (HTMX, {}):
        missing = owner_client.get(theirs, **headers)
        assert missing.status_code == 404 and b"x@rival.example" not in missing.content
    assert owner_client.post(panel, **HTMX).status_code == 405


def test_the_activity_panel(firm, owner_client, draft, foreign):
    panel = url("review-activity", firm, engagement_id=draft.engagement_id)
    fragment = owner_client.get(panel, **HTMX)
    html = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in html
    assert 'id="activity"' in html and "Draft from profile v1" in html
    # Without HTMX: the engagement's activity log, which has every event.
    plain = owner_client.get(panel)
    assert plain.status_code == 302
    assert plain["Location"] == f"{url('activity', firm)}?engagement={draft.engagement_id}"
    theirs = url("review-activity", firm, engagement_id=foreign[0].pk)
    for headers in (HTMX, {}):
        assert owner_client.get(theirs, **headers).status_code == 404


def test_the_reviewer_picker(firm, owner, member, client_for, draft, foreign):
    consultant = member(firm, Role.CONSULTANT, full_name="Cara Consultant")
    member(firm, Role.VIEWER, full_name="Vic Viewer")
    lead = client_for(consultant)
    picker = url("review-request-form", firm, recommendation_id=draft.pk)
    fragment = lead.get(picker, **HTMX)
    html = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in html
    assert f'action="{url("review-request", firm, recommendation_id=draft.pk)}"' in html
    options = dict(re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', html))
    assert set(options.values()) == {"---------", "Olga Owner"}  # not oneself, not a viewer
    page = lead.get(picker)  # without HTMX: the form on a page of its own
    assert page.status_code == 200 and "<html" in page.content.decode()
    assert b"Olga Owner" in page.content
    viewer = client_for(member(firm, Role.VIEWER))
    assert viewer.get(picker, **HTMX).status_code == 403
    theirs = url("review-request-form", firm, recommendation_id=foreign[1].pk)
    assert lead.get(theirs, **HTMX).status_code == 404


def test_the_firm_switcher_lists_the_users_firms_when_it_opens(
    firm, other_firm, member, client_for
):
    user = member(firm, Role.CONSULTANT)
    MembershipFactory(firm=other_firm, user=user, role=Role.VIEWER)
    client = client_for(user)
    switcher = url("firm-switcher", firm)
    desktop = client.get(switcher, **HTMX).content.decode()
    assert "Acme Advisory" in desktop and "Rival Partners" in desktop
    assert desktop.count('aria-current="true"') == 1
    mobile = client.get(switcher, {"menu": "mobile"}, **HTMX).content.decode()
    assert "Switch to Rival Partners" in mobile and "Switch to Acme" not in mobile
    assert client.get(switcher)["Location"] == "/"  # without HTMX: the list of your firms
    outsider = client_for(member(other_firm, Role.OWNER))
    assert outsider.get(switcher, **HTMX).status_code == 404


def test_a_form_that_failed_shows_its_errors_in_place(firm, owner, owner_client, draft):
    # Asking oneself to review: the page again, the menu open on the form and its error.
    refused = owner_client.post(
        url("review-request", firm, recommendation_id=draft.pk), {"reviewer": owner.pk}
    )
    html = refused.content.decode()
    assert refused.status_code == 400
    menu = re.search(
        r'<details class="menu" open>\s*<summary class="btn">Request review.*?</details>',
        html,
        re.S,
    )
    assert menu and 'id="id_reviewer"' in menu.group(0) and 'class="error-summary"' in menu.group(0)
    assert 'aria-invalid="true"' in menu.group(0)
    # An override without a real justification: the override box open, the field marked.
    refused = owner_client.post(
        url("override-new", firm, recommendation_id=draft.pk),
        {"kind": "verdict", "value": "hybrid", "justification": "too short"},
    )
    box = re.search(
        r'<details class="override-box" open>.*?</details>', refused.content.decode(), re.S
    )
    assert refused.status_code == 400 and box
    assert "at least 15 characters" in box.group(0) and "too short" in box.group(0)
    # Delivering with a link valid for no days, once approved.
    with firm_scope(firm):
        recommendation_approve(firm=firm, recommendation=draft, user=owner)
    refused = owner_client.post(url("deliver", firm, recommendation_id=draft.pk), {"days": "0"})
    menu = re.search(
        r'<details class="menu" open>\s*<summary class="btn btn-primary">Deliver.*?</details>',
        refused.content.decode(),
        re.S,
    )
    assert refused.status_code == 400 and menu and 'name="days"' in menu.group(0)
    assert 'class="errorlist"' in menu.group(0)


def _page(client, firm, draft) -> str:
    return client.get(url("review", firm, engagement_id=draft.engagement_id)).content.decode()


def test_a_second_view_draws_the_report_from_what_it_kept(firm, owner_client, draft):
    page = url("review", firm, engagement_id=draft.engagement_id)
    first = owner_client.get(page)
    with CaptureQueriesContext(connection) as captured:
        second = owner_client.get(page)
    assert "c" in first.context  # the first view drew the report from its content
    assert second.content.decode().count('id="report-') == first.content.decode().count(
        'id="report-'
    )
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert 'FROM "advisor_evidenceentry"' not in sql  # kept: no evidence read again


def test_the_kept_report_is_never_stale(firm, owner, owner_client, engagement, draft):
    with firm_scope(firm):
        library_seed(firm=firm)
    html = _page(owner_client, firm, draft)
    cited = re.search(r'<li class="source" id="ev-([a-z0-9-]+)"', html).group(1)
    evidence_id = cited.upper()

    # Overrides: the verdict card says what stands, and stops saying it when withdrawn.
    with firm_scope(firm):
        override = override_add(
            firm=firm, recommendation=draft, kind="verdict", value="hybrid",
            justification="Their tone of voice is contractual.", user=owner,
        )  # fmt: skip
    verdict = re.search(r'id="report-verdict".*?</section>', _page(owner_client, firm, draft), re.S)
    assert "Their tone of voice is contractual." in verdict.group(0)
    with firm_scope(firm):
        override_withdraw(firm=firm, recommendation=draft, override_id=override.pk, user=owner)
    verdict = re.search(r'id="report-verdict".*?</section>', _page(owner_client, firm, draft), re.S)
    assert "Their tone of voice" not in verdict.group(0)

    # The evidence library: an edited source, then a retired one.
    with firm_scope(firm):
        entry = EvidenceEntry.objects.filter(evidence_id=evidence_id).order_by("-version")[0]
        evidence_change(
            firm=firm, entry=entry, title="A title edited in the library", claim=entry.claim,
            source=entry.source, url=entry.url, date=entry.date, figures=entry.figures,
            user=owner,
        )  # fmt: skip
    assert "A title edited in the library" in _page(owner_client, firm, draft)

    # Another retired source leaves the sources.
    with firm_scope(firm):
        entry = EvidenceEntry.objects.filter(evidence_id=evidence_id).order_by("-version")[0]
        evidence_retire(firm=firm, entry=entry, user=owner)
    sources = _page(owner_client, firm, draft).split('id="report-sources"')[1]
    assert "A title edited in the library" not in sources

    # What the content holds but this page shows elsewhere: each change draws the report again.
    page = url("review", firm, engagement_id=draft.engagement_id)
    assert "c" not in owner_client.get(page).context  # nothing changed: kept
    with firm_scope(firm):
        engagement.title = "Renamed engagement"
        engagement.save()
    assert "c" in owner_client.get(page).context
    with firm_scope(firm):
        engagement.client.name = "Brightdesk Ltd"
        engagement.client.save()
    assert owner_client.get(page).context["c"]["client"]["name"] == "Brightdesk Ltd"
    firm.display_name = "Acme, the advisers"
    firm.save()
    assert owner_client.get(page).context["c"]["firm"]["brand_name"] == "Acme, the advisers"
    assert "c" not in owner_client.get(page).context


def test_what_the_page_reads_of_other_rows_agrees_with_their_readers(
    firm, other_firm, owner, engagement, draft
):
    def facts():  # type: ignore[no-untyped-def]
        with firm_scope(firm):
            return review_recommendation(firm=firm, engagement_id=engagement.pk)

    first = facts()
    assert first.pk == draft.pk and first.engagement.client.name == "Brightdesk"
    assert (first.has_overrides, first.scenario_count, first.founder_email) == (False, 0, "")
    assert first.shown_narrative_draft_id is None  # a template draft: nothing of it shown
    with firm_scope(firm):
        basis = review_basis(firm=firm, recommendation=first)
    assert basis.price_book_key == draft.price_book.key
    assert basis.profile_version_number == draft.profile_version.number
    # The founder: the client's primary contact, then the last intake link sent.
    ContactFactory(client=engagement.client, email="zed@brightdesk.example", name="Zed")
    ContactFactory(
        client=engagement.client, email="amy@brightdesk.example", name="Amy", is_primary=True
    )
    assert facts().founder_email == "amy@brightdesk.example"
    IntakeLinkFactory(engagement=engagement, sent_to="")
    assert facts().founder_email == "amy@brightdesk.example"  # a link sent to no one
    IntakeLinkFactory(engagement=engagement, sent_to="maya@brightdesk.example")
    assert facts().founder_email == "maya@brightdesk.example"
    # Overrides in force, scenarios, the latest change with a previous draft.
    with firm_scope(firm):
        override_add(
            firm=firm, recommendation=draft, kind="verdict", value="hybrid",
            justification="Their tone of voice is contractual.", user=owner,
        )  # fmt: skip
        Scenario.objects.create(
            firm=firm, recommendation=draft, name="x", changes={}, assessment=draft.assessment
        )
    second = facts()
    assert (second.has_overrides, second.scenario_count) == (True, 1)
    # The what-if's read of the draft says the same of its overrides, and knows only its firm.
    with firm_scope(firm):
        live = whatif_recommendation(firm=firm, pk=draft.pk)
    assert live.has_overrides is True and live.engagement_id == engagement.pk
    with firm_scope(other_firm):
        assert whatif_recommendation(firm=other_firm, pk=draft.pk) is None
    profile_version(engagement, {**SUPPORT_BOT, "stage": "prototype"}, source="consultant")
    third = facts()
    with firm_scope(firm):
        latest = Reassessment.objects.filter(engagement=engagement).order_by("-created_at")[0]
        assert latest.previous_id == draft.pk and third.shown_change_id == latest.pk
        current = current_recommendation(firm=firm, engagement=engagement)
        assert third.pk == current.pk
        # A draft the narrative panel shows something of: an LLM's, with its model.
        llm = NarrativeDraft.objects.create(
            firm=firm, recommendation=current, input_hash="llm", drafter="openai",
            model="gpt-4o-mini", state="done", applied_at=timezone.now(),
        )  # fmt: skip
    assert facts().shown_narrative_draft_id == llm.pk
