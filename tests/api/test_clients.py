"""Clients: CRUD, per-field errors, pagination, search and ordering."""

from __future__ import annotations

import pytest

from projects.models import Client as ClientModel
from projects.tenancy.scope import firm_scope
from tests.api.conftest import url
from tests.factories import ClientFactory, EngagementFactory

pytestmark = pytest.mark.django_db


def test_create_read_update_delete(firm, api):
    created = api.post(
        url(firm, "clients/"),
        {"name": "  Brightdesk  ", "website": "https://brightdesk.example", "notes": "Met at X"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["name"] == "Brightdesk"
    assert body["engagement_count"] == body["open_engagement_count"] == 0
    path = url(firm, f"clients/{body['id']}/")

    assert api.get(path).json() == body
    patched = api.patch(path, {"notes": "Renewal in May"})
    assert patched.status_code == 200
    assert patched.json()["notes"] == "Renewal in May"
    assert patched.json()["name"] == "Brightdesk"

    assert api.delete(path).status_code == 204
    assert api.get(path).status_code == 404
    with firm_scope(firm):
        assert not ClientModel.objects.filter(pk=body["id"]).exists()


def test_errors_are_per_field(firm, api):
    response = api.post(
        url(firm, "clients/"), {"name": "", "website": "not a url", "notes": 7, "colour": "red"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"name", "website", "notes", "colour"}
    assert body["errors"]["colour"] == ["Not a field of this request."]
    assert body["errors"]["notes"] == ["Not a valid string."]


def test_a_body_that_is_not_json_is_refused(firm, api):
    malformed = api.post(url(firm, "clients/"), "{not json", content_type="application/json")
    assert malformed.status_code == 400
    assert malformed.json()["code"] == "parse_error"
    form = api.post(
        url(firm, "clients/"), "name=X", content_type="application/x-www-form-urlencoded"
    )
    assert form.status_code == 415


def test_a_client_with_engagements_cannot_be_deleted(firm, api):
    client = ClientFactory(firm=firm)
    EngagementFactory(client=client)
    response = api.delete(url(firm, f"clients/{client.pk}/"))
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert "engagements" in response.json()["detail"]


def test_list_paginates_searches_and_orders(firm, api):
    for n in range(30):
        ClientFactory(firm=firm, name=f"Client {n:02d}")
    ClientFactory(firm=firm, name="Zeta Robotics", website="https://zeta.example")

    first = api.get(url(firm, "clients/"), {"page_size": 10})
    assert first.status_code == 200
    page = first.json()
    assert page["count"] == 31
    assert [c["name"] for c in page["results"]][:2] == ["Client 00", "Client 01"]
    assert "page=2" in page["next"] and page["previous"] is None
    last = api.get(url(firm, "clients/"), {"page_size": 10, "page": 4}).json()
    assert [c["name"] for c in last["results"]] == ["Zeta Robotics"]
    assert last["next"] is None

    newest_name = api.get(url(firm, "clients/"), {"ordering": "-name"}).json()["results"][0]
    assert newest_name["name"] == "Zeta Robotics"
    found = api.get(url(firm, "clients/"), {"search": "zeta.example"}).json()
    assert [c["name"] for c in found["results"]] == ["Zeta Robotics"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"page": 99}, None),
        ({"page": "abc"}, "page"),
        ({"page": 0}, "page"),
        ({"page_size": 101}, "page_size"),
        ({"page_size": "-1"}, "page_size"),
        ({"ordering": "password"}, "ordering"),
        ({"ordering": ""}, "ordering"),
        ({"search": ""}, "search"),
    ],
)
def test_bad_list_parameters_are_refused(firm, api, query, field):
    ClientFactory(firm=firm)
    response = api.get(url(firm, "clients/"), query)
    if field is None:
        assert response.status_code == 404  # a page past the last
        assert response.json()["detail"] == "There is no such page."
    else:
        assert response.status_code == 400
        assert list(response.json()["errors"]) == [field]
