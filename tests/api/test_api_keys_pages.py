"""Firm settings → API keys: owners and admins list, create (shown once) and revoke keys."""

from __future__ import annotations

import re

import pytest

from projects.models import ApiKey, Role
from projects.tenancy.scope import firm_scope
from projects.tokens import token_hash
from tests.api.conftest import ApiClient, make_key, url

pytestmark = pytest.mark.django_db


def page(firm, rest: str = "") -> str:
    return f"/f/{firm.slug}/settings/api-keys/{rest}"


def shown_secret(html: str) -> str:
    return re.search(r'id="new-api-key"[^>]*value="(fc_[^"]+)"', html).group(1)


def test_admin_creates_a_key_and_sees_it_once(firm, member, client_for):
    admin = client_for(member(firm, Role.ADMIN, full_name="Ada Admin"))
    response = admin.post(
        page(firm, "new/"), {"name": "CRM sync", "scope": "write", "expires": "90"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    secret = shown_secret(html)
    assert "shown this once" in html
    with firm_scope(firm):
        key = ApiKey.objects.get(name="CRM sync")
    assert key.key_hash == token_hash(secret) and key.scope == "write"
    assert key.expires_at is not None and key.created_by.full_name == "Ada Admin"
    # The key works, and the list never shows the secret again.
    assert ApiClient(secret).get(url(firm, "clients/")).status_code == 200
    listing = admin.get(page(firm)).content.decode()
    assert secret not in listing
    assert key.prefix in listing and "CRM sync" in listing and "Ada Admin" in listing


def test_errors_are_shown_per_field(firm, owner_client):
    response = owner_client.post(page(firm, "new/"), {"name": "", "scope": "root"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "has-error" in html and 'id="new-api-key"' not in html
    with firm_scope(firm):
        assert not ApiKey.objects.exists()


def test_htmx_create_returns_the_panel_only(firm, owner_client):
    response = owner_client.post(
        page(firm, "new/"), {"name": "Zapier", "scope": "read"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="api-keys-panel"')
    assert shown_secret(html).startswith("fc_")


def test_revoke_stops_the_key(firm, owner_client):
    key, secret = make_key(firm, "read", name="Old integration")
    assert ApiClient(secret).get(url(firm, "clients/")).status_code == 200
    response = owner_client.post(page(firm, f"{key.pk}/revoke/"))
    assert response.status_code == 302
    assert ApiClient(secret).get(url(firm, "clients/")).status_code == 401
    listing = owner_client.get(page(firm)).content.decode()
    assert "Revoked" in listing


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.VIEWER])
def test_consultants_and_viewers_may_not_manage_keys(firm, member, client_for, role):
    client = client_for(member(firm, role))
    assert client.get(page(firm)).status_code == 403
    assert client.post(page(firm, "new/"), {"name": "Mine", "scope": "write"}).status_code == 403
    with firm_scope(firm):
        assert not ApiKey.objects.exists()


def test_another_firms_keys_are_404(firm, other_firm, owner_client):
    theirs, secret = make_key(other_firm, "write", name="Their key")
    assert owner_client.get(page(other_firm)).status_code == 404
    assert owner_client.post(page(firm, f"{theirs.pk}/revoke/")).status_code == 404
    assert owner_client.post(page(other_firm, f"{theirs.pk}/revoke/")).status_code == 404
    assert ApiClient(secret).get(url(other_firm, "clients/")).status_code == 200


def test_the_settings_tabs_link_the_page(firm, owner_client):
    html = owner_client.get(f"/f/{firm.slug}/settings/").content.decode()
    assert page(firm) in html
