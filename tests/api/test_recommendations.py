"""Recommendations (filters, detail with assessment, overrides and revisions) and reports as
JSON, Markdown and PDF."""

from __future__ import annotations

import pytest

from advisor.exports import report_markdown
from advisor.models import Recommendation, Revision
from advisor.services.recommendations import override_add
from projects.models import Role
from projects.tenancy.scope import firm_scope
from tests.api.conftest import book_of_work, url
from tests.factories import ClientFactory, EngagementFactory, MembershipFactory, profile_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def overridden(firm, work):
    """The approved recommendation, its verdict overridden to hybrid (which reopens the draft)."""
    owner = MembershipFactory(firm=firm, role=Role.OWNER).user
    with firm_scope(firm):
        recommendation = Recommendation.objects.get(pk=work["recommendation_id"])
        override_add(
            firm=firm,
            recommendation=recommendation,
            kind="verdict",
            value="hybrid",
            justification="The client will scale past MVP this year.",
            user=owner,
        )
    return work


def test_detail_has_assessment_effective_result_overrides_and_revisions(firm, api, overridden):
    response = api.get(url(firm, f"recommendations/{overridden['recommendation_id']}/"))
    assert response.status_code == 200
    body = response.json()
    assert body["engine_verdict"] == "rag" and body["verdict"] == "hybrid"
    assert body["effective"]["verdict"] == "hybrid" and body["effective"]["verdict_overridden"]
    assert body["assessment"]["verdict"] == "rag"  # the engine's, untouched
    assert body["status"] == "draft"
    [override] = body["overrides"]
    assert override["kind"] == "verdict" and override["original"] == "rag"
    assert override["justification"] == "The client will scale past MVP this year."
    [revision] = body["revisions"]
    assert revision["number"] == overridden["revision_number"]
    assert len(revision["content_hash"]) == 64


def test_list_filters_by_status_effective_verdict_and_engagement(firm, api, overridden):
    other = EngagementFactory(client=ClientFactory(firm=firm))
    profile_version(other, {"name": "Plain", "knowledge_change": "static"})

    def ids(**query):
        response = api.get(url(firm, "recommendations/"), query)
        assert response.status_code == 200, response.content
        return [r["id"] for r in response.json()["results"]]

    ours = overridden["recommendation_id"]
    assert ours in ids(verdict="hybrid")
    assert ours not in ids(verdict="rag")  # overridden: the verdict in force is what counts
    assert ids(engagement=other.pk) and ours not in ids(engagement=other.pk)
    assert ids(status="draft") == ids(ordering="-created_at")
    assert ids(status="delivered") == []
    assert api.get(url(firm, "recommendations/"), {"verdict": "magic"}).status_code == 400


def test_report_as_json_markdown_and_pdf(firm, api, work):
    path = url(firm, f"recommendations/{work['recommendation_id']}/report/")
    with firm_scope(firm):
        content = Revision.objects.get(pk=work["revision_id"]).content

    as_json = api.get(path)
    assert as_json.status_code == 200 and as_json["Content-Type"] == "application/json"
    assert as_json.json() == content
    assert as_json.json()["revision"]["number"] == work["revision_number"]

    markdown = api.get(path, {"format": "markdown"})
    assert markdown.status_code == 200
    assert markdown["Content-Type"] == "text/markdown; charset=utf-8"
    assert markdown.content.decode() == report_markdown(content)
    assert "attachment" in markdown["Content-Disposition"]

    pdf = api.get(path, {"format": "pdf"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert api.get(path, {"format": "pdf"}).content == pdf.content  # the same bytes every time


def test_the_accept_header_picks_the_format_too(firm, api, work):
    path = url(firm, f"recommendations/{work['recommendation_id']}/report/")
    markdown = api.get(path, headers={"Accept": "text/markdown"})
    assert markdown.status_code == 200
    assert markdown["Content-Type"].startswith("text/markdown")
    refused = api.get(path, headers={"Accept": "text/html"})
    assert refused.status_code == 406 and refused["Content-Type"] == "application/json"


def test_report_of_a_given_revision_and_404s(firm, api, work):
    path = url(firm, f"recommendations/{work['recommendation_id']}/report/")
    given = api.get(path, {"revision": work["revision_number"]})
    assert given.status_code == 200
    assert api.get(path, {"revision": 99}).status_code == 404
    # An error stays JSON whatever format was asked for.
    missing_pdf = api.get(path, {"revision": 99, "format": "pdf"})
    assert missing_pdf.status_code == 404 and missing_pdf["Content-Type"] == "application/json"
    bad = api.get(path, {"format": "docx"})
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["format"]
    assert api.get(path, {"revision": "first"}).status_code == 400


def test_a_draft_never_approved_has_no_report(firm, api):
    engagement = EngagementFactory(client=ClientFactory(firm=firm))
    profile_version(engagement)
    with firm_scope(firm):
        draft = Recommendation.objects.get(engagement=engagement)
    response = api.get(url(firm, f"recommendations/{draft.pk}/report/"))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found", "errors": {}}


def test_list_pages(firm, api):
    for _ in range(3):
        book_of_work(firm)
    page = api.get(url(firm, "recommendations/"), {"page_size": 2}).json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]
