"""Every firm URL, enumerated from the resolver, aimed at another firm's objects: 404, and not
a trace of the other firm in the body. Routes added later are covered without editing this."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from advisor.services.library import evidence_add
from advisor.services.price_books import active_price_book
from advisor.services.recommendations import (
    current_recommendation,
    override_add,
    recommendation_approve,
    recommendation_deliver,
)
from projects.models import ApiKey, FollowUp, Role
from projects.tenancy.scope import firm_scope
from tests.factories import (
    ClientFactory,
    ContactFactory,
    EngagementFactory,
    IntakeLinkFactory,
    InvitationFactory,
    MembershipFactory,
    SessionFactory,
    profile_version,
)

pytestmark = pytest.mark.django_db
MARKER = "Rivalmarker"


def firm_patterns() -> list[tuple[str, list[str]]]:
    """(route template, kwarg names) of every pattern under /f/<firm_slug>/."""
    found: list[tuple[str, list[str]]] = []

    def walk(patterns, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if "<slug:firm_slug>" in route:
                    found.append((route, list(p.pattern.converters)))

    walk(get_resolver().url_patterns, "")
    return found


@pytest.fixture
def victim(other_firm):
    other_firm.name = f"{MARKER} Partners"
    other_firm.save()
    victim_member = MembershipFactory(
        firm=other_firm, role=Role.CONSULTANT, user__email=f"{MARKER.lower()}@rival.example"
    )
    invitation = InvitationFactory(firm=other_firm, email=f"{MARKER.lower()}-invite@rival.example")
    client = ClientFactory(firm=other_firm, name=f"{MARKER} Client")
    contact = ContactFactory(client=client, name=f"{MARKER} Founder")
    engagement = EngagementFactory(client=client, title=f"{MARKER} engagement")
    session = SessionFactory(engagement=engagement, title=f"{MARKER} session")
    with firm_scope(other_firm):
        follow_up = FollowUp.objects.create(
            firm=other_firm, session=session, text=f"{MARKER} follow-up"
        )
    link = IntakeLinkFactory(engagement=engagement)
    profile_version(engagement, {"name": f"{MARKER} product"})
    victim_owner = MembershipFactory(firm=other_firm, role=Role.OWNER).user
    with firm_scope(other_firm):
        recommendation = current_recommendation(firm=other_firm, engagement=engagement)
        override = override_add(
            firm=other_firm, recommendation=recommendation, kind="verdict", value="hybrid",
            justification=f"{MARKER} justification text", user=victim_owner,
        )  # fmt: skip
        revision = recommendation_approve(
            firm=other_firm, recommendation=recommendation, user=victim_owner
        )
        share_link, _ = recommendation_deliver(
            firm=other_firm, recommendation=recommendation, user=victim_owner
        )
        lib_book = active_price_book(firm=other_firm)
        lib_entry = evidence_add(
            firm=other_firm, evidence_id="E-RIVAL", title=f"{MARKER} claim", claim=MARKER,
            source=MARKER, url="", date="2025", figures=[], user=None,
        )  # fmt: skip
        api_key = ApiKey.objects.create(
            firm=other_firm, name=f"{MARKER} key", prefix="rival000", key_hash="0" * 64
        )
    return {
        "membership_id": victim_member.pk,
        "invitation_id": invitation.pk,
        "client_id": client.pk,
        "contact_id": contact.pk,
        "engagement_id": engagement.pk,
        "session_id": session.pk,
        "follow_up_id": follow_up.pk,
        "link_id": link.pk,
        "recommendation_id": recommendation.pk,
        "override_id": override.pk,
        "revision_id": revision.pk,
        "share_link_id": share_link.pk,
        "price_book_id": lib_book.pk,
        "evidence_entry_id": lib_entry.pk,
        "api_key_id": api_key.pk,
    }


def build(route: str, firm_slug: str, ids: dict[str, int]) -> str:
    path = "/" + route.replace("<slug:firm_slug>", firm_slug)
    for name, value in ids.items():
        path = path.replace(f"<int:{name}>", str(value))
    assert "<" not in path, f"no cross-firm object for a kwarg in {route}: add one to `victim`"
    return path


def test_the_matrix_covers_every_firm_route():
    routes = firm_patterns()
    assert len(routes) >= 25


@pytest.mark.parametrize("app_filter", [True, False], ids=["app+rls", "rls-only"])
@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.CONSULTANT, Role.VIEWER])
def test_other_firms_objects_answer_404_for_every_role(
    firm, other_firm, victim, member, client_for, role, app_filter
):
    user = member(firm, role)
    client = client_for(user)
    attempts = 0
    with override_settings(FORKCAST_APP_FIRM_FILTER=app_filter):
        for route, _ in firm_patterns():
            for slug in (firm.slug, other_firm.slug):
                path = build(route, slug, victim)
                for method in ("get", "post"):
                    response = getattr(client, method)(
                        path, {"role": "viewer", "email": "x@example.com", "name": "X"}
                    )
                    attempts += 1
                    body = response.content.decode(errors="replace")
                    if slug == other_firm.slug:
                        assert response.status_code in {404, 405}, (method, path)
                    elif "_id>" in route:
                        # Own firm's URL, other firm's id: exactly what a missing id gets
                        # (404, or the role's 403 before any lookup) — existence never leaks.
                        missing = getattr(client, method)(
                            build(route, slug, dict.fromkeys(victim, 999_999)),
                            {"role": "viewer"},
                        )
                        assert response.status_code == missing.status_code, (method, path)
                        assert response.status_code in {403, 404, 405}, (method, path)
                    assert not (200 <= response.status_code < 300 and MARKER in body), path
                    assert MARKER.lower() not in body.lower(), (method, path)
    # The victim's rows are untouched whatever was tried.
    with firm_scope(other_firm):
        from projects.models import Invitation, Membership

        assert Membership.objects.get(pk=victim["membership_id"]).role == Role.CONSULTANT
        assert Invitation.objects.get(pk=victim["invitation_id"]).state == "pending"
    assert attempts == len(firm_patterns()) * 4


def test_unknown_firm_and_non_member_get_the_same_404(firm, other_firm, member, client_for):
    client = client_for(member(firm))
    not_member = client.get(f"/f/{other_firm.slug}/")
    missing = client.get("/f/no-such-firm/")
    assert not_member.status_code == missing.status_code == 404

    def normalise(content: bytes) -> str:
        # Per-response nonces and CSRF tokens aside, the pages are identical.
        return re.sub(r'(nonce="|X-CSRFToken": ")[^"]+', "", content.decode())

    assert normalise(not_member.content) == normalise(missing.content)
