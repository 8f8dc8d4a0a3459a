"""Clients, engagements, profile versions and the consultant's profile editor, through the URLs."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects.models import (
    Client,
    Engagement,
    ImmutableError,
    ProfileVersion,
    Role,
)
from projects.services.engagements import engagement_create
from projects.services.profiles import profile_diff, profile_version_create
from projects.tenancy.scope import firm_scope
from tests.factories import (
    ClientFactory,
    ContactFactory,
    EngagementFactory,
    profile_version,
)

pytestmark = pytest.mark.django_db


def url(name: str, firm, **kwargs) -> str:
    return reverse(f"projects:{name}", kwargs={"firm_slug": firm.slug, **kwargs})


def test_client_search_matches_name_website_and_contacts(firm, owner_client):
    ClientFactory(firm=firm, name="Lumen Health", website="https://lumen.example")
    other = ClientFactory(firm=firm, name="Quarry Labs")
    ContactFactory(client=other, name="Ines Park", email="ines@quarry.example")
    assert b"Lumen Health" in owner_client.get(url("clients", firm), {"q": "lumen"}).content
    by_contact = owner_client.get(url("clients", firm), {"q": "ines@"})
    assert b"Quarry Labs" in by_contact.content and b"Lumen Health" not in by_contact.content
    fragment = owner_client.get(
        url("clients", firm),
        {"q": "quarry"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="client-results",
    )
    body = fragment.content.decode()
    assert "<html" not in body and 'id="client-results"' in body and "Quarry Labs" in body


def test_client_create_edit_and_per_field_errors(firm, owner_client):
    bad = owner_client.post(url("client-new", firm), {"name": "", "website": "not a url"})
    assert bad.status_code == 200
    assert {"name", "website"} <= set(bad.context["form"].errors)
    assert b'value="not a url"' in bad.content
    ok = owner_client.post(
        url("client-new", firm), {"name": "Orbit Freight", "website": "https://orbit.example"}
    )
    with firm_scope(firm):
        client = Client.objects.get(name="Orbit Freight")
    assert ok["Location"] == url("client-detail", firm, client_id=client.pk)
    owner_client.post(
        url("client-edit", firm, client_id=client.pk), {"name": "Orbit Freight Ltd", "notes": "x"}
    )
    with firm_scope(firm):  # row-level security: reads need the firm's scope
        client.refresh_from_db()
    assert client.name == "Orbit Freight Ltd"


def test_contacts_first_is_primary_and_delete_refuses_client_with_engagements(firm, owner_client):
    client = ClientFactory(firm=firm)
    owner_client.post(
        url("contact-new", firm, client_id=client.pk), {"name": "A", "email": "a@x.example"}
    )
    owner_client.post(
        url("contact-new", firm, client_id=client.pk), {"name": "B", "email": "b@x.example"}
    )
    with firm_scope(firm):
        contacts = {c.name: c.is_primary for c in client.contacts.all()}
    assert contacts == {"A": True, "B": False}
    EngagementFactory(client=client)
    owner_client.post(url("client-delete", firm, client_id=client.pk))
    with firm_scope(firm):
        assert Client.objects.filter(pk=client.pk).exists()


def test_engagement_list_filters_by_status_and_counts_the_pipeline(firm, owner_client):
    client = ClientFactory(firm=firm)
    EngagementFactory(client=client, title="Alpha", status="intake")
    EngagementFactory(client=client, title="Beta", status="review")
    EngagementFactory(client=client, title="Gamma", status="review")
    page = owner_client.get(url("engagements", firm), {"status": "review"})
    body = page.content.decode()
    assert "Beta" in body and "Gamma" in body and "Alpha" not in body
    counts = {status: n for status, _, n in page.context["pipeline"]}
    assert counts == {"intake": 1, "assessment": 0, "review": 2, "delivered": 0, "closed": 0}
    assert page.context["total"] == 3


def test_engagement_create_checks_the_client_and_lead_belong_to_the_firm(
    firm, other_firm, owner, owner_client, member
):
    mine = ClientFactory(firm=firm)
    theirs = ClientFactory(firm=other_firm)
    outsider = member(other_firm)
    response = owner_client.post(
        url("engagement-new", firm), {"client": theirs.pk, "title": "Sneaky", "lead": owner.pk}
    )
    assert response.status_code == 200 and "client" in response.context["form"].errors
    response = owner_client.post(
        url("engagement-new", firm), {"client": mine.pk, "title": "Bad lead", "lead": outsider.pk}
    )
    assert "lead" in response.context["form"].errors
    with firm_scope(firm), pytest.raises(ValidationError):
        engagement_create(firm=firm, client=theirs, title="Service check")
    response = owner_client.post(
        url("engagement-new", firm),
        {"client": mine.pk, "title": "Support copilot", "lead": owner.pk,
         "start_date": "2026-12-01", "target_date": "2026-11-01"},
    )  # fmt: skip
    assert "target_date" in response.context["form"].errors
    response = owner_client.post(
        url("engagement-new", firm),
        {"client": mine.pk, "title": "Support copilot", "lead": owner.pk},
    )
    with firm_scope(firm):
        engagement = Engagement.objects.get(title="Support copilot")
    assert engagement.status == "intake" and engagement.lead == owner
    assert response["Location"] == url("engagement-detail", firm, engagement_id=engagement.pk)


def test_profile_versions_are_numbered_immutable_and_move_the_engagement_on(firm):
    engagement = EngagementFactory(client=ClientFactory(firm=firm))
    v1 = profile_version(engagement, {"name": "Copilot", "knowledge_change": "weekly"})
    v2 = profile_version(engagement, {"name": "Copilot", "knowledge_change": "daily"})
    assert (v1.number, v2.number) == (1, 2)
    with firm_scope(firm):
        engagement.refresh_from_db()
    # intake → assessment on submission; the synchronous draft then puts it in review.
    assert engagement.status == "review"
    with firm_scope(firm):
        with pytest.raises(ImmutableError):
            v1.save()
        with pytest.raises(ImmutableError):
            v1.delete()
        with pytest.raises(ImmutableError):
            ProfileVersion.objects.filter(pk=v1.pk).update(note="edited")
        assert ProfileVersion.objects.get(pk=v1.pk).profile["knowledge_change"] == "weekly"


def test_an_invalid_profile_stores_nothing_and_says_why_per_field(firm):
    from advisor.engine import ProfileError

    engagement = EngagementFactory(client=ClientFactory(firm=firm))
    with firm_scope(firm), pytest.raises(ProfileError) as caught:
        profile_version_create(
            firm=firm,
            engagement=engagement,
            data={"name": "X", "queries_per_month": -5, "stage": "unicorn", "colour": "red"},
            source="consultant",
        )
    assert {"queries_per_month", "stage", "colour"} <= set(caught.value.errors)
    with firm_scope(firm):
        assert not ProfileVersion.objects.exists()


def test_profile_diff_is_readable():
    rows = profile_diff(
        {"name": "A", "knowledge_change": "weekly", "citations_required": False},
        {
            "name": "A",
            "knowledge_change": "daily",
            "citations_required": True,
            "queries_per_month": 50000,
        },
    )
    by_field = {r.field: r for r in rows}
    assert set(by_field) == {"knowledge_change", "citations_required", "queries_per_month"}
    assert (by_field["knowledge_change"].before, by_field["knowledge_change"].after) == (
        "Weekly",
        "Daily",
    )
    assert (by_field["citations_required"].before, by_field["citations_required"].after) == (
        "no",
        "yes",
    )
    assert by_field["queries_per_month"].kind == "added"
    assert by_field["queries_per_month"].after == "50,000"
    assert by_field["queries_per_month"].before.startswith("not given (default: 10,000")


def test_engagement_page_shows_versions_with_diffs(firm, owner_client):
    engagement = EngagementFactory(client=ClientFactory(firm=firm, name="Helio"))
    profile_version(engagement, {"name": "Helio bot", "knowledge_change": "weekly"})
    profile_version(engagement, {"name": "Helio bot", "knowledge_change": "daily"})
    page = owner_client.get(url("engagement-detail", firm, engagement_id=engagement.pk))
    body = page.content.decode()
    assert "Version 2" in body and "Version 1" in body
    assert "Weekly" in body and "Daily" in body


def test_consultant_profile_edit_makes_a_version_marked_as_theirs(firm, owner, owner_client):
    engagement = EngagementFactory(client=ClientFactory(firm=firm))
    profile_version(
        engagement, {"name": "Bot", "knowledge_change": "weekly", "stage": "mvp"}, source="founder"
    )
    form = owner_client.get(url("profile-edit", firm, engagement_id=engagement.pk))
    assert form.status_code == 200
    assert 'value="Bot"' in form.content.decode()
    data = {
        "name": "Bot",
        "knowledge_change": "weekly",
        "stage": "growth",
        "queries_per_month": "20000",
    }
    response = owner_client.post(url("profile-edit", firm, engagement_id=engagement.pk), data)
    assert response.status_code == 302
    with firm_scope(firm):
        v2 = ProfileVersion.objects.get(engagement=engagement, number=2)
    assert v2.source == "consultant" and v2.submitted_by == owner
    assert v2.profile == {
        "name": "Bot",
        "knowledge_change": "weekly",
        "stage": "growth",
        "queries_per_month": 20000,
    }
    assert v2.consultant_fields == ["queries_per_month", "stage"]


def test_consultant_profile_edit_keeps_input_and_reports_engine_errors(firm, owner_client):
    engagement = EngagementFactory(client=ClientFactory(firm=firm))
    data = {
        "name": "Bot",
        "input_tokens": "100",
        "few_shot_tokens": "400",
        "queries_per_month": "-1",
    }
    response = owner_client.post(url("profile-edit", firm, engagement_id=engagement.pk), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "queries_per_month" in errors
    body = response.content.decode()
    assert 'value="400"' in body and 'value="-1"' in body
    with firm_scope(firm):
        assert not ProfileVersion.objects.exists()
    fixed = {**data, "queries_per_month": "100"}
    response = owner_client.post(url("profile-edit", firm, engagement_id=engagement.pk), fixed)
    assert response.status_code == 400 and "few_shot_tokens" in response.context["form"].errors


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("client-new", "post"),
        ("engagement-new", "post"),
        ("clients", "get"),
        ("engagements", "get"),
    ],
)
def test_viewers_read_but_never_write(firm, member, client_for, name, method):
    viewer = client_for(member(firm, Role.VIEWER))
    response = getattr(viewer, method)(url(name, firm), {"name": "X", "title": "X"})
    assert response.status_code == (200 if method == "get" else 403)
