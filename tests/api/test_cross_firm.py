"""Every API route, enumerated from the resolver, tried with every method against another firm:
404, and not a trace of the other firm in the body. Routes added later are covered without
editing this file; a new `<int:…>` kwarg needs an object in `victim`."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from advisor.models import Recommendation
from advisor.services.recommendations import override_add
from projects.models import Role
from projects.tenancy.scope import firm_scope
from tests.api.conftest import ApiClient, book_of_work, counts, make_key
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
MARKER = "Rivalmarker"
METHODS = ("get", "post", "patch", "delete")
BODY = {"name": "X", "title": "Y", "client": 1}


def api_routes() -> list[str]:
    """Route templates of every pattern under /api/v1/firms/<slug:firm>/."""
    found: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if route.startswith("api/v1/firms/<slug:firm>/"):
                    found.append(route)

    walk(get_resolver().url_patterns, "")
    return found


@pytest.fixture
def victim(other_firm):
    other_firm.name = f"{MARKER} Partners"
    other_firm.save()
    ids = book_of_work(other_firm, marker=MARKER)
    owner = MembershipFactory(firm=other_firm, role=Role.OWNER).user
    with firm_scope(other_firm):
        override_add(
            firm=other_firm,
            recommendation=Recommendation.objects.get(pk=ids["recommendation_id"]),
            kind="verdict",
            value="hybrid",
            justification=f"{MARKER} justification text",
            user=owner,
        )
    return ids


def build(route: str, slug: str, object_id: int) -> str:
    path = "/" + route.replace("<slug:firm>", slug).replace("<int:id>", str(object_id))
    assert "<" not in path, f"no cross-firm object for a kwarg in {route}: extend `victim`"
    return path


def ids_for(route: str, victim: dict) -> list[int]:
    """The victim's ids worth trying on a route: every kind, so a route that takes, say, an
    engagement id is tried with the victim's engagement id as well."""
    if "<int:id>" not in route:
        return [0]
    return sorted({victim[k] for k in ("client_id", "engagement_id", "recommendation_id")})


def test_the_matrix_covers_every_api_route():
    routes = api_routes()
    assert len(routes) == 11, routes


@pytest.mark.parametrize("app_filter", [True, False], ids=["app+rls", "rls-only"])
def test_another_firms_key_and_objects_answer_404_on_every_route(
    firm, other_firm, victim, app_filter
):
    own = ApiClient(make_key(firm, "write")[1])
    before = counts(other_firm)
    attempts = 0
    with override_settings(FORKCAST_APP_FIRM_FILTER=app_filter):
        for route in api_routes():
            for object_id in ids_for(route, victim):
                for method in METHODS:
                    # The other firm's URL with our key; and our URL with the other firm's ids.
                    for slug in (other_firm.slug, firm.slug):
                        if slug == firm.slug and "<int:id>" not in route:
                            continue
                        path = build(route, slug, object_id)
                        response = getattr(own, method)(path, BODY if method != "get" else None)
                        attempts += 1
                        body = response.content.decode(errors="replace")
                        assert MARKER.lower() not in body.lower(), (method, path, body[:200])
                        if slug == other_firm.slug:
                            assert response.status_code in {404, 405}, (method, path)
                        else:
                            missing = getattr(own, method)(
                                build(route, slug, 999_999_999), BODY if method != "get" else None
                            )
                            assert response.status_code == missing.status_code, (method, path)
                            assert response.json() == missing.json(), (method, path)
    assert attempts > 60
    # Whatever was tried, nothing of the other firm changed.
    assert counts(other_firm) == before


def test_the_404_for_another_firm_is_the_404_for_an_unknown_one(firm, other_firm, victim):
    theirs = ApiClient(make_key(other_firm)[1])
    for route in api_routes():
        path_unknown = build(route, "no-such-firm", victim["client_id"])
        path_other = build(route, firm.slug, victim["client_id"])
        unknown, other = theirs.get(path_unknown), theirs.get(path_other)
        assert unknown.status_code in {404, 405}
        assert (unknown.status_code, unknown.content) == (other.status_code, other.content)
