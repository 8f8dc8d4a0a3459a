"""Writes of the founder intake: links (create, resend, revoke, reopen), binding a browser to a
link's draft, saving answers, and submitting them as a profile version.

A link's token is a secret: only its hash is stored, and resolving it to its firm is the one
read across firms (`intake_link_get_by_token`). Everything else runs in the firm's scope.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from advisor.engine import ProfileError
from projects import wizard
from projects.models import (
    Engagement,
    Firm,
    IntakeDraft,
    IntakeLink,
    ProfileSource,
    ProfileVersion,
    User,
)
from projects.services.profiles import profile_version_create
from projects.tenancy.scope import dangerously_unscoped
from projects.tokens import new_token, token_hash

# States in which a founder may still start and answer (the model's `state` values).
OPEN_STATES = frozenset({"sent", "in_progress"})


class IntakeUnavailable(Exception):
    """The link can no longer be used: `state` says why (expired, revoked, submitted)."""

    def __init__(self, state: str) -> None:
        self.state = state
        super().__init__(f"This intake link is {state}.")


class IntakeInvalid(Exception):
    """The answers cannot be submitted yet: `errors` maps question keys to messages."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors = {key: list(value) for key, value in errors.items()}
        super().__init__("; ".join(m for msgs in self.errors.values() for m in msgs))


def founder_state(link: IntakeLink) -> str:
    """What a founder opening the link should see. A submitted link says "thank you" even after
    it expires (that is more useful than "expired"); a revoked one is revoked."""
    if link.revoked_at:
        return "revoked"
    if link.submitted_at:
        return "submitted"
    return link.state


def _check_engagement(firm: Firm, engagement: Engagement) -> None:
    if engagement.firm_id != firm.pk:
        raise ValueError("The engagement belongs to another firm.")


def _check_link(firm: Firm, link: IntakeLink) -> None:
    if link.firm_id != firm.pk:
        raise ValueError("The intake link belongs to another firm.")


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Enter the founder's e-mail address."}) from None
    return email


# --- Links (consultant side) --------------------------------------------------------------------


@transaction.atomic
def intake_link_create(
    *, firm: Firm, engagement: Engagement, created_by: User | None, email: str
) -> tuple[IntakeLink, str]:
    """Create a link to the engagement's intake and e-mail it; returns the link and its raw
    token (only the hash is stored). Valid for `firm.intake_link_days`.

    Earlier links still open are revoked: one engagement has one live link. A draft the founder
    started on an earlier link moves to the new one, so resending never loses their answers.
    """
    _check_engagement(firm, engagement)
    email = _clean_email(email)
    # Serialise link changes per engagement: two consultants clicking at once leave one link.
    Engagement.objects.select_for_update().get(firm=firm, pk=engagement.pk)
    now = timezone.now()
    IntakeLink.objects.filter(
        firm=firm,
        engagement=engagement,
        revoked_at__isnull=True,
        submitted_at__isnull=True,
        expires_at__gt=now,
    ).update(revoked_at=now)
    raw, digest = new_token()
    link = IntakeLink.objects.create(
        firm=firm,
        engagement=engagement,
        token_hash=digest,
        sent_to=email,
        created_by=created_by,
        expires_at=now + timedelta(days=firm.intake_link_days),
    )
    carried = (
        IntakeDraft.objects.filter(
            firm=firm, engagement=engagement, link__isnull=False, submitted_at__isnull=True
        )
        .exclude(link=link)
        .order_by("-updated_at")
        .first()
    )
    if carried is not None:
        # update(), not save(): moving the draft is not founder activity (updated_at stays).
        IntakeDraft.objects.filter(firm=firm, pk=carried.pk).update(link=link)
    _queue_email(firm, link, raw)
    return link, raw


def _queue_email(firm: Firm, link: IntakeLink, raw: str) -> None:
    from projects.tasks import send_intake_email

    firm_id, link_id = firm.pk, link.pk
    transaction.on_commit(lambda: send_intake_email.delay(firm_id, link_id, raw))


def intake_link_resend(
    *, firm: Firm, link: IntakeLink, created_by: User | None, email: str | None = None
) -> tuple[IntakeLink, str]:
    """A fresh token for the same engagement (to the same address unless another is given);
    the old link is revoked and the founder's answers carry over."""
    _check_link(firm, link)
    engagement = Engagement.objects.get(firm=firm, pk=link.engagement_id)
    return intake_link_create(
        firm=firm, engagement=engagement, created_by=created_by, email=email or link.sent_to
    )


def intake_link_revoke(*, firm: Firm, link: IntakeLink) -> IntakeLink:
    """Stop a link from working. Idempotent; a submitted link stays as it is (its history)."""
    _check_link(firm, link)
    with transaction.atomic():
        locked = IntakeLink.objects.select_for_update().get(firm=firm, pk=link.pk)
        if locked.state in OPEN_STATES:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
    return locked


@transaction.atomic
def intake_reopen(
    *, firm: Firm, engagement: Engagement, created_by: User | None, email: str
) -> tuple[IntakeLink, str]:
    """Send the founder a fresh link whose draft starts from the latest profile version, so
    they correct their answers instead of retyping them. The next submission is a new version.
    A draft already open (an earlier reopen being answered) is carried over instead."""
    _check_engagement(firm, engagement)
    latest = (
        ProfileVersion.objects.filter(firm=firm, engagement=engagement).order_by("-number").first()
    )
    if latest is None:
        raise ValidationError("Nothing has been submitted yet: send an intake link instead.")
    link, raw = intake_link_create(
        firm=firm, engagement=engagement, created_by=created_by, email=email
    )
    if not IntakeDraft.objects.filter(firm=firm, link=link, submitted_at__isnull=True).exists():
        answers, unknown = wizard.from_profile(latest.profile, latest.unknown_fields)
        IntakeDraft.objects.create(
            firm=firm,
            engagement=engagement,
            link=link,
            answers=answers,
            unknown=unknown,
            # Straight to the review page: every answer at a glance, each step one click away.
            step=wizard.REVIEW,
        )
    return link, raw


# --- The founder's side -------------------------------------------------------------------------


def intake_link_get_by_token(*, token: str) -> IntakeLink | None:
    """Resolve a link from its secret token. The only cross-firm read of the intake: by hash."""
    if not token or len(token) > 200:
        return None
    with dangerously_unscoped(reason="resolve an intake link from its secret token"):
        return (
            IntakeLink.objects.filter(token_hash=token_hash(token))
            .select_related("firm", "engagement__client", "engagement__lead", "created_by")
            .first()
        )


def intake_start(*, firm: Firm, link: IntakeLink) -> IntakeDraft:
    """Bind a browser to the link: return its one open draft, creating it on first use.

    The link's row is locked, so concurrent first starts (a double click, a founder and a
    colleague at once) queue up and all get the same draft; the partial unique constraint
    `intake_draft_one_open_per_link` backs that up. Raises `IntakeUnavailable` once the link
    is expired, revoked or submitted.
    """
    _check_link(firm, link)
    with transaction.atomic():
        locked = IntakeLink.objects.select_for_update().get(firm=firm, pk=link.pk)
        state = founder_state(locked)
        if state not in OPEN_STATES:
            raise IntakeUnavailable(state)
        draft = IntakeDraft.objects.filter(
            firm=firm, link=locked, submitted_at__isnull=True
        ).first()
        if draft is None:
            try:
                with transaction.atomic():
                    draft = IntakeDraft.objects.create(
                        firm=firm, engagement_id=locked.engagement_id, link=locked
                    )
            except IntegrityError:
                draft = IntakeDraft.objects.get(firm=firm, link=locked, submitted_at__isnull=True)
        now = timezone.now()
        locked.last_opened_at = now
        fields = ["last_opened_at"]
        if locked.started_at is None:
            locked.started_at = now
            fields.append("started_at")
        locked.save(update_fields=fields)
    link.started_at, link.last_opened_at = locked.started_at, locked.last_opened_at
    return draft


def intake_draft_save(
    *,
    firm: Firm,
    draft: IntakeDraft,
    step: wizard.Step,
    data: Mapping[str, Any],
    position: str | None = None,
) -> IntakeDraft:
    """Store a step's raw answers exactly as typed (valid or not; validation is the caller's
    business) and where the founder now is (`position`: a step slug or "review")."""
    if draft.firm_id != firm.pk:
        raise ValueError("The draft belongs to another firm.")
    with transaction.atomic():
        # Locked: two devices saving different steps at once must not overwrite each other.
        locked = IntakeDraft.objects.select_for_update().get(firm=firm, pk=draft.pk)
        if locked.submitted_at is not None:
            raise IntakeUnavailable("submitted")
        locked.answers, locked.unknown = wizard.collect(step, data, locked.answers, locked.unknown)
        locked.step = position or step.slug
        locked.save(update_fields=["answers", "unknown", "step", "updated_at"])
    return locked


def intake_submit(*, firm: Firm, link: IntakeLink, draft: IntakeDraft) -> ProfileVersion:
    """Turn the draft into the engagement's next profile version (source "founder").

    Raises `IntakeInvalid` (errors per question, nothing stored) when answers are missing or
    the engine refuses them, and `IntakeUnavailable` when the link was already submitted,
    revoked or expired — a replayed submit makes nothing.
    """
    _check_link(firm, link)
    with transaction.atomic():
        locked_link = IntakeLink.objects.select_for_update().get(firm=firm, pk=link.pk)
        state = founder_state(locked_link)
        if state not in OPEN_STATES:
            raise IntakeUnavailable(state)
        locked = IntakeDraft.objects.select_for_update().get(
            firm=firm, pk=draft.pk, link=locked_link
        )
        if locked.submitted_at is not None:
            raise IntakeUnavailable("submitted")
        errors = wizard.validate_all(locked.answers, locked.unknown)
        if errors:
            raise IntakeInvalid(errors)
        profile, unknown_fields = wizard.to_profile(locked.answers, locked.unknown)
        engagement = Engagement.objects.get(firm=firm, pk=locked_link.engagement_id)
        try:
            version = profile_version_create(
                firm=firm,
                engagement=engagement,
                data=profile,
                source=ProfileSource.FOUNDER,
                intake_link=locked_link,
                unknown_fields=unknown_fields,
            )
        except ProfileError as error:
            raise IntakeInvalid(wizard.map_engine_errors(error.errors)) from error
        now = timezone.now()
        locked.submitted_at = now
        locked.save(update_fields=["submitted_at", "updated_at"])
        locked_link.submitted_at = now
        locked_link.save(update_fields=["submitted_at"])
    link.submitted_at = now
    draft.submitted_at = now
    return version
