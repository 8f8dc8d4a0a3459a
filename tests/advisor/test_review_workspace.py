"""The review workspace beyond the happy path: overrides standing in the what-if panel and the
scenarios, the sources the trace links to, asking a colleague to review, previewing and saving
the narrative, rule-outcome overrides, the dashboard's portfolio figures, and the activity log
of one engagement."""

from __future__ import annotations

import re

import pytest

from advisor.models import AuditEvent, Recommendation
from advisor.services.recommendations import override_add
from projects.models import Role
from projects.tenancy.scope import firm_scope
from tests.advisor.review_helpers import url
from tests.factories import ClientFactory, EngagementFactory, profile_version

pytestmark = pytest.mark.django_db


def test_an_overridden_verdict_stands_in_the_whatif_panel_and_the_scenarios(
    firm, owner, owner_client, draft
):
    whatif = url("whatif", firm, recommendation_id=draft.pk)
    plain = owner_client.post(whatif, {"queries_per_month": "60000"}, HTTP_HX_REQUEST="true")
    assert 'data-testid="whatif-in-force"' not in plain.content.decode()
    with firm_scope(firm):
        override_add(
            firm=firm, recommendation=draft, kind="verdict", value="hybrid",
            justification="Their tone of voice is contractual, not a nice-to-have.", user=owner,
        )  # fmt: skip
    body = owner_client.post(
        whatif, {"queries_per_month": "60000", "scenario_name": "Double volume"},
        HTTP_HX_REQUEST="true",
    ).content.decode()  # fmt: skip
    in_force = re.search(r'data-testid="whatif-in-force">(.*?)</p>', body, re.S).group(1)
    assert "Hybrid" in in_force and "overridden" in in_force
    assert "Engine verdict" in body and "RAG" in body  # the engine's own answer stays visible
    compare = owner_client.get(url("scenarios", firm, recommendation_id=draft.pk))
    row = re.search(r'<tr data-testid="in-force">(.*?)</tr>', compare.content.decode(), re.S)
    assert row is not None and row.group(1).count("Hybrid") == 2  # saved draft and scenario


def test_the_review_page_lists_the_sources_its_trace_links_to(firm, owner_client, draft):
    body = owner_client.get(url("review", firm, engagement_id=draft.engagement_id)).content
    body = body.decode()
    linked = set(re.findall(r'href="#(ev-[a-z0-9-]+)"', body))
    anchored = set(re.findall(r'id="(ev-[a-z0-9-]+)"', body))
    assert linked and linked <= anchored
    assert "Menlo Ventures" in body or "Databricks" in body  # sources, not just ids


def test_asking_a_colleague_to_review(firm, owner, member, client_for, draft):
    consultant = member(firm, Role.CONSULTANT, full_name="Cara Consultant")
    viewer = member(firm, Role.VIEWER, full_name="Vic Viewer")
    lead = client_for(consultant)
    target = url("review-request", firm, recommendation_id=draft.pk)
    to_self = lead.post(target, {"reviewer": consultant.pk})
    assert to_self.status_code == 400 and "reviewer" in to_self.context["review_form"].errors
    to_viewer = lead.post(target, {"reviewer": viewer.pk})
    assert to_viewer.status_code == 400 and "reviewer" in to_viewer.context["review_form"].errors
    with firm_scope(firm):
        assert Recommendation.objects.get(pk=draft.pk).status == "draft"
    assert lead.post(target, {"reviewer": owner.pk}).status_code == 302
    with firm_scope(firm):
        asked = Recommendation.objects.get(pk=draft.pk)
        assert (asked.status, asked.reviewer_id) == ("in_review", owner.pk)
        assert AuditEvent.objects.filter(verb="review.requested", actor=consultant).exists()
    dashboard = client_for(owner).get(url("dashboard", firm)).content.decode()
    waiting = re.search(r'id="wait-h">.*?</section>', dashboard, re.S).group(0)
    assert "Support" in waiting and 'class="pill">1<' in waiting


def test_the_narrative_previews_without_saving_and_saves_as_the_consultants(
    firm, owner_client, draft
):
    target = url("narrative-save", firm, recommendation_id=draft.pk)
    text = "## Why RAG\n\nTheir docs change **weekly**.\n\n<script>alert(1)</script>"
    preview = owner_client.post(target, {"narrative": text, "action": "preview"})
    html = preview.content.decode()
    assert preview.status_code == 200 and "<html" not in html
    assert "<strong>weekly</strong>" in html and "<script>" not in html
    with firm_scope(firm):
        assert Recommendation.objects.get(pk=draft.pk).narrative != text
    assert owner_client.post(target, {"narrative": text, "action": "save"}).status_code == 302
    with firm_scope(firm):
        saved = Recommendation.objects.get(pk=draft.pk)
    assert (saved.narrative, saved.narrative_edited, saved.narrative_source) == (
        text,
        True,
        "consultant",
    )


def test_a_rule_outcome_override_shows_in_the_trace(firm, owner_client, draft):
    response = owner_client.post(
        url("override-new", firm, recommendation_id=draft.pk),
        {"kind": "rule", "rule_id": "R-EXPLORE", "value": "not_fired",
         "justification": "They logged three months of real questions in their pilot."},
    )  # fmt: skip
    assert response.status_code == 302
    page = owner_client.get(url("review", firm, engagement_id=draft.engagement_id))
    effective = page.context["c"]["effective"]
    assert effective["rules"]["R-EXPLORE"] is False
    assert effective["rules_overridden"] == {"R-EXPLORE": False}
    assert page.context["c"]["assessment"]["rules"][8]["fired"] is True  # engine untouched
    assert "is-overridden" in page.content.decode()
    assert "three months of real questions" in page.content.decode()


def test_the_dashboard_shows_the_verdict_mix_and_what_reassessment_changed(
    firm, owner_client, engagement, draft
):
    profile_version(engagement, {"name": "Support copilot", "stage": "mvp"}, source="consultant")
    dashboard = owner_client.get(url("dashboard", firm)).content.decode()
    mix = re.search(r'data-testid="verdict-mix">(.*?)</ul>', dashboard, re.S).group(1)
    counts = dict(re.findall(r'opt-dot opt-(\w+)".*?mix-count">(\d+)<', mix, re.S))
    assert counts == {"prompt_only": "1", "rag": "0", "fine_tuning": "0", "hybrid": "0"}
    changes = re.search(r'id="chg-h">.*?</section>', dashboard, re.S).group(0)
    assert "RAG → Prompt-only" in changes and "Flipped" in changes
    review = owner_client.get(url("review", firm, engagement_id=engagement.pk)).content.decode()
    notice = re.search(r'data-testid="reassessment">(.*?)</section>', review, re.S).group(1)
    assert "from <b>RAG</b> to <b>Prompt-only</b>" in notice


def test_the_activity_log_of_one_engagement(firm, other_firm, owner, owner_client, draft):
    other = EngagementFactory(client=ClientFactory(firm=firm), title="Second engagement")
    profile_version(other, {"name": "Other product"}, source="consultant")
    log = url("activity", firm)
    everything = owner_client.get(log).content.decode()
    assert "Second engagement" in everything and ">Support<" in everything
    one = owner_client.get(log, {"engagement": draft.engagement_id}).content.decode()
    assert ">Support<" in one and "Second engagement" not in one.split("</h1>", 1)[1]
    page = owner_client.get(url("engagement-detail", firm, engagement_id=draft.engagement_id))
    assert f"?engagement={draft.engagement_id}" in page.content.decode()
    foreign = EngagementFactory(client=ClientFactory(firm=other_firm))
    assert owner_client.get(log, {"engagement": foreign.pk}).status_code == 404
