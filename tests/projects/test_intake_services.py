"""Intake services, selectors and the e-mail task: links, binding, saving, submitting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from projects import wizard
from projects.models import EngagementStatus, IntakeDraft, IntakeLink, ProfileVersion, Role
from projects.selectors.intake import intake_panel_context
from projects.services.intake import (
    IntakeInvalid,
    IntakeUnavailable,
    intake_draft_save,
    intake_link_create,
    intake_link_get_by_token,
    intake_link_resend,
    intake_link_revoke,
    intake_reopen,
    intake_start,
    intake_submit,
)
from projects.tasks import send_intake_email
from projects.tenancy.scope import firm_scope
from projects.tokens import token_hash
from tests.factories import (
    ContactFactory,
    EngagementFactory,
    IntakeLinkFactory,
    UserFactory,
    profile_version,
)
from tests.projects.test_intake_wizard import EXPECTED_PROFILE, EXPECTED_UNKNOWN, STEP_DATA

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(firm, member):
    return member(firm, Role.CONSULTANT, email="lena@acme.example", full_name="Lena Lead")


@pytest.fixture
def engagement(firm, lead):
    return EngagementFactory(client__firm=firm, client__name="Tidal Labs", lead=lead)


def create_link(firm, engagement, user, email="Founder@Tidal.example"):
    with firm_scope(firm):
        return intake_link_create(firm=firm, engagement=engagement, created_by=user, email=email)


def fill_all(firm, draft):
    """Answer every step. Call it inside the firm's scope (scopes do not nest: the inner one
    clears the database setting when it ends)."""
    for step in wizard.STEPS:
        draft = intake_draft_save(firm=firm, draft=draft, step=step, data=STEP_DATA[step.slug])
    return draft


# --- Links --------------------------------------------------------------------------------------


def test_a_link_stores_only_the_hash_expires_per_firm_and_is_emailed(
    firm, engagement, lead, settings, django_capture_on_commit_callbacks
):
    settings.FORKCAST_BASE_URL = "https://app.forkcast.example"
    firm.intake_link_days = 5
    firm.accent_colour = "#0f766e"
    firm.save()
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        link, token = create_link(firm, engagement, lead)
    assert link.token_hash == token_hash(token)
    assert token not in {link.token_hash, link.sent_to}
    assert link.sent_to == "founder@tidal.example"
    expected = before + timedelta(days=5)
    assert abs(link.expires_at - expected) < timedelta(seconds=5)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["founder@tidal.example"]
    assert message.reply_to == ["lena@acme.example"]
    assert "Acme Advisory" in message.subject and "Tidal Labs" in message.subject
    assert f"https://app.forkcast.example/intake/{token}/" in message.body
    assert "Lena Lead at Acme Advisory" in message.body
    html = message.alternatives[0][0]
    assert "#0f766e" in html and f"/intake/{token}/" in html


def test_the_email_is_queued_on_commit_only(
    firm, engagement, lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        create_link(firm, engagement, lead)
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_a_bad_address_or_another_firms_engagement_is_refused(firm, other_firm, engagement, lead):
    with pytest.raises(ValidationError) as bad:
        create_link(firm, engagement, lead, email="not-an-address")
    assert "email" in bad.value.message_dict
    foreign = EngagementFactory(client__firm=other_firm)
    with pytest.raises(ValueError, match="another firm"), firm_scope(firm):
        intake_link_create(firm=firm, engagement=foreign, created_by=lead, email="a@b.example")


def test_a_new_link_revokes_the_open_one_and_carries_the_founders_draft(
    firm, engagement, lead, django_capture_on_commit_callbacks
):
    first, _ = create_link(firm, engagement, lead)
    with firm_scope(firm):
        draft = intake_start(firm=firm, link=first)
        intake_draft_save(firm=firm, draft=draft, step=wizard.STEPS[0], data=STEP_DATA["product"])
    # The task runs after the scope ends, as it would after a real commit.
    with django_capture_on_commit_callbacks(execute=True), firm_scope(firm):
        second, token = intake_link_resend(firm=firm, link=first, created_by=lead)
    with firm_scope(firm):
        first.refresh_from_db()
        draft.refresh_from_db()
    assert first.state == "revoked"
    assert second.sent_to == first.sent_to and second.token_hash != first.token_hash
    assert draft.link_id == second.pk
    assert draft.answers["name"] == "Helpdesk Copilot"
    # The e-mail tells the founder their answers are waiting.
    assert "already filled in" in mail.outbox[-1].body
    assert token in mail.outbox[-1].body


def test_revoking_stops_an_open_link_and_leaves_a_submitted_one_alone(firm, engagement, lead):
    link, _ = create_link(firm, engagement, lead)
    done = IntakeLinkFactory(engagement=engagement, submitted_at=timezone.now())
    with firm_scope(firm):
        revoked = intake_link_revoke(firm=firm, link=link)
        assert revoked.state == "revoked"
        with pytest.raises(IntakeUnavailable) as closed:
            intake_start(firm=firm, link=revoked)
        assert closed.value.state == "revoked"
        assert intake_link_revoke(firm=firm, link=done).revoked_at is None


def test_the_token_resolves_across_firms_and_an_unknown_token_resolves_to_nothing(
    firm, other_firm, engagement, lead
):
    link, token = create_link(firm, engagement, lead)
    # From no scope at all, and from another firm's scope: the hash is the key.
    assert intake_link_get_by_token(token=token).pk == link.pk
    with firm_scope(other_firm):
        assert intake_link_get_by_token(token=token).firm == firm
    assert intake_link_get_by_token(token="no-such-token") is None
    assert intake_link_get_by_token(token="") is None


# --- Binding, saving, submitting ----------------------------------------------------------------


def test_start_creates_one_draft_and_sets_started_at_once(firm, engagement, lead):
    link, _ = create_link(firm, engagement, lead)
    with firm_scope(firm):
        draft = intake_start(firm=firm, link=link)
        link.refresh_from_db()
        started = link.started_at
        assert started is not None and link.state == "in_progress"
        again = intake_start(firm=firm, link=link)
        link.refresh_from_db()
        assert again.pk == draft.pk
        assert link.started_at == started
        assert link.last_opened_at >= started
        assert IntakeDraft.objects.filter(link=link).count() == 1


def test_an_expired_link_cannot_be_started(firm, engagement):
    link = IntakeLinkFactory(engagement=engagement, expires_at=timezone.now() - timedelta(1))
    with firm_scope(firm), pytest.raises(IntakeUnavailable) as closed:
        intake_start(firm=firm, link=link)
    assert closed.value.state == "expired"


def test_saving_keeps_invalid_text_and_refuses_after_submission(firm, engagement, lead):
    link, _ = create_link(firm, engagement, lead)
    usage = wizard.step_by_slug("usage")
    with firm_scope(firm):
        draft = intake_start(firm=firm, link=link)
        draft = intake_draft_save(
            firm=firm, draft=draft, step=usage, data={"queries_per_month": "-5"}, position="usage"
        )
        assert draft.answers["queries_per_month"] == "-5"
        assert draft.step == "usage"
        IntakeDraft.objects.filter(pk=draft.pk).update(submitted_at=timezone.now())
        with pytest.raises(IntakeUnavailable):
            intake_draft_save(firm=firm, draft=draft, step=usage, data={})


def test_submit_makes_a_founder_version_and_cannot_be_replayed(firm, engagement, lead):
    link, _ = create_link(firm, engagement, lead)
    with firm_scope(firm):
        draft = fill_all(firm, intake_start(firm=firm, link=link))
        version = intake_submit(firm=firm, link=link, draft=draft)
        assert version.profile == EXPECTED_PROFILE
        assert version.unknown_fields == EXPECTED_UNKNOWN
        assert version.source == "founder" and version.intake_link_id == link.pk
        link.refresh_from_db()
        draft.refresh_from_db()
        engagement.refresh_from_db()
        assert link.submitted_at and draft.submitted_at
        assert engagement.status != EngagementStatus.INTAKE  # on to assessment (and beyond)
        with pytest.raises(IntakeUnavailable) as replay:
            intake_submit(firm=firm, link=link, draft=draft)
        assert replay.value.state == "submitted"
        assert ProfileVersion.objects.filter(engagement=engagement).count() == 1


def test_incomplete_answers_are_refused_and_nothing_is_stored(firm, engagement, lead):
    link, _ = create_link(firm, engagement, lead)
    with firm_scope(firm):
        draft = intake_start(firm=firm, link=link)
        draft = intake_draft_save(
            firm=firm, draft=draft, step=wizard.STEPS[0], data=STEP_DATA["product"]
        )
        with pytest.raises(IntakeInvalid) as invalid:
            intake_submit(firm=firm, link=link, draft=draft)
        assert "knowledge_change" in invalid.value.errors and "name" not in invalid.value.errors
        assert not ProfileVersion.objects.filter(engagement=engagement).exists()
        draft.refresh_from_db()
        assert draft.submitted_at is None and draft.answers["name"] == "Helpdesk Copilot"


def test_an_engine_refusal_comes_back_per_question(firm, engagement, lead, monkeypatch):
    link, _ = create_link(firm, engagement, lead)
    with firm_scope(firm):
        draft = fill_all(firm, intake_start(firm=firm, link=link))
        usage = wizard.step_by_slug("usage")
        data = {**STEP_DATA["usage"], "input_tokens": "100", "few_shot_tokens": "300"}
        draft = intake_draft_save(firm=firm, draft=draft, step=usage, data=data)
        # Suppose the wizard's own check missed it: the engine's word still reaches the question.
        monkeypatch.setattr(wizard, "validate_all", lambda answers, unknown: {})
        with pytest.raises(IntakeInvalid) as invalid:
            intake_submit(firm=firm, link=link, draft=draft)
        assert list(invalid.value.errors) == ["few_shot_tokens"]
        assert "few_shot_tokens" not in invalid.value.errors["few_shot_tokens"][0]
        assert not ProfileVersion.objects.filter(engagement=engagement).exists()


def test_reopen_prefills_a_new_draft_from_the_latest_version(firm, engagement, lead):
    with pytest.raises(ValidationError), firm_scope(firm):
        intake_reopen(firm=firm, engagement=engagement, created_by=lead, email="f@t.example")
    link, _ = create_link(firm, engagement, lead)
    with firm_scope(firm):
        intake_submit(
            firm=firm, link=link, draft=fill_all(firm, intake_start(firm=firm, link=link))
        )
        new, _ = intake_reopen(
            firm=firm, engagement=engagement, created_by=lead, email="f@t.example"
        )
        link.refresh_from_db()
        assert link.state != "revoked"  # the submitted link keeps its history
        draft = IntakeDraft.objects.get(link=new, submitted_at__isnull=True)
        assert draft.step == wizard.REVIEW
        assert wizard.to_profile(draft.answers, draft.unknown) == (
            EXPECTED_PROFILE,
            EXPECTED_UNKNOWN,
        )
        # The founder changes one answer and sends again: a second version.
        product = wizard.step_by_slug("product")
        draft = intake_start(firm=firm, link=new)
        draft = intake_draft_save(
            firm=firm, draft=draft, step=product, data={**STEP_DATA["product"], "stage": "growth"}
        )
        second = intake_submit(firm=firm, link=new, draft=draft)
    assert second.number == 2 and second.profile["stage"] == "growth"


# --- The e-mail task ----------------------------------------------------------------------------


def test_the_task_sends_nothing_for_a_link_that_no_longer_works(firm, engagement, lead):
    link, token = create_link(firm, engagement, lead)
    assert send_intake_email(firm.pk, link.pk, token) is True
    with firm_scope(firm):
        intake_link_revoke(firm=firm, link=link)
    assert send_intake_email(firm.pk, link.pk, token) is False
    assert send_intake_email(firm.pk, 999_999, token) is False
    assert len(mail.outbox) == 1


# --- The panel's selector -----------------------------------------------------------------------


def test_the_panel_follows_the_link_through_its_states(firm, engagement, lead):
    ContactFactory(client=engagement.client, email="ceo@tidal.example", is_primary=True)
    with firm_scope(firm):
        panel = intake_panel_context(firm=firm, engagement=engagement)["intake"]
    assert panel.state == "none" and panel.email == "ceo@tidal.example"
    assert panel.form["email"].value() == "ceo@tidal.example"

    link, _ = create_link(firm, engagement, lead)
    with firm_scope(firm):
        assert intake_panel_context(firm=firm, engagement=engagement)["intake"].state == "sent"
        draft = intake_start(firm=firm, link=link)
        for step in wizard.STEPS[:2]:
            draft = intake_draft_save(firm=firm, draft=draft, step=step, data=STEP_DATA[step.slug])
        panel = intake_panel_context(firm=firm, engagement=engagement)["intake"]
        assert panel.state == "in_progress"
        assert (panel.steps_done, panel.steps_total) == (2, 5)
        assert panel.last_activity is not None and not panel.can_reopen

        intake_submit(firm=firm, link=link, draft=fill_all(firm, draft))
        panel = intake_panel_context(firm=firm, engagement=engagement)["intake"]
        assert panel.state == "submitted" and panel.latest_version.number == 1
        assert panel.can_reopen and panel.draft is None

        # Long after the submission the link has expired, but it still reads "submitted".
        IntakeLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(1))
        assert intake_panel_context(firm=firm, engagement=engagement)["intake"].state == "submitted"


def test_the_panel_shows_expired_and_revoked_links_and_the_history(firm, engagement, lead):
    old, _ = create_link(firm, engagement, lead)
    newer, _ = create_link(firm, engagement, lead, email="cto@tidal.example")
    with firm_scope(firm):
        IntakeLink.objects.filter(pk=newer.pk).update(expires_at=timezone.now() - timedelta(1))
        panel = intake_panel_context(firm=firm, engagement=engagement)["intake"]
        assert panel.state == "expired" and panel.email == "cto@tidal.example"
        assert [link.pk for link in panel.earlier_links] == [old.pk]
        assert not panel.can_reopen  # nothing submitted to reopen
        third, _ = intake_link_create(
            firm=firm, engagement=engagement, created_by=lead, email="cto@tidal.example"
        )
        intake_link_revoke(firm=firm, link=third)
        assert intake_panel_context(firm=firm, engagement=engagement)["intake"].state == "revoked"


def test_the_panel_only_sees_its_own_engagement(firm, engagement, lead):
    other = EngagementFactory(client__firm=firm)
    create_link(firm, other, lead)
    with firm_scope(firm):
        assert intake_panel_context(firm=firm, engagement=engagement)["intake"].state == "none"
    profile_version(other)
    with firm_scope(firm):
        assert (
            intake_panel_context(firm=firm, engagement=engagement)["intake"].latest_version is None
        )


def test_a_link_made_by_someone_outside_the_lead_still_names_a_contact(firm, lead):
    engagement = EngagementFactory(client__firm=firm, lead=None)
    sender = UserFactory(email="sam@acme.example", full_name="Sam Sender")
    link, token = create_link(firm, engagement, sender)
    assert send_intake_email(firm.pk, link.pk, token) is True
    assert mail.outbox[-1].reply_to == ["sam@acme.example"]
    assert "Sam Sender at Acme Advisory" in mail.outbox[-1].body
