"""Every firm URL, from the resolver: a viewer's POST never changes anything (403, or 405 where
the URL only reads), and a POST without a CSRF token is refused (403) whoever sends it."""

from __future__ import annotations

import pytest
from django.test import Client

from projects.models import Role
from tests.factories import (
    ClientFactory,
    ContactFactory,
    EngagementFactory,
    IntakeLinkFactory,
    SessionFactory,
    profile_version,
)
from tests.tenancy.test_cross_firm import build, firm_patterns

pytestmark = pytest.mark.django_db


def _own_ids(firm, owner) -> dict[str, int]:
    """One object of each kind in the member's own firm, so every URL resolves to a real row."""
    from advisor.services.library import evidence_add
    from advisor.services.price_books import active_price_book
    from advisor.services.recommendations import (
        current_recommendation,
        override_add,
        recommendation_approve,
        recommendation_deliver,
    )
    from projects.models import ApiKey, FollowUp, Invitation, Membership
    from projects.tenancy.scope import firm_scope
    from tests.factories import InvitationFactory

    client = ClientFactory(firm=firm)
    contact = ContactFactory(client=client)
    engagement = EngagementFactory(client=client)
    session = SessionFactory(engagement=engagement)
    link = IntakeLinkFactory(engagement=engagement)
    invitation = InvitationFactory(firm=firm)
    profile_version(engagement, {"name": "Own product"})
    with firm_scope(firm):
        follow_up = FollowUp.objects.create(firm=firm, session=session, text="Own follow-up")
        recommendation = current_recommendation(firm=firm, engagement=engagement)
        override = override_add(
            firm=firm, recommendation=recommendation, kind="verdict", value="hybrid",
            justification="A justification long enough.", user=owner,
        )  # fmt: skip
        revision = recommendation_approve(firm=firm, recommendation=recommendation, user=owner)
        share_link, _ = recommendation_deliver(firm=firm, recommendation=recommendation, user=owner)
        book = active_price_book(firm=firm)
        entry = evidence_add(
            firm=firm, evidence_id="E-OWN", title="Own", claim="Own claim", source="Own",
            url="", date="2025", figures=[], user=None,
        )  # fmt: skip
        api_key = ApiKey.objects.create(firm=firm, name="Own", prefix="own00000", key_hash="1" * 64)
        membership = Membership.objects.get(firm=firm, user=owner)
        assert Invitation.objects.filter(pk=invitation.pk).exists()
    return {
        "membership_id": membership.pk, "invitation_id": invitation.pk, "client_id": client.pk,
        "contact_id": contact.pk, "engagement_id": engagement.pk, "session_id": session.pk,
        "follow_up_id": follow_up.pk, "link_id": link.pk, "recommendation_id": recommendation.pk,
        "override_id": override.pk, "revision_id": revision.pk, "share_link_id": share_link.pk,
        "price_book_id": book.pk, "evidence_entry_id": entry.pk, "api_key_id": api_key.pk,
    }  # fmt: skip


def test_a_viewer_never_changes_anything(firm, owner, member, client_for):
    ids = _own_ids(firm, owner)
    viewer = client_for(member(firm, Role.VIEWER))
    checked = 0
    for route, _ in firm_patterns():
        path = build(route, firm.slug, ids)
        response = viewer.post(path, {"name": "x", "title": "x", "role": "owner"})
        # The what-if panel computes without saving: looking is allowed, saving is not.
        if route.endswith("what-if/"):
            assert response.status_code == 200, path
            continue
        assert response.status_code in {403, 405}, (path, response.status_code)
        checked += 1
    assert checked >= 40


def test_no_state_change_without_a_csrf_token(firm, owner):
    ids = _own_ids(firm, owner)
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    checked = 0
    for route, _ in firm_patterns():
        path = build(route, firm.slug, ids)
        response = client.post(path, {"name": "x"})
        assert response.status_code == 403, (path, response.status_code)
        checked += 1
    assert checked >= 40
