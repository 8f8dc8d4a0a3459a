"""Firm settings, members and invitations: services through the full URL stack."""

from __future__ import annotations

import io
import re

import pytest
from django.core import mail
from django.urls import reverse
from PIL import Image

from projects.models import Invitation, Membership, Role
from projects.tenancy.scope import firm_scope
from tests.factories import InvitationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(name: str, firm, **kwargs) -> str:
    return reverse(f"projects:{name}", kwargs={"firm_slug": firm.slug, **kwargs})


def _png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "#123456").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "logo.png"
    return buffer


def test_dashboard_shows_members_and_pending_invitations(firm, owner, owner_client, member):
    member(firm, Role.VIEWER, email="val@acme.example", full_name="Val Viewer")
    InvitationFactory(firm=firm, email="new.hire@acme.example")
    response = owner_client.get(url("dashboard", firm))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Val Viewer" in body and "new.hire@acme.example" in body
    assert response.context["member_count"] == 2
    assert re.search(r'data-testid="pending-count">1<', body)


def test_owner_updates_branding_and_logo(firm, owner_client):
    response = owner_client.post(
        url("firm-settings", firm),
        {
            "name": "Acme Advisory",
            "display_name": "Acme",
            "accent_colour": "#0F766E",
            "logo_upload": _png(),
        },
    )
    assert response.status_code == 302
    firm.refresh_from_db()
    assert firm.display_name == "Acme" and firm.accent_colour == "#0f766e"
    assert firm.logo_content_type == "image/png" and bytes(firm.logo).startswith(b"\x89PNG")
    page = owner_client.get(url("dashboard", firm))
    assert b"--accent: #0f766e" in page.content
    assert b"data:image/png;base64," in page.content


def test_branding_rejects_bad_colour_and_non_image_keeping_input(firm, owner_client):
    bad = io.BytesIO(b"<svg onload=alert(1)>")
    bad.name = "logo.svg"
    response = owner_client.post(
        url("firm-settings", firm),
        {"name": "Acme Renamed", "display_name": "", "accent_colour": "red;}", "logo_upload": bad},
    )
    assert response.status_code == 200
    assert "accent_colour" in response.context["form"].errors
    assert b'value="Acme Renamed"' in response.content
    firm.refresh_from_db()
    assert firm.name == "Acme Advisory"


def test_invitation_is_emailed_with_a_token_stored_only_as_hash(
    firm, owner, owner_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            url("invitation-new", firm), {"email": "Dana@Client.example", "role": "consultant"}
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["dana@client.example"]
    assert "Acme Advisory" in message.subject
    token = re.search(r"/invitations/([^/\s]+)/", message.body).group(1)
    with firm_scope(firm):
        invitation = Invitation.objects.get()
    assert invitation.token_hash != token and len(invitation.token_hash) == 64
    assert token not in str(Invitation.dangerously_unscoped_objects.values())


def test_invite_form_errors_are_per_field(firm, owner, owner_client, member):
    member(firm, email="already@acme.example")
    response = owner_client.post(
        url("invitation-new", firm), {"email": "already@acme.example", "role": "consultant"}
    )
    assert response.status_code == 400
    assert "email" in response.context["invite_form"].errors
    response = owner_client.post(url("invitation-new", firm), {"email": "nope", "role": "owner"})
    errors = response.context["invite_form"].errors
    assert "email" in errors and "role" in errors
    assert not mail.outbox


def test_invite_over_htmx_returns_only_the_invitations_fragment(firm, owner, owner_client):
    response = owner_client.post(
        url("invitation-new", firm),
        {"email": "frag@example.com", "role": "viewer"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and 'id="invitations"' in body
    assert "frag@example.com" in body
    assert 'hx-swap-oob="true"' in body  # the messages region updates out of band


def test_accepting_an_invitation_joins_the_firm_once(firm, owner, client):
    invitee = UserFactory(email="joiner@example.com")
    InvitationFactory(firm=firm, email="joiner@example.com", token="tok-join", role="viewer")
    landing = client.get(reverse("invitation-accept", kwargs={"token": "tok-join"}))
    assert landing.status_code == 200 and b"Create an account to join" in landing.content
    client.force_login(invitee)
    # A GET consumes nothing (mail scanners open links first).
    client.get(reverse("invitation-accept", kwargs={"token": "tok-join"}))
    with firm_scope(firm):
        assert not Membership.objects.filter(user=invitee).exists()
    joined = client.post(reverse("invitation-accept", kwargs={"token": "tok-join"}))
    assert joined.status_code == 302
    with firm_scope(firm):
        assert Membership.objects.get(user=invitee).role == "viewer"
    replay = client.post(reverse("invitation-accept", kwargs={"token": "tok-join"}))
    assert replay.status_code == 410 and b"accepted" in replay.content


def test_invitation_for_another_address_is_refused(firm, owner, client):
    InvitationFactory(firm=firm, email="right@example.com", token="tok-addr")
    client.force_login(UserFactory(email="wrong@example.com"))
    response = client.post(reverse("invitation-accept", kwargs={"token": "tok-addr"}))
    assert response.status_code == 200 and b"sent to right@example.com" in response.content
    with firm_scope(firm):
        assert Membership.objects.count() == 1


@pytest.mark.parametrize("state", ["revoked", "expired", "unknown"])
def test_revoked_expired_and_unknown_links_explain_themselves(firm, owner, owner_client, state):
    from datetime import timedelta

    from django.utils import timezone

    inv = InvitationFactory(firm=firm, token="tok-state", email="owner@acme.example")
    if state == "revoked":
        owner_client.post(url("invitation-revoke", firm, invitation_id=inv.pk))
    elif state == "expired":
        with firm_scope(firm):
            Invitation.objects.filter(pk=inv.pk).update(
                expires_at=timezone.now() - timedelta(minutes=1)
            )
    token = "tok-state" if state != "unknown" else "not-a-token"
    response = owner_client.post(reverse("invitation-accept", kwargs={"token": token}))
    assert response.status_code in (404, 410)
    expected = {"revoked": b"was withdrawn", "expired": b"has expired", "unknown": b"not valid"}
    assert expected[state] in response.content


def test_role_changes_and_removal_never_leave_a_firm_without_owner(firm, owner, owner_client):
    with firm_scope(firm):
        mine = Membership.objects.get(user=owner)
    response = owner_client.post(url("member-role", firm, membership_id=mine.pk), {"role": "admin"})
    assert response.status_code == 302
    with firm_scope(firm):
        assert Membership.objects.get(pk=mine.pk).role == "owner"
    owner_client.post(url("member-remove", firm, membership_id=mine.pk))
    with firm_scope(firm):
        assert Membership.objects.filter(pk=mine.pk).exists()


def test_admin_manages_consultants_but_not_owners(firm, owner, member, client_for):
    admin = member(firm, Role.ADMIN)
    consultant = member(firm, Role.CONSULTANT)
    with firm_scope(firm):
        owner_m = Membership.objects.get(user=owner)
        cons_m = Membership.objects.get(user=consultant)
    client = client_for(admin)
    client.post(url("member-role", firm, membership_id=cons_m.pk), {"role": "viewer"})
    client.post(url("member-role", firm, membership_id=owner_m.pk), {"role": "viewer"})
    with firm_scope(firm):
        assert Membership.objects.get(pk=cons_m.pk).role == "viewer"
        assert Membership.objects.get(pk=owner_m.pk).role == "owner"
    # Promoting someone to owner is an owner's decision.
    response = client.post(url("member-role", firm, membership_id=cons_m.pk), {"role": "owner"})
    assert response.status_code == 403


def test_second_owner_can_then_step_down(firm, owner, owner_client, member):
    co = member(firm, Role.ADMIN)
    with firm_scope(firm):
        co_m = Membership.objects.get(user=co)
        mine = Membership.objects.get(user=owner)
    owner_client.post(url("member-role", firm, membership_id=co_m.pk), {"role": "owner"})
    owner_client.post(url("member-role", firm, membership_id=mine.pk), {"role": "admin"})
    with firm_scope(firm):
        assert Membership.objects.get(pk=co_m.pk).role == "owner"
        assert Membership.objects.get(pk=mine.pk).role == "admin"


@pytest.mark.parametrize(
    ("role", "name", "method", "expected"),
    [
        ("viewer", "dashboard", "get", 200),
        ("viewer", "firm-settings", "get", 403),
        ("viewer", "members", "get", 403),
        ("viewer", "invitation-new", "post", 403),
        ("consultant", "dashboard", "get", 200),
        ("consultant", "firm-settings", "post", 403),
        ("consultant", "invitation-new", "post", 403),
        ("admin", "members", "get", 200),
        ("admin", "firm-settings", "get", 200),
    ],
)
def test_roles_are_checked_at_the_choke_point(
    firm, member, client_for, role, name, method, expected
):
    client = client_for(member(firm, role))
    response = getattr(client, method)(
        url(name, firm), {"email": "z@example.com", "role": "viewer"}
    )
    assert response.status_code == expected


def test_member_of_two_firms_moves_between_them_through_the_url(
    firm, other_firm, member, client_for
):
    user = member(firm, Role.CONSULTANT)
    MembershipFactory(firm=other_firm, user=user, role=Role.VIEWER)
    client = client_for(user)
    a = client.get(url("dashboard", firm))
    b = client.get(url("dashboard", other_firm))
    assert a.context["membership"].role == "consultant" and a.context["firm"] == firm
    assert b.context["membership"].role == "viewer" and b.context["firm"] == other_firm
    # The switcher reads the user's firms when it opens: its fragment lists the other firm.
    switcher = client.get(url("firm-switcher", firm), HTTP_HX_REQUEST="true")
    assert b"Rival Partners" in switcher.content and b'aria-current="true"' in switcher.content
    assert url("firm-switcher", firm).encode() in a.content


def test_the_firm_sets_how_long_new_intake_links_last(firm, owner, owner_client):
    from projects.services.intake import intake_link_create
    from projects.tenancy.scope import firm_scope
    from tests.factories import EngagementFactory

    settings_url = url("firm-settings", firm)
    fields = {"name": "Acme Advisory", "display_name": "", "accent_colour": "#4f46e5"}
    refused = owner_client.post(settings_url, {**fields, "intake_link_days": "120"})
    assert refused.status_code == 200
    assert b'value="120"' in refused.content  # what was typed stays
    assert "90" in refused.context["form"].errors["intake_link_days"][0]
    assert owner_client.post(settings_url, {**fields, "intake_link_days": "30"}).status_code == 302
    firm.refresh_from_db()
    assert firm.intake_link_days == 30
    with firm_scope(firm):
        engagement = EngagementFactory(client__firm=firm)
        link, _token = intake_link_create(
            firm=firm, engagement=engagement, created_by=owner, email="founder@example.com"
        )
    assert abs((link.expires_at - link.created_at).days - 30) <= 1
