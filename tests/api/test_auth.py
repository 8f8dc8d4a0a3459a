"""The choke point: who may call, for which firm, with which methods — keys and sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import resolve
from django.utils import timezone

from projects.models import ApiKey, Role
from projects.services.api_keys import api_key_revoke
from projects.tenancy.scope import firm_scope
from tests.api.conftest import ApiClient, counts, make_key, url

pytestmark = pytest.mark.django_db


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}, body
    return body


def test_no_credentials_is_401_with_the_scheme_to_use(firm):
    response = Client().get(url(firm, "clients/"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert error_of(response)["code"] == "not_authenticated"


@pytest.mark.parametrize(
    "header",
    ["Bearer fc_not-a-real-key", "Bearer", "Bearer a b", "Bearer nothing-like-ours", "Bearer ü"],
)
def test_an_unknown_or_malformed_key_is_401(firm, header):
    response = Client().get(url(firm, "clients/"), headers={"Authorization": header})
    assert response.status_code == 401
    assert error_of(response)["code"] == "authentication_failed"


def test_a_revoked_key_is_401(firm, owner):
    key, secret = make_key(firm)
    api = ApiClient(secret)
    assert api.get(url(firm, "clients/")).status_code == 200
    with firm_scope(firm):
        api_key_revoke(firm=firm, key_id=key.pk, user=owner)
    response = api.get(url(firm, "clients/"))
    assert response.status_code == 401
    assert error_of(response)["detail"] == "This API key was revoked."


def test_an_expired_key_is_401(firm):
    key, secret = make_key(firm, expires_at=timezone.now() + timedelta(minutes=5))
    api = ApiClient(secret)
    assert api.get(url(firm, "clients/")).status_code == 200
    with firm_scope(firm):
        ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = api.get(url(firm, "clients/"))
    assert response.status_code == 401
    assert error_of(response)["detail"] == "This API key has expired."


def test_a_key_of_another_firm_is_404_like_an_unknown_firm(firm, other_firm):
    api = ApiClient(make_key(other_firm)[1])
    not_yours = api.get(url(firm, "clients/"))
    unknown = api.get(url("no-such-firm", "clients/"))
    assert not_yours.status_code == unknown.status_code == 404
    assert not_yours.content == unknown.content
    # Its own firm works: the key is fine, the firm is not its.
    assert api.get(url(other_firm, "clients/")).status_code == 200


def test_without_credentials_an_unknown_firm_is_401_too(firm):
    # The 401 comes before the firm is looked at: existence is not revealed to strangers.
    assert Client().get(url("no-such-firm", "clients/")).status_code == 401
    assert Client().get(url(firm, "clients/")).status_code == 401


def test_a_key_records_when_it_was_last_used(firm):
    key, secret = make_key(firm)
    assert key.last_used_at is None
    ApiClient(secret).get(url(firm, "clients/"))
    with firm_scope(firm):
        assert ApiKey.objects.get(pk=key.pk).last_used_at is not None


def test_a_read_key_reads_and_evaluates_but_never_writes(firm, read_api, work):
    assert read_api.get(url(firm, "clients/")).status_code == 200
    assert read_api.post(url(firm, "evaluate"), {"name": "Bot"}).status_code == 200
    response = read_api.post(url(firm, "clients/"), {"name": "New"})
    assert response.status_code == 403
    assert error_of(response) == {
        "detail": "This API key may only read.",
        "code": "permission_denied",
        "errors": {},
    }


# --- sessions ----------------------------------------------------------------------------------


def csrf_session(user, firm) -> tuple[Client, str]:
    """A signed-in browser session that enforces CSRF, and its token (from a page's cookie)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(f"/f/{firm.slug}/")
    return client, client.cookies["csrftoken"].value


def test_a_member_session_reads_the_api(firm, member):
    client = Client()
    client.force_login(member(firm, Role.VIEWER))
    assert client.get(url(firm, "clients/")).status_code == 200


def test_a_session_write_without_the_csrf_token_is_403(firm, member):
    client, token = csrf_session(member(firm, Role.CONSULTANT), firm)
    path = url(firm, "clients/")
    refused = client.post(path, {"name": "No token"}, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in error_of(refused)["detail"]
    accepted = client.post(
        path,
        {"name": "With token"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert accepted.status_code == 201


def test_a_viewer_session_may_not_write(firm, member):
    client, token = csrf_session(member(firm, Role.VIEWER), firm)
    response = client.post(
        url(firm, "clients/"),
        {"name": "Viewer's"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 403
    assert error_of(response)["detail"] == "Your role in this firm may only read."


def test_a_session_of_a_non_member_is_404(firm, other_firm, member):
    client = Client()
    client.force_login(member(other_firm, Role.OWNER))
    assert client.get(url(firm, "clients/")).status_code == 404
    assert client.get(url(other_firm, "clients/")).status_code == 200


def test_a_key_takes_precedence_over_a_session_and_a_bad_key_is_not_ignored(firm, member):
    client = Client()
    client.force_login(member(firm, Role.OWNER))
    response = client.get(url(firm, "clients/"), headers={"Authorization": "Bearer fc_wrong"})
    assert response.status_code == 401


def test_profile_pushed_with_a_session_records_the_member(firm, member, work):
    user = member(firm, Role.CONSULTANT)
    client, token = csrf_session(user, firm)
    response = client.post(
        url(firm, f"engagements/{work['engagement_id']}/profiles/"),
        {"name": "Pushed by a person"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201
    assert response.json()["profile_version"]["submitted_by"] == user.email


def test_read_keys_and_viewers_get_403_on_every_write_route(firm, member, read_api, work):
    from tests.api.test_cross_firm import api_routes

    viewer, token = csrf_session(member(firm, Role.VIEWER), firm)
    ids = {"engagements": work["engagement_id"], "recommendations": work["recommendation_id"]}
    before = counts(firm)
    refused = 0
    for route in api_routes():
        kind = route.removeprefix("api/v1/firms/<slug:firm>/").split("/")[0]
        path = "/" + route.replace("<slug:firm>", firm.slug).replace(
            "<int:id>", str(ids.get(kind, work["client_id"]))
        )
        view = resolve(path).func.view_class
        for method in ("post", "patch", "delete"):
            if not hasattr(view, method):
                continue
            by_key = getattr(read_api, method)(path, {"name": "X"})
            by_viewer = getattr(viewer, method)(
                path, {"name": "X"}, content_type="application/json", headers={"X-CSRFToken": token}
            )
            if route.endswith("evaluate"):
                # A POST that writes nothing: read keys and viewers may evaluate.
                assert by_key.status_code == by_viewer.status_code == 200
            else:
                assert by_key.status_code == by_viewer.status_code == 403, (method, path)
                refused += 1
    assert refused == 6  # POST clients, engagements, profiles; PATCH ×2; DELETE a client
    assert counts(firm) == before
