"""The firm's navigation, kept drawn per process: what it shows follows the page and the
member's role, whoever asked for the same page before."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from projects.models import Role

pytestmark = pytest.mark.django_db


def _nav(response) -> str:  # type: ignore[no-untyped-def]
    html = response.content.decode()
    return re.search(r'<nav class="nav" aria-label="Firm">(.*?)</nav>', html, re.S).group(1)


def _current(nav: str) -> list[str]:
    return re.findall(r'aria-current="page">.*?</svg>\s*([A-Za-z]+)', nav, re.S)


def test_the_current_link_and_the_admin_links_follow_the_page_and_the_role(
    firm, owner_client, member, client_for
):
    viewer = client_for(member(firm, Role.VIEWER))
    dashboard = reverse("projects:dashboard", kwargs={"firm_slug": firm.slug})
    clients = reverse("projects:clients", kwargs={"firm_slug": firm.slug})

    owners = _nav(owner_client.get(dashboard))
    viewers = _nav(viewer.get(dashboard))  # the same page, drawn for a viewer
    assert "Members" in owners and "Members" not in viewers
    assert _current(owners) == _current(viewers) == ["Dashboard"]
    # Another page: another current link, for both, in either order of asking.
    assert _current(_nav(viewer.get(clients))) == ["Clients"]
    assert _current(_nav(owner_client.get(clients))) == ["Clients"]
    assert _nav(owner_client.get(dashboard)) == owners
