"""Fixtures everyone needs: the database guard, firms with members per role, logged-in clients."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client

from projects.models import Firm, Membership, Role, User
from tests.factories import FirmFactory, MembershipFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; the ORM calls a browser test
# makes around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Refuse to run on a role that ignores row-level security: the tests would prove nothing."""
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        assert connection.vendor == "postgresql", "The suite runs on PostgreSQL (see README)."
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        superuser, bypass = cursor.fetchone()
        assert not superuser and not bypass, (
            "The test database role must be NOSUPERUSER NOBYPASSRLS "
            "(run scripts/check_services.py)."
        )


@pytest.fixture(autouse=True)
def _fresh_cache():  # type: ignore[no-untyped-def]
    """Each test starts with an empty cache: rate-limit counts and cached fragments of one test
    never reach the next."""
    from django.core.cache import cache

    from advisor.views.review import reports_forget

    cache.clear()
    reports_forget()  # the review page's drawn reports, kept per process in front of the cache
    yield


@pytest.fixture
def firm(db) -> Firm:  # type: ignore[no-untyped-def]
    return FirmFactory(name="Acme Advisory", slug="acme")


@pytest.fixture
def other_firm(db) -> Firm:  # type: ignore[no-untyped-def]
    return FirmFactory(name="Rival Partners", slug="rival")


@pytest.fixture
def member(db) -> Callable[..., User]:  # type: ignore[no-untyped-def]
    """member(firm, role) -> a user with that role in that firm."""

    def make(firm: Firm, role: str = Role.CONSULTANT, **user_fields: object) -> User:
        user = UserFactory(**user_fields)
        MembershipFactory(firm=firm, user=user, role=role)
        return user

    return make


@pytest.fixture
def client_for() -> Callable[[User], Client]:
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def owner(firm: Firm, member: Callable[..., User]) -> User:
    return member(firm, Role.OWNER, email="owner@acme.example", full_name="Olga Owner")


@pytest.fixture
def owner_client(owner: User, client_for: Callable[[User], Client]) -> Client:
    return client_for(owner)


def memberships_of(firm: Firm) -> list[Membership]:
    from projects.tenancy.scope import firm_scope

    with firm_scope(firm):
        return list(Membership.objects.select_related("user"))


REDIS_TEST_BROKER = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def celery_redis_worker(transactional_db):  # type: ignore[no-untyped-def]
    """A real Celery worker (solo pool, in a thread) consuming from Redis, with the app
    switched from eager to the broker for the length of the test."""
    import redis
    from celery.contrib.testing.worker import start_worker

    from config.celery_app import app

    redis.Redis.from_url(REDIS_TEST_BROKER).flushdb()
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=REDIS_TEST_BROKER, task_always_eager=False)
    _reset_broker_pools(app)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as w:
            yield w
    finally:
        app.conf.update(saved)
        _reset_broker_pools(app)


@pytest.fixture
def redis_broker(db):  # type: ignore[no-untyped-def]
    """The Celery app switched from eager to the Redis broker with no worker consuming, so a
    test can read what was queued; yields a client of the broker's Redis db."""
    import redis

    from config.celery_app import app

    broker = redis.Redis.from_url(REDIS_TEST_BROKER)
    broker.flushdb()
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=REDIS_TEST_BROKER, task_always_eager=False)
    _reset_broker_pools(app)
    try:
        yield broker
    finally:
        app.conf.update(saved)
        _reset_broker_pools(app)
        broker.flushdb()
        broker.flushdb()


def _reset_broker_pools(app) -> None:  # type: ignore[no-untyped-def]
    from kombu import pools as kombu_pools

    # Connections made for the previous broker URL must not be reused for the new one.
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    kombu_pools.reset()  # kombu keeps its own registry of producer pools per connection
