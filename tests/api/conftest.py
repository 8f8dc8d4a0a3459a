"""Fixtures of the API tests: keys of each scope, clients that send them, a firm with a full
book of work (client, engagement, profile, approved and delivered recommendation)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from advisor.models import Recommendation, Revision
from advisor.services.recommendations import (
    current_recommendation,
    recommendation_approve,
)
from projects.models import ApiKey, Firm, Role, User
from projects.services.api_keys import api_key_create
from projects.tenancy.scope import firm_scope
from tests.factories import ClientFactory, EngagementFactory, MembershipFactory, profile_version


def make_key(firm: Firm, scope: str = "write", **kwargs: Any) -> tuple[ApiKey, str]:
    with firm_scope(firm):
        return api_key_create(firm=firm, name=kwargs.pop("name", "Test key"), scope=scope, **kwargs)


class ApiClient:
    """Django's test client with a bearer key on every request and JSON bodies."""

    def __init__(self, secret: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def _call(self, method: str, path: str, data: Any = None, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        if method in {"post", "patch", "put"} and data is not None:
            kwargs["content_type"] = kwargs.get("content_type", "application/json")
        return getattr(self.client, method)(path, data, headers=headers, **kwargs)

    def get(self, path: str, data: Any = None, **kwargs: Any) -> Any:
        return self._call("get", path, data, **kwargs)

    def post(self, path: str, data: Any = None, **kwargs: Any) -> Any:
        return self._call("post", path, data, **kwargs)

    def patch(self, path: str, data: Any = None, **kwargs: Any) -> Any:
        return self._call("patch", path, data, **kwargs)

    def delete(self, path: str, data: Any = None, **kwargs: Any) -> Any:
        return self._call("delete", path, data, **kwargs)


@pytest.fixture
def api_for() -> Callable[..., ApiClient]:
    """api_for(firm, scope="write") -> a client holding a fresh key of that firm."""

    def make(firm: Firm, scope: str = "write", **kwargs: Any) -> ApiClient:
        _, secret = make_key(firm, scope, **kwargs)
        return ApiClient(secret)

    return make


@pytest.fixture
def api(firm: Firm, api_for: Callable[..., ApiClient]) -> ApiClient:
    return api_for(firm, "write")


@pytest.fixture
def read_api(firm: Firm, api_for: Callable[..., ApiClient]) -> ApiClient:
    return api_for(firm, "read")


def url(firm: Firm | str, rest: str = "") -> str:
    slug = firm if isinstance(firm, str) else firm.slug
    return f"/api/v1/firms/{slug}/{rest}"


def book_of_work(firm: Firm, marker: str = "") -> dict[str, Any]:
    """A client, an engagement with a profile version, its recommendation approved (revision
    1), and the ids of all of it."""
    approver: User = MembershipFactory(firm=firm, role=Role.OWNER).user
    client = ClientFactory(firm=firm, name=f"{marker}Client".strip())
    engagement = EngagementFactory(client=client, title=f"{marker} engagement".strip())
    version = profile_version(
        engagement, {"name": f"{marker} product".strip(), "knowledge_change": "weekly"}
    )
    with firm_scope(firm):
        recommendation = current_recommendation(firm=firm, engagement=engagement)
        revision = recommendation_approve(firm=firm, recommendation=recommendation, user=approver)
    return {
        "client_id": client.pk,
        "engagement_id": engagement.pk,
        "profile_version_id": version.pk,
        "recommendation_id": recommendation.pk,
        "revision_id": revision.pk,
        "revision_number": revision.number,
    }


@pytest.fixture
def work(firm: Firm) -> dict[str, Any]:
    return book_of_work(firm)


def counts(firm: Firm) -> dict[str, int]:
    from advisor.models import AuditEvent, PriceBookVersion, Reassessment
    from projects.models import Client as ClientModel
    from projects.models import Engagement, ProfileVersion

    with firm_scope(firm):
        return {
            model.__name__: model.objects.count()
            for model in (
                ClientModel,
                Engagement,
                ProfileVersion,
                Recommendation,
                Revision,
                Reassessment,
                AuditEvent,
                PriceBookVersion,
            )
        }


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):  # type: ignore[no-untyped-def]
    """Debian's Chromium, as tests/browser/ launches it (Playwright's download cannot work)."""
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "headless": True,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


# Lines a test wants in the run's summary (the schemathesis run reports its request count).
SUMMARY_LINES: list[str] = []


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for line in SUMMARY_LINES:
        terminalreporter.write_line(line)
