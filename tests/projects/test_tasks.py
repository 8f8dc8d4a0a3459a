"""The invitation e-mail goes through a real Celery worker on Redis, queued on commit."""

from __future__ import annotations

import time

import pytest
from django.core import mail
from django.db import transaction

from projects.models import Role
from projects.services.firms import invitation_create
from projects.tasks import send_invitation_email
from projects.tenancy.scope import firm_scope


def _wait_for(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_invitation_email_is_sent_by_a_real_worker(celery_redis_worker, firm, owner):
    with firm_scope(firm):
        _, token = invitation_create(
            firm=firm, invited_by=owner, email="worker@example.com", role=Role.VIEWER
        )
    assert _wait_for(lambda: len(mail.outbox) == 1), "the worker never sent the e-mail"
    assert mail.outbox[0].to == ["worker@example.com"]
    assert token in mail.outbox[0].body
    assert "Acme Advisory invited you" in mail.outbox[0].subject


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_invitation_enqueues_nothing(celery_redis_worker, firm, owner):
    with pytest.raises(RuntimeError), transaction.atomic(), firm_scope(firm):
        invitation_create(firm=firm, invited_by=owner, email="ghost@example.com", role="viewer")
        raise RuntimeError("the request failed after creating the invitation")
    # A task queued after it proves the worker is alive and the queue was otherwise empty.
    with firm_scope(firm):
        invitation_create(firm=firm, invited_by=owner, email="real@example.com", role="viewer")
    assert _wait_for(lambda: len(mail.outbox) >= 1)
    time.sleep(0.5)
    assert [m.to for m in mail.outbox] == [["real@example.com"]]


@pytest.mark.django_db
def test_the_task_is_idempotent_and_skips_invitations_no_longer_pending(firm, owner):
    with firm_scope(firm):
        invitation, token = invitation_create(
            firm=firm, invited_by=owner, email="twice@example.com", role="viewer"
        )
    assert send_invitation_email(firm.pk, invitation.pk, token) is True
    with firm_scope(firm):
        invitation.revoked_at = invitation.created_at
        invitation.save()
    assert send_invitation_email(firm.pk, invitation.pk, token) is False
    assert len(mail.outbox) == 1
