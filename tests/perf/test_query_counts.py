"""Queries per page do not grow with the portfolio: the same count at 10 and at 1,000
engagements (no N+1). Counts, not timings — timings live in `make bench`."""

from __future__ import annotations

import copy

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from advisor.models import Recommendation
from advisor.services.price_books import active_price_book
from advisor.services.recommendations import current_recommendation
from projects.models import Client, Engagement, ProfileVersion, Session
from projects.tenancy.scope import firm_scope
from tests.factories import ClientFactory, EngagementFactory, profile_version

pytestmark = pytest.mark.django_db
STATUSES = ["intake", "assessment", "review", "delivered", "closed"]


def _grow(firm, template: Recommendation, n: int) -> None:
    """Add n engagements, each with a client, a profile version, a recommendation and a
    session — in bulk, as a real portfolio would have them."""
    now = timezone.now()
    with firm_scope(firm):
        book = active_price_book(firm=firm)
        clients = Client.objects.bulk_create(
            [Client(firm=firm, name=f"Client {i:04d}") for i in range(n)]
        )
        engagements = Engagement.objects.bulk_create(
            [
                Engagement(firm=firm, client=c, title=f"Engagement {i:04d}", status=STATUSES[i % 5])
                for i, c in enumerate(clients)
            ]
        )
        versions = ProfileVersion.objects.bulk_create(
            [
                ProfileVersion(
                    firm=firm, engagement=e, number=1, profile={"name": e.title}, source="api"
                )
                for e in engagements
            ]
        )
        Recommendation.objects.bulk_create(
            [
                Recommendation(
                    firm=firm, engagement=e, profile_version=v, price_book=book,
                    engine_version=template.engine_version, as_of=template.as_of,
                    assessment=copy.deepcopy(template.assessment),
                    status=["draft", "in_review", "approved"][i % 3],
                )
                for i, (e, v) in enumerate(zip(engagements, versions, strict=True))
            ]
        )  # fmt: skip
        Session.objects.bulk_create(
            [Session(firm=firm, engagement=e, title="Readout", starts_at=now) for e in engagements]
        )


def url_for(name: str, firm, **kwargs) -> str:
    return reverse(f"projects:{name}", kwargs={"firm_slug": firm.slug, **kwargs})


def _queries(client, path: str, headers: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, headers=headers)
    assert response.status_code == 200, path
    return len(captured)


@pytest.fixture
def portfolio(firm, owner):
    engagement = EngagementFactory(client=ClientFactory(firm=firm), title="The one under review")
    profile_version(engagement, {"name": "Copilot", "knowledge_change": "weekly"})
    with firm_scope(firm):
        template = current_recommendation(firm=firm, engagement=engagement)
    return engagement, template


PAGES = [
    ("dashboard", {}),
    ("clients", {}),
    ("engagements", {}),
    ("reviews", {}),
    ("activity", {}),
]


def test_queries_per_page_are_the_same_at_10_and_1000_engagements(firm, owner_client, portfolio):
    engagement, template = portfolio
    pages = [reverse(f"projects:{name}", kwargs={"firm_slug": firm.slug}) for name, _ in PAGES]
    pages.append(
        reverse("projects:review", kwargs={"firm_slug": firm.slug, "engagement_id": engagement.pk})
    )
    pages.append(
        reverse(
            "projects:engagement-detail",
            kwargs={"firm_slug": firm.slug, "engagement_id": engagement.pk},
        )
    )
    # The fragments the review page loads as it comes in (over HTMX).
    fragments = [
        url_for("review-revisions", firm, engagement_id=engagement.pk),
        url_for("review-activity", firm, engagement_id=engagement.pk),
        url_for("review-request-form", firm, recommendation_id=template.pk),
        url_for("firm-switcher", firm),
    ]
    _grow(firm, template, 9)
    # The first view of a draft draws its report and keeps it (the HTML under the digest of
    # its content, what the page shows of the assessment per process): spend it before counting.
    _queries(owner_client, pages[len(PAGES)])

    def count() -> dict[str, int]:
        return {path: _queries(owner_client, path) for path in pages} | {
            path: _queries(owner_client, path, {"HX-Request": "true"}) for path in fragments
        }

    small = count()
    _grow(firm, template, 990)
    large = count()
    pages += fragments
    assert large == small, {p: (small[p], large[p]) for p in pages if small[p] != large[p]}


API_LISTS = [
    "clients/",
    "engagements/",
    "recommendations/",
    "engagements/{engagement}/profiles/",
    "price-books/",
    "evidence/",
]


def test_api_list_queries_are_the_same_at_10_and_1000_engagements(firm, owner, portfolio):
    from django.test import Client as HttpClient

    from projects.services.api_keys import api_key_create

    engagement, template = portfolio
    with firm_scope(firm):
        _, secret = api_key_create(firm=firm, name="Query counts", scope="read")
    api = HttpClient(headers={"Authorization": f"Bearer {secret}"})
    paths = [
        f"/api/v1/firms/{firm.slug}/" + rest.format(engagement=engagement.pk) for rest in API_LISTS
    ]
    # The key's once-a-minute "last used" stamp is one query of the first call, whatever the
    # portfolio's size: spend it before counting.
    _queries(api, paths[0])
    _grow(firm, template, 9)
    small = {path: _queries(api, path) for path in paths}
    _grow(firm, template, 990)
    large = {path: _queries(api, path) for path in paths}
    assert large == small, {p: (small[p], large[p]) for p in paths if small[p] != large[p]}
