"""Real concurrency and a real worker: 20 browsers starting one link at the same instant get one
draft between them, and the intake e-mail goes out through Celery on Redis."""

from __future__ import annotations

import threading
import time

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connections
from django.test import Client
from django.urls import reverse

from projects.models import IntakeDraft, IntakeLink
from projects.services.intake import intake_link_create, intake_start
from projects.tenancy.scope import firm_scope
from projects.views.intake import SESSION_GRANTS
from tests.factories import EngagementFactory, IntakeLinkFactory

TOKEN = "concurrent-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
THREADS = 20


def _run_at_once(work) -> list:
    """Run `work(i)` in THREADS threads released together; each thread has its own database
    connection (Django's are per thread) and closes it when done."""
    barrier = threading.Barrier(THREADS)
    results: list = [None] * THREADS

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as error:  # surfaced by the assertions below
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_twenty_first_starts_through_http_bind_one_draft(firm):
    cache.clear()
    link = IntakeLinkFactory(engagement=EngagementFactory(client__firm=firm), token=TOKEN)
    path = reverse("intake:landing", kwargs={"token": TOKEN})

    def start(_: int):
        client = Client()
        response = client.post(path)
        return response.status_code, client.session.get(SESSION_GRANTS)

    results = _run_at_once(start)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert {status for status, _ in results} == {302}
    with firm_scope(firm):
        drafts = list(IntakeDraft.objects.filter(link=link))
        link.refresh_from_db()
    assert len(drafts) == 1
    assert {grants[str(link.pk)] for _, grants in results} == {drafts[0].pk}
    assert link.started_at is not None
    cache.clear()


@pytest.mark.django_db(transaction=True)
def test_twenty_first_starts_through_the_service_bind_one_draft(firm):
    link = IntakeLinkFactory(engagement=EngagementFactory(client__firm=firm))

    def start(_: int):
        with firm_scope(firm):
            fresh = IntakeLink.objects.get(pk=link.pk)
            return intake_start(firm=firm, link=fresh).pk

    results = _run_at_once(start)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(set(results)) == 1
    with firm_scope(firm):
        assert IntakeDraft.objects.filter(link=link).count() == 1


def _wait_for(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_the_intake_email_is_sent_by_a_real_worker(celery_redis_worker, firm, owner, settings):
    settings.FORKCAST_BASE_URL = "https://app.forkcast.example"
    engagement = EngagementFactory(client__firm=firm, client__name="Tidal Labs", lead=owner)
    with firm_scope(firm):
        link, token = intake_link_create(
            firm=firm, engagement=engagement, created_by=owner, email="ceo@tidal.example"
        )
    assert _wait_for(lambda: len(mail.outbox) == 1), "the worker never sent the e-mail"
    message = mail.outbox[0]
    assert message.to == ["ceo@tidal.example"]
    assert f"https://app.forkcast.example/intake/{token}/" in message.body
    assert "Olga Owner at Acme Advisory" in message.body
    assert link.token_hash != token
