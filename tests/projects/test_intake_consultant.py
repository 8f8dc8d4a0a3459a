"""The consultant's intake panel and its actions, as full pages and as HTMX fragments; roles;
and every new firm URL against another firm's engagements and links (404, never 403)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from projects import wizard
from projects.models import IntakeDraft, IntakeLink, Role
from projects.services.intake import intake_draft_save, intake_start, intake_submit
from projects.tenancy.scope import firm_scope
from tests.factories import ContactFactory, EngagementFactory, IntakeLinkFactory
from tests.projects.test_intake_wizard import STEP_DATA

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The founder's pages are rate-limited per IP in the cache; start each test clean.
    cache.clear()


@pytest.fixture
def consultant(firm, member):
    return member(firm, Role.CONSULTANT, email="cora@acme.example", full_name="Cora Consultant")


@pytest.fixture
def consultant_client(consultant, client_for):
    return client_for(consultant)


@pytest.fixture
def engagement(firm, consultant):
    engagement = EngagementFactory(client__firm=firm, client__name="Tidal Labs", lead=consultant)
    ContactFactory(client=engagement.client, email="ceo@tidal.example", is_primary=True)
    return engagement


def action(name: str, engagement, **kwargs) -> str:
    return reverse(
        f"projects:{name}",
        kwargs={"firm_slug": engagement.firm.slug, "engagement_id": engagement.pk, **kwargs},
    )


def detail(engagement) -> str:
    return action("engagement-detail", engagement)


def links_of(engagement) -> list[IntakeLink]:
    with firm_scope(engagement.firm):
        return list(IntakeLink.objects.filter(engagement=engagement).order_by("created_at"))


def test_the_engagement_page_shows_the_panel_with_the_founders_address(
    consultant_client, engagement
):
    html = consultant_client.get(detail(engagement)).content.decode()
    assert 'id="intake-panel"' in html and "Founder intake" in html
    assert 'value="ceo@tidal.example"' in html
    assert "Send intake link" in html
    assert "css/intake.css" in html


def test_sending_a_link_redirects_to_the_engagement_and_emails_the_founder(
    consultant_client, engagement, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = consultant_client.post(
            action("intake-link-send", engagement), {"email": "ceo@tidal.example"}
        )
    assert response.status_code == 302 and response["Location"] == detail(engagement)
    [link] = links_of(engagement)
    assert link.sent_to == "ceo@tidal.example" and link.created_by.email == "cora@acme.example"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ceo@tidal.example"]
    page = consultant_client.get(detail(engagement)).content.decode()
    assert "Intake link sent to ceo@tidal.example" in page
    assert 'data-testid="intake-state">Sent<' in page and "Resend link" in page


def test_sending_with_htmx_swaps_the_panel_in_place(
    consultant_client, engagement, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = consultant_client.post(
            action("intake-link-send", engagement), {"email": "ceo@tidal.example"}, **HTMX
        )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="intake-panel"' in html
    assert 'data-testid="intake-state">Sent<' in html
    assert 'hx-swap-oob="true"' in html and "Intake link sent to ceo@tidal.example" in html
    assert "HX-Request" in response["Vary"]
    assert len(mail.outbox) == 1


def test_a_bad_address_keeps_what_was_typed_with_and_without_htmx(consultant_client, engagement):
    response = consultant_client.post(action("intake-link-send", engagement), {"email": "ceo@"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="ceo@"' in html and "Enter a valid email address" in html
    swapped = consultant_client.post(
        action("intake-link-send", engagement), {"email": "ceo@"}, **HTMX
    )
    assert swapped.status_code == 200
    assert "<html" not in swapped.content.decode()
    assert 'value="ceo@"' in swapped.content.decode()
    assert links_of(engagement) == []


def test_resend_makes_a_new_token_and_revokes_the_old_one(
    consultant_client, engagement, django_capture_on_commit_callbacks
):
    old = IntakeLinkFactory(engagement=engagement, sent_to="ceo@tidal.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = consultant_client.post(
            action("intake-link-resend", engagement, link_id=old.pk), **HTMX
        )
    assert response.status_code == 200
    first, second = links_of(engagement)
    assert first.pk == old.pk and first.state == "revoked"
    assert second.state == "sent" and second.sent_to == "ceo@tidal.example"
    assert mail.outbox[0].to == ["ceo@tidal.example"]
    assert "Earlier links (1)" in response.content.decode()


def test_revoke_stops_the_link_for_the_founder(consultant_client, engagement, client):
    token = "revoke-me-" + "a" * 24
    link = IntakeLinkFactory(engagement=engagement, token=token)
    response = consultant_client.post(action("intake-link-revoke", engagement, link_id=link.pk))
    assert response.status_code == 302
    [link] = links_of(engagement)
    assert link.state == "revoked"
    founder = client.get(reverse("intake:landing", kwargs={"token": token}))
    assert founder.status_code == 410


def test_reopen_after_a_submission_sends_a_prefilled_link(
    consultant_client, engagement, django_capture_on_commit_callbacks
):
    firm = engagement.firm
    first = IntakeLinkFactory(engagement=engagement)
    with firm_scope(firm):
        draft = intake_start(firm=firm, link=first)
        for step in wizard.STEPS:
            draft = intake_draft_save(firm=firm, draft=draft, step=step, data=STEP_DATA[step.slug])
        intake_submit(firm=firm, link=first, draft=draft)
    page = consultant_client.get(detail(engagement)).content.decode()
    assert 'data-testid="intake-state">Submitted<' in page and "Reopen intake" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = consultant_client.post(
            action("intake-reopen", engagement), {"email": "ceo@tidal.example"}, **HTMX
        )
    assert response.status_code == 200 and "Intake reopened" in response.content.decode()
    _, new = links_of(engagement)
    with firm_scope(firm):
        prefilled = IntakeDraft.objects.get(link=new)
    assert prefilled.answers["name"] == "Helpdesk Copilot"
    assert "already filled in" in mail.outbox[0].body
    # The founder's new link opens on the review page, every answer already there.
    landing = re.search(r"/intake/\S+/", mail.outbox[0].body).group(0)
    founder = Client()
    assert "Review your answers" in founder.get(landing).content.decode()
    response = founder.post(landing)
    assert response.status_code == 302 and response["Location"] == landing + "review/"
    assert "Live with first users" in founder.get(landing + "review/").content.decode()


def test_reopen_without_a_submission_says_why(consultant_client, engagement):
    response = consultant_client.post(
        action("intake-reopen", engagement), {"email": "ceo@tidal.example"}
    )
    assert response.status_code == 400
    assert "Nothing has been submitted yet" in response.content.decode()
    assert links_of(engagement) == []


def test_the_panel_fragment_is_for_htmx_and_a_plain_visit_goes_to_the_page(
    consultant_client, engagement
):
    fragment = consultant_client.get(action("intake-panel", engagement), **HTMX)
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    plain = consultant_client.get(action("intake-panel", engagement))
    assert plain.status_code == 302 and plain["Location"] == detail(engagement)


def test_viewers_see_the_panel_but_cannot_act(firm, member, client_for, engagement):
    viewer = client_for(member(firm, Role.VIEWER))
    link = IntakeLinkFactory(engagement=engagement)
    page = viewer.get(detail(engagement)).content.decode()
    assert "Founder intake" in page and "Resend link" not in page and "Revoke" not in page
    posts = [
        (action("intake-link-send", engagement), {"email": "x@y.example"}),
        (action("intake-link-resend", engagement, link_id=link.pk), {}),
        (action("intake-link-revoke", engagement, link_id=link.pk), {}),
        (action("intake-reopen", engagement), {"email": "x@y.example"}),
    ]
    for path, data in posts:
        assert viewer.post(path, data).status_code == 403
    assert [link.state for link in links_of(engagement)] == ["sent"]


def test_a_link_of_another_engagement_is_404_even_in_the_same_firm(
    consultant_client, engagement, firm
):
    other = EngagementFactory(client__firm=firm)
    foreign_link = IntakeLinkFactory(engagement=other)
    path = action("intake-link-revoke", engagement, link_id=foreign_link.pk)
    assert consultant_client.post(path).status_code == 404
    assert links_of(other)[0].state == "sent"


# --- Cross-firm isolation -----------------------------------------------------------------------

FIRM_URLS = [
    ("intake-panel", False, "get"),
    ("intake-link-send", False, "post"),
    ("intake-reopen", False, "post"),
    ("intake-link-resend", True, "post"),
    ("intake-link-revoke", True, "post"),
]


@pytest.mark.parametrize(("name", "needs_link", "method"), FIRM_URLS)
def test_every_intake_url_is_404_for_another_firms_engagement_and_link(
    name, needs_link, method, firm, other_firm, consultant_client, engagement
):
    theirs = EngagementFactory(client__firm=other_firm)
    their_link = IntakeLinkFactory(engagement=theirs, expires_at=timezone.now() + timedelta(3))
    kwargs = {"engagement_id": theirs.pk}
    if needs_link:
        kwargs["link_id"] = their_link.pk
    call = getattr(consultant_client, method)
    data = {"email": "attacker@example.com"} if method == "post" else {}
    # A member of firm A, with A's slug and B's ids...
    mine = reverse(f"projects:{name}", kwargs={"firm_slug": firm.slug, **kwargs})
    assert call(mine, data).status_code == 404
    # ...and with B's slug (not a member there).
    theirs_url = reverse(f"projects:{name}", kwargs={"firm_slug": other_firm.slug, **kwargs})
    assert call(theirs_url, data).status_code == 404
    # A's own engagement with B's link id.
    if needs_link:
        mixed = reverse(
            f"projects:{name}",
            kwargs={
                "firm_slug": firm.slug,
                "engagement_id": engagement.pk,
                "link_id": their_link.pk,
            },
        )
        assert call(mixed, data).status_code == 404
    with firm_scope(other_firm):
        assert [link.state for link in IntakeLink.objects.filter(engagement=theirs)] == ["sent"]
    assert links_of(engagement) == []


def test_the_panel_names_the_version_the_founder_submitted_not_a_later_one(
    firm, owner, owner_client
):
    from projects.models import IntakeLink
    from projects.services.intake import intake_link_create
    from projects.tenancy.scope import firm_scope
    from tests.factories import EngagementFactory, profile_version

    engagement = EngagementFactory(client__firm=firm, title="Panel versions")
    with firm_scope(firm):
        link, _ = intake_link_create(
            firm=firm, engagement=engagement, created_by=owner, email="f@example.com"
        )
    profile_version(engagement, {"name": "From the founder"}, source="founder", intake_link=link)
    with firm_scope(firm):
        IntakeLink.objects.filter(pk=link.pk).update(submitted_at=link.created_at)
    profile_version(engagement, {"name": "Corrected"}, source="consultant", submitted_by=owner)
    page = owner_client.get(f"/f/{firm.slug}/engagements/{engagement.pk}/")
    panel = page.context["intake"]
    assert (panel.submitted_version.number, panel.latest_version.number) == (1, 2)
    assert "version 1</a>" in page.content.decode()
