"""Throttling per key (and per signed-in user), answered with 429 and Retry-After."""

from __future__ import annotations

import pytest
from django.test import Client

from projects.models import Role
from tests.api.conftest import url

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_a_minute(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api": "3/min"},
    }


def test_a_key_over_its_rate_gets_429_with_retry_after(firm, api_for, three_a_minute):
    api, other_key = api_for(firm, "read"), api_for(firm, "read")
    statuses = [api.get(url(firm, "clients/")).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    throttled = api.get(url(firm, "clients/"))
    assert throttled.status_code == 429
    assert 1 <= int(throttled["Retry-After"]) <= 60
    assert throttled.json()["code"] == "throttled"
    # Counted per key: another key of the same firm is not slowed down.
    assert other_key.get(url(firm, "clients/")).status_code == 200


def test_sessions_are_counted_per_user(firm, member, three_a_minute):
    first, second = Client(), Client()
    first.force_login(member(firm, Role.VIEWER))
    second.force_login(member(firm, Role.VIEWER))
    assert [first.get(url(firm, "clients/")).status_code for _ in range(4)][-1] == 429
    assert second.get(url(firm, "clients/")).status_code == 200


def test_requests_without_credentials_are_not_counted_against_anyone(firm, api, three_a_minute):
    for _ in range(5):
        assert Client().get(url(firm, "clients/")).status_code == 401
    assert api.get(url(firm, "clients/")).status_code == 200
