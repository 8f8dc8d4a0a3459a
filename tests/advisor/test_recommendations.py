"""Recommendations end to end through services and URLs: drafted on every profile version,
overridden with justification, approved into frozen revisions, delivered and acknowledged."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError

from advisor.models import (
    AuditEvent,
    Override,
    Reassessment,
    Recommendation,
    Revision,
    Scenario,
)
from advisor.services.recommendations import (
    current_recommendation,
    override_add,
    recommendation_approve,
    recommendation_deliver,
)
from advisor.services.whatif import whatif_assess
from advisor.templatetags.reports import money
from projects.models import Role
from projects.tenancy.scope import firm_scope
from tests.advisor.review_helpers import SUPPORT_BOT, url
from tests.factories import profile_version

pytestmark = pytest.mark.django_db


def test_every_profile_version_gets_a_draft_on_the_active_price_book(firm, engagement, draft):
    assert draft.status == "draft"
    assert draft.assessment["verdict"] == "rag"
    assert draft.price_book.key == draft.assessment["price_book"]
    assert draft.engine_version == draft.assessment["engine_version"]
    assert (
        "RAG" in draft.narrative
        and str(draft.assessment["costs"]["horizon_months"]) in draft.narrative
    )
    with firm_scope(firm):
        engagement.refresh_from_db()
        assert engagement.status == "review"
        assert AuditEvent.objects.filter(verb="recommendation.drafted").count() == 1


def test_a_new_version_supersedes_the_draft_and_records_what_changed(
    firm, owner, engagement, draft
):
    with firm_scope(firm):
        override_add(
            firm=firm, recommendation=draft, kind="start_with", value="prompt_only",
            justification="The client wants a two-week pilot before any index.", user=owner,
        )  # fmt: skip
    profile_version(engagement, {**SUPPORT_BOT, "queries_per_month": 60000})
    with firm_scope(firm):
        draft.refresh_from_db()
        current = current_recommendation(firm=firm, engagement=engagement)
        change = Reassessment.objects.get(current=current)
        carried = list(Override.objects.filter(recommendation=current, withdrawn_at=None))
    assert draft.status == "superseded" and current.supersedes_id == draft.pk
    assert [o.value for o in carried] == ["prompt_only"]
    deltas = change.cost_deltas["rag"]
    assert deltas["after"] > deltas["before"] and deltas["delta"] == pytest.approx(
        deltas["after"] - deltas["before"]
    )
    assert change.verdict_before == change.verdict_after == "rag"


def test_overrides_need_a_justification_and_show_in_the_effective_result(
    firm, owner, owner_client, draft
):
    response = owner_client.post(
        url("override-new", firm, recommendation_id=draft.pk),
        {"kind": "verdict", "value": "hybrid", "justification": "because"},
    )
    assert response.status_code == 400
    assert "justification" in response.context["override_form"].errors
    assert b"because" in response.content  # what was typed is kept
    response = owner_client.post(
        url("override-new", firm, recommendation_id=draft.pk),
        {"kind": "rule", "value": "fired", "rule_id": "R-NOPE", "justification": "x" * 20},
    )
    assert "rule_id" in response.context["override_form"].errors
    response = owner_client.post(
        url("override-new", firm, recommendation_id=draft.pk),
        {"kind": "verdict", "value": "hybrid",
         "justification": "Their brand voice matters more than the rules can see."},
    )  # fmt: skip
    assert response.status_code == 302
    page = owner_client.get(url("review", firm, engagement_id=draft.engagement_id))
    content = page.context["c"]
    assert (
        content["effective"]["verdict"] == "hybrid" and content["effective"]["verdict_overridden"]
    )
    assert content["assessment"]["verdict"] == "rag"  # the engine's own result is untouched
    assert "Their brand voice matters" in page.content.decode()


def test_approval_freezes_a_revision_and_later_edits_make_a_new_one(firm, owner, draft):
    with firm_scope(firm):
        r1 = recommendation_approve(firm=firm, recommendation=draft, user=owner)
        draft.refresh_from_db()
        assert draft.status == "approved" and r1.number == 1
        with pytest.raises(RuntimeError):
            r1.save()
        with pytest.raises(RuntimeError):
            Revision.objects.filter(pk=r1.pk).update(content={})
        with pytest.raises(ValidationError):
            recommendation_approve(firm=firm, recommendation=draft, user=owner)
        override_add(
            firm=firm, recommendation=draft, kind="verdict", value="hybrid",
            justification="Brand voice is a hard requirement for them.", user=owner,
        )  # fmt: skip
        draft.refresh_from_db()
        assert draft.status == "draft"
        r2 = recommendation_approve(firm=firm, recommendation=draft, user=owner)
        r1_again = Revision.objects.get(pk=r1.pk)
    assert r2.number == 2
    assert r1_again.content == r1.content and r1_again.content["effective"]["verdict"] == "rag"
    assert r2.content["effective"]["verdict"] == "hybrid"
    assert r2.content["revision"]["approved_by"] == owner.display_name


def test_revision_history_shows_the_differences(firm, owner, owner_client, draft):
    with firm_scope(firm):
        recommendation_approve(firm=firm, recommendation=draft, user=owner)
        override_add(
            firm=firm, recommendation=draft, kind="verdict", value="hybrid",
            justification="Brand voice is a hard requirement for them.", user=owner,
        )  # fmt: skip
        recommendation_approve(firm=firm, recommendation=draft, user=owner)
    # The review page loads its revisions panel as a fragment of its own.
    panel = owner_client.get(
        url("review-revisions", firm, engagement_id=draft.engagement_id), HTTP_HX_REQUEST="true"
    ).content.decode()
    latest = panel.split('<li class="version">')[1]  # newest first
    assert "Revision 2" in latest
    verdict = re.search(r'<th scope="row">Verdict</th><td>(.*?)</td><td>(.*?)</td>', latest)
    assert verdict.group(1) == "RAG" and verdict.group(2).startswith("Hybrid")


def test_deliver_needs_approval_and_makes_a_hashed_share_link(
    firm, owner, draft, django_capture_on_commit_callbacks, mailoutbox
):
    with firm_scope(firm):
        with pytest.raises(ValidationError):
            recommendation_deliver(firm=firm, recommendation=draft, user=owner)
        recommendation_approve(firm=firm, recommendation=draft, user=owner)
        with django_capture_on_commit_callbacks(execute=True):
            link, token = recommendation_deliver(
                firm=firm, recommendation=draft, user=owner, email="maya@brightdesk.example"
            )
        draft.refresh_from_db()
        assert draft.status == "delivered"
        assert link.token_hash != token and len(link.token_hash) == 64
        assert link.revision.delivered_at is not None
    assert mailoutbox[0].to == ["maya@brightdesk.example"] and token in mailoutbox[0].body


def test_share_page_shows_the_revision_and_records_acknowledgement(client, firm, owner, draft):
    with firm_scope(firm):
        recommendation_approve(firm=firm, recommendation=draft, user=owner)
        link, token = recommendation_deliver(firm=firm, recommendation=draft, user=owner)
    page = client.get(f"/share/{token}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Brightdesk" in body and "RAG" in body and "Acme Advisory" in body
    assert 'class="sidebar"' not in body  # founder pages: the firm's branding, no app navigation
    bad = client.post(f"/share/{token}/", {"name": "  "})
    assert bad.status_code == 400
    client.post(f"/share/{token}/", {"name": "Maya Torres"})
    with firm_scope(firm):
        link.refresh_from_db()
        assert link.acknowledged_name == "Maya Torres" and link.view_count >= 1
        assert AuditEvent.objects.filter(verb="share_link.acknowledged").exists()
    pdf = client.get(f"/share/{token}/report.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_whatif_recomputes_without_touching_the_draft_and_saves_scenarios(
    firm, owner_client, draft
):
    before = dict(draft.assessment)
    response = owner_client.post(
        url("whatif", firm, recommendation_id=draft.pk),
        {"queries_per_month": "300000"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and 'id="whatif-result"' in body
    with firm_scope(firm):
        draft.refresh_from_db()
        assert draft.assessment == before
        expected = whatif_assess(
            firm=firm, recommendation=draft, changes={"queries_per_month": 300000}
        )
    new_total = expected["costs"]["options"]["rag"]["total_usd"]
    old_total = before["costs"]["options"]["rag"]["total_usd"]
    assert new_total > old_total
    assert money(new_total) in body and f"+{money(round(new_total - old_total, 2))}" in body
    bad = owner_client.post(
        url("whatif", firm, recommendation_id=draft.pk),
        {"input_tokens": "10", "few_shot_tokens": "500"},
        HTTP_HX_REQUEST="true",
    )
    assert bad.status_code == 200 and "Few-shot tokens" in bad.content.decode()
    assert "error-summary" in bad.content.decode()
    owner_client.post(
        url("whatif", firm, recommendation_id=draft.pk),
        {"queries_per_month": "300000", "scenario_name": "10x volume"},
        HTTP_HX_REQUEST="true",
    )
    with firm_scope(firm):
        scenario = Scenario.objects.get()
    assert scenario.changes == {"queries_per_month": 300000}
    compare = owner_client.get(url("scenarios", firm, recommendation_id=draft.pk))
    assert "10x volume" in compare.content.decode() and "Saved draft" in compare.content.decode()


def test_viewers_read_the_review_but_cannot_change_it(firm, member, client_for, draft):
    viewer = client_for(member(firm, Role.VIEWER))
    assert viewer.get(url("review", firm, engagement_id=draft.engagement_id)).status_code == 200
    for name, data in [
        ("override-new", {"kind": "verdict", "value": "hybrid", "justification": "x" * 30}),
        ("approve", {}),
        ("narrative-save", {"narrative": "changed"}),
        ("deliver", {"days": 30}),
    ]:
        assert viewer.post(url(name, firm, recommendation_id=draft.pk), data).status_code == 403
    live = viewer.post(
        url("whatif", firm, recommendation_id=draft.pk), {"queries_per_month": "5"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert live.status_code == 200  # looking is not changing
    saving = viewer.post(
        url("whatif", firm, recommendation_id=draft.pk),
        {"queries_per_month": "5", "scenario_name": "viewer"},
    )
    assert saving.status_code == 403
    with firm_scope(firm):
        assert Recommendation.objects.get(pk=draft.pk).status == "draft"
        assert not Scenario.objects.exists()


def test_asking_the_founder_to_confirm_assumptions_reopens_the_intake(
    firm, owner_client, engagement, draft, django_capture_on_commit_callbacks, mailoutbox
):
    from projects.models import IntakeLink
    from tests.factories import ContactFactory

    ContactFactory(client=engagement.client, email="maya@brightdesk.example")
    page = owner_client.get(url("review", firm, engagement_id=draft.engagement_id))
    assert page.context["founder_email"] == "maya@brightdesk.example"
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            page.context["assumption_request_url"], {"email": page.context["founder_email"]}
        )
    assert response.status_code == 302
    with firm_scope(firm):
        link = IntakeLink.objects.get(engagement=engagement)
    assert link.sent_to == "maya@brightdesk.example" and link.state == "sent"
    assert mailoutbox and mailoutbox[-1].to == ["maya@brightdesk.example"]


def test_an_overridden_verdict_shows_on_the_engagement_and_in_the_reviews_queue(
    firm, owner, owner_client, draft
):
    with firm_scope(firm):
        override_add(
            firm=firm, recommendation=draft, kind="verdict", value="fine_tuning",
            justification="Their answers must follow a strict house dialect.", user=owner,
        )  # fmt: skip
    engagement_page = owner_client.get(
        url("engagement-detail", firm, engagement_id=draft.engagement_id)
    )
    body = engagement_page.content.decode()
    assert 'data-testid="engagement-verdict">Fine-tuning<' in body and "overridden" in body
    queue = owner_client.get(url("reviews", firm)).content.decode()
    assert "Fine-tuning" in queue and "overridden" in queue


def test_the_firm_activity_log_lists_and_filters_events(firm, owner, owner_client, draft):
    with firm_scope(firm):
        override_add(
            firm=firm, recommendation=draft, kind="verdict", value="hybrid",
            justification="Brand voice is a hard requirement for them.", user=owner,
        )  # fmt: skip
        recommendation_approve(firm=firm, recommendation=draft, user=owner)
    everything = owner_client.get(url("activity", firm)).content.decode()
    assert "Overrode verdict" in everything and "Approved revision 1" in everything
    only_overrides = owner_client.get(url("activity", firm), {"kind": "override"}).content.decode()
    assert "Overrode verdict" in only_overrides and "Approved revision 1" not in only_overrides


def test_revision_exports_are_the_same_every_time(firm, owner, owner_client, draft):
    with firm_scope(firm):
        revision = recommendation_approve(firm=firm, recommendation=draft, user=owner)
    md = owner_client.get(url("revision-md", firm, revision_id=revision.pk))
    assert md["Content-Type"].startswith("text/markdown") and "RAG" in md.content.decode()
    assert owner_client.get(url("revision-md", firm, revision_id=revision.pk)).content == md.content
    pdf = owner_client.get(url("revision-pdf", firm, revision_id=revision.pk))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert (
        owner_client.get(url("revision-pdf", firm, revision_id=revision.pk)).content == pdf.content
    )
