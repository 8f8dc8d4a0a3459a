"""Seed data of the benchmark: firms, members, keys and portfolios of any size, made in bulk.

A portfolio of 10,000 engagements through the services one by one would take minutes; the
benchmark measures the application, not its seeding, so rows are written with `bulk_create`
inside the firm's scope (row-level security holds for bulk inserts too). One engagement per
firm is made through the real services, so the page under test is exactly what a consultant
would have.

Profiles vary: each grown engagement takes one of the engine's example profiles with its own
monthly volume, so no two are identical. Its seeded recommendation carries the assessment of
its example (computed once per example) — what re-assessment reads from it is the verdict and
the option totals, and the new assessment is computed from the engagement's own profile.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection
from django.utils import timezone

from advisor.engine import assess
from advisor.models import PriceBookVersion, Recommendation
from advisor.services.price_books import active_price_book, price_book_from_version
from advisor.services.recommendations import current_recommendation
from projects.models import Client, Engagement, Firm, ProfileVersion, Session, User
from projects.services.api_keys import api_key_create
from projects.services.engagements import client_create, engagement_create
from projects.services.firms import firm_create
from projects.services.profiles import profile_version_create
from projects.tenancy.scope import firm_scope

EXAMPLES = Path(__file__).resolve().parents[1] / "advisor" / "engine" / "data" / "examples"
PASSWORD = "bench-password-0123"  # noqa: S105 (a throwaway account on the benchmark database)
STATUSES = ["intake", "assessment", "review", "delivered", "closed"]
REC_STATUSES = ["draft", "in_review", "approved"]
AS_OF = datetime.date(2025, 1, 1)


def example_profiles() -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(EXAMPLES.glob("*.json"))]


def profile_for(index: int, examples: list[dict[str, Any]]) -> dict[str, Any]:
    """The index-th profile of a portfolio: an example with a volume of its own."""
    base = examples[index % len(examples)]
    return {**base, "queries_per_month": 5_000 + 37 * index}


@dataclass
class BenchFirm:
    firm: Firm
    owner: User
    api_secret: str
    engagement: Engagement
    recommendation: Recommendation


def bench_firm(slug: str) -> BenchFirm:
    """A firm with an owner, a read API key and one engagement made through the services."""
    owner = User.objects.create_user(email=f"owner@{slug}.example", password=PASSWORD)
    firm = firm_create(name=f"Bench {slug}", owner=owner, slug=slug)
    with firm_scope(firm):
        active_price_book(firm=firm)  # seeds the library
        _, secret = api_key_create(firm=firm, name="bench", scope="read", created_by=owner)
        client = client_create(firm=firm, name="Northwind Support")
        engagement = engagement_create(
            firm=firm, client=client, title="Helpdesk copilot", lead=owner
        )
        profile = json.loads((EXAMPLES / "hybrid-past-mvp.json").read_text())
        profile_version_create(
            firm=firm, engagement=engagement, data=profile, source="consultant",
            submitted_by=owner,
        )  # fmt: skip
        recommendation = current_recommendation(firm=firm, engagement=engagement)
    assert recommendation is not None
    return BenchFirm(firm, owner, secret, engagement, recommendation)


def _template_assessments(firm: Firm) -> list[dict[str, Any]]:
    with firm_scope(firm):
        book = price_book_from_version(version=active_price_book(firm=firm))
    return [assess(p, book, as_of=AS_OF).to_dict() for p in example_profiles()]


def grow(firm: Firm, n: int, *, start: int = 0, open_only: bool = False, batch: int = 2000) -> None:
    """Add n engagements to the firm, each with a client, a profile version, a recommendation
    and a session, in bulk. `open_only` keeps every engagement open (re-assessment's scope)."""
    examples = example_profiles()
    templates = _template_assessments(firm)
    now = timezone.now()
    with firm_scope(firm):
        book = active_price_book(firm=firm)
        for offset in range(0, n, batch):
            indexes = range(start + offset, start + min(n, offset + batch))
            _grow_batch(firm, book, indexes, examples, templates, now, open_only)
    # Fresh planner statistics, as a live database has: right after a bulk load the planner
    # still believes the tables empty, and picks plans no deployment would run.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _grow_batch(
    firm: Firm,
    book: PriceBookVersion,
    indexes: range,
    examples: list[dict[str, Any]],
    templates: list[dict[str, Any]],
    now: datetime.datetime,
    open_only: bool,
) -> None:
    clients = Client.objects.bulk_create(
        [Client(firm=firm, name=f"Client {i:05d}") for i in indexes]
    )
    engagements = Engagement.objects.bulk_create(
        [
            Engagement(
                firm=firm, client=c, title=f"Engagement {i:05d}",
                status="review" if open_only else STATUSES[i % len(STATUSES)],
            )
            for i, c in zip(indexes, clients, strict=True)
        ]
    )  # fmt: skip
    versions = ProfileVersion.objects.bulk_create(
        [
            ProfileVersion(
                firm=firm, engagement=e, number=1, profile=profile_for(i, examples),
                source="api",
            )
            for i, e in zip(indexes, engagements, strict=True)
        ]
    )  # fmt: skip
    Recommendation.objects.bulk_create(
        [
            Recommendation(
                firm=firm, engagement=e, profile_version=v, price_book=book,
                engine_version=templates[0]["engine_version"], as_of=AS_OF,
                # Shared, not copied: bulk_create only serialises it.
                assessment=templates[i % len(templates)],
                status=REC_STATUSES[i % len(REC_STATUSES)],
            )
            for i, e, v in zip(indexes, engagements, versions, strict=True)
        ]
    )  # fmt: skip
    Session.objects.bulk_create(
        [Session(firm=firm, engagement=e, title="Readout", starts_at=now) for e in engagements]
    )
