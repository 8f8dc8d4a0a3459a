"""Engagements (CRUD, filters) and profile versions (list, push: version + assessment + draft)."""

from __future__ import annotations

import pytest

from advisor.models import Recommendation
from projects.models import ProfileVersion, Role
from projects.tenancy.scope import firm_scope
from tests.api.conftest import counts, url
from tests.factories import ClientFactory, EngagementFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_create_with_client_and_title_then_read_and_update(firm, api):
    client = ClientFactory(firm=firm, name="Lexwell")
    lead = MembershipFactory(firm=firm, role=Role.CONSULTANT, user__email="lead@acme.example")
    created = api.post(url(firm, "engagements/"), {"client": client.pk, "title": "Case law"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["client"], body["client_name"], body["title"]) == (
        client.pk,
        "Lexwell",
        "Case law",
    )
    assert body["status"] == "intake" and body["lead"] is None

    path = url(firm, f"engagements/{body['id']}/")
    assert api.get(path).json()["title"] == "Case law"
    patched = api.patch(
        path,
        {
            "lead": lead.user.email,
            "status": "closed",
            "start_date": "2026-01-05",
            "target_date": "2026-02-05",
        },
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["lead"] == "lead@acme.example"
    assert patched.json()["status"] == "closed"
    assert patched.json()["target_date"] == "2026-02-05"


def test_per_field_errors(firm, api):
    response = api.post(url(firm, "engagements/"), {"client": "1", "title": "  "})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"client", "title"}
    missing = api.post(url(firm, "engagements/"), {})
    assert set(missing.json()["errors"]) == {"client", "title"}


def test_the_services_rules_come_back_per_field(firm, api):
    engagement = EngagementFactory(client=ClientFactory(firm=firm))
    response = api.patch(
        url(firm, f"engagements/{engagement.pk}/"),
        {"start_date": "2026-03-01", "target_date": "2026-01-01"},
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["target_date"]


def test_another_firms_client_or_member_reads_as_a_missing_one(firm, other_firm, api):
    theirs = ClientFactory(firm=other_firm)
    outsider = MembershipFactory(firm=other_firm, user__email="them@rival.example").user
    foreign = api.post(url(firm, "engagements/"), {"client": theirs.pk, "title": "T"})
    missing = api.post(url(firm, "engagements/"), {"client": 999_999_999, "title": "T"})
    assert foreign.status_code == missing.status_code == 400
    assert foreign.json() == missing.json()
    ours = ClientFactory(firm=firm)
    not_member = api.post(
        url(firm, "engagements/"), {"client": ours.pk, "title": "T", "lead": outsider.email}
    )
    assert not_member.json()["errors"] == {"lead": ["No member of this firm has that address."]}


def test_list_filters_and_orders(firm, api):
    a, b = ClientFactory(firm=firm), ClientFactory(firm=firm)
    EngagementFactory(client=a, title="Alpha", status="review")
    EngagementFactory(client=a, title="Beta")
    EngagementFactory(client=b, title="Gamma", status="review")

    def titles(**query):
        response = api.get(url(firm, "engagements/"), query)
        return [e["title"] for e in response.json()["results"]]

    assert titles(status="review", ordering="title") == ["Alpha", "Gamma"]
    assert titles(client=a.pk, ordering="-title") == ["Beta", "Alpha"]
    assert titles(search="gam") == ["Gamma"]
    assert api.get(url(firm, "engagements/"), {"status": "paused"}).status_code == 400
    assert api.get(url(firm, "engagements/"), {"client": "1.0"}).status_code == 400


def test_push_a_profile_makes_a_version_an_assessment_and_a_draft(firm, api, work):
    path = url(firm, f"engagements/{work['engagement_id']}/profiles/")
    profile = {"name": "Support copilot", "knowledge_change": "daily", "citations_required": True}
    response = api.post(path, profile)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["profile_version"]["number"] == 2
    assert body["profile_version"]["source"] == "api"
    assert body["profile_version"]["profile"] == profile
    assert "Test key" in body["profile_version"]["note"]
    assert body["recommendation"]["verdict"] == "rag"
    assert body["recommendation"]["status"] == "draft"
    with firm_scope(firm):
        version = ProfileVersion.objects.get(pk=body["profile_version"]["id"])
        recommendation = Recommendation.objects.get(pk=body["recommendation"]["id"])
    assert recommendation.profile_version_id == version.pk
    assert recommendation.assessment["verdict"] == "rag"

    listed = api.get(path).json()
    assert [v["number"] for v in listed["results"]] == [2, 1]


def test_an_invalid_profile_is_refused_per_field_and_stores_nothing(firm, api, work):
    before = counts(firm)
    response = api.post(
        url(firm, f"engagements/{work['engagement_id']}/profiles/"),
        {"stage": "someday", "queries_per_month": -5, "colour": "red"},
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"name", "stage", "queries_per_month", "colour"}
    assert errors["name"] == ["is required"]
    assert counts(firm) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([1, 2], "non_field_errors"),
        ('"a JSON string"', "non_field_errors"),
        ({"name": "Nul\x00byte"}, "name"),
    ],
)
def test_profiles_the_database_could_not_store_are_refused(firm, api, work, body, field):
    before = counts(firm)
    response = api.post(url(firm, f"engagements/{work['engagement_id']}/profiles/"), body)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert counts(firm) == before


def test_profiles_of_a_missing_engagement_are_404(firm, api):
    assert api.get(url(firm, "engagements/999999/profiles/")).status_code == 404
    response = api.post(url(firm, "engagements/999999/profiles/"), {"name": "X"})
    assert response.status_code == 404
