"""In-process figures: pages, what-if, API evaluate and the engine against the trivial view, and
queries per page at 10 and at 1,000 engagements.

Requests go through Django's test client — the full middleware stack, URL resolution, the
firm's choke point and one transaction per request on PostgreSQL — without a network or a
server process in between, so the ratio says what the application itself adds to Django's
floor. Load through a real server is `bench/load.py`.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advisor.engine import assess
from advisor.services.price_books import active_price_book, price_book_from_version
from bench.common import Figure, interleaved, p50_ms
from bench.seed import AS_OF, EXAMPLES, BenchFirm, grow
from projects.tenancy.scope import firm_scope

ROUNDS = 10
PER_ROUND = 5
ENGINE_PER_ROUND = 40


def _session_client(bench: BenchFirm) -> Client:
    client = Client()
    client.force_login(bench.owner)
    return client


def _urls(bench: BenchFirm) -> dict[str, str]:
    slug = bench.firm.slug
    return {
        "ping": "/bench/ping",
        "firm_ping": f"/bench/{slug}/ping",
        "api_ping": f"/api/v1/bench/{slug}/ping",
        "review": reverse(
            "projects:review", kwargs={"firm_slug": slug, "engagement_id": bench.engagement.pk}
        ),
        "whatif": reverse(
            "projects:whatif",
            kwargs={"firm_slug": slug, "recommendation_id": bench.recommendation.pk},
        ),
        "evaluate": f"/api/v1/firms/{slug}/evaluate",
    }


def timings(bench: BenchFirm) -> list[Figure]:
    """Review page p50 and what-if recompute against the firm-page floor, API evaluate against
    the API floor, one engine assessment against Django's own floor — each side by side with
    its baseline in one interleaved run. Every request timing is also reported against
    Django's floor, without a target, so the baselines' own cost is on record."""
    client = _session_client(bench)
    api = Client(headers={"Authorization": f"Bearer {bench.api_secret}"})
    urls = _urls(bench)
    profile = json.loads((EXAMPLES / "hybrid-past-mvp.json").read_text())
    body = json.dumps(profile)
    whatif_data = {"queries_per_month": "250000", "output_tokens": "450"}
    htmx = {"HX-Request": "true"}
    with firm_scope(bench.firm):
        book = price_book_from_version(version=active_price_book(firm=bench.firm))

    def check(response: Any, what: str) -> None:
        assert response.status_code == 200, (what, response.status_code, response.content[:300])

    request_calls = {
        "trivial": lambda: client.get(urls["ping"]),
        "firm_trivial": lambda: client.get(urls["firm_ping"]),
        "api_trivial": lambda: api.post(urls["api_ping"], body, content_type="application/json"),
        "review": lambda: client.get(urls["review"]),
        "whatif": lambda: client.post(urls["whatif"], whatif_data, headers=htmx),
        "evaluate": lambda: api.post(urls["evaluate"], body, content_type="application/json"),
    }
    for name, call in request_calls.items():
        check(call(), name)
    samples = interleaved(request_calls, rounds=ROUNDS, per_round=PER_ROUND)
    # The engine is sub-millisecond: more calls per round, beside the same trivial request.
    engine = interleaved(
        {
            "trivial": lambda: client.get(urls["ping"]),
            "engine": lambda: assess(profile, book, as_of=AS_OF),
            "engine_to_dict": lambda: assess(profile, book, as_of=AS_OF).to_dict(),
        },
        rounds=ROUNDS * 2,
        per_round=ENGINE_PER_ROUND,
    )
    p50 = {name: p50_ms(s) for name, s in samples.items()}
    e50 = {name: p50_ms(s) for name, s in engine.items()}

    def ratio(name: str, ms: float, base: str, base_ms: float, target: float | None) -> Figure:
        return Figure(
            name, round(ms / base_ms, 3), target, op="<=" if target is not None else "",
            detail={"p50_ms": round(ms, 3), "baseline": base, "baseline_p50_ms": round(base_ms, 3)},
        )  # fmt: skip

    figures = [
        ratio("review page p50 / firm-page floor", p50["review"], "firm_trivial",
              p50["firm_trivial"], 3.0),
        ratio("what-if recompute p50 / firm-page floor", p50["whatif"], "firm_trivial",
              p50["firm_trivial"], 2.0),
        ratio("API evaluate p50 / API floor", p50["evaluate"], "api_trivial",
              p50["api_trivial"], 2.0),
        ratio("engine assessment / trivial request", e50["engine"], "trivial",
              e50["trivial"], 0.5),
        ratio("engine assessment + to_dict / trivial request", e50["engine_to_dict"], "trivial",
              e50["trivial"], None),
    ]  # fmt: skip
    for name in ("firm_trivial", "api_trivial", "review", "whatif", "evaluate"):
        figures.append(ratio(f"{name} p50 / trivial request", p50[name], "trivial",
                             p50["trivial"], None))  # fmt: skip
    return figures


def _count(client: Client, path: str, headers: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, headers=headers)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured)


def query_counts(bench: BenchFirm) -> list[Figure]:
    """Queries per page and per API list at 10 and at 1,000 engagements; grows the firm's
    portfolio to 1,000 (the page timings then run on it)."""
    slug = bench.firm.slug
    engagement = bench.engagement.pk
    pages = {
        "engagement list": reverse("projects:engagements", kwargs={"firm_slug": slug}),
        "review page": reverse(
            "projects:review", kwargs={"firm_slug": slug, "engagement_id": engagement}
        ),
        "dashboard": reverse("projects:dashboard", kwargs={"firm_slug": slug}),
        "reviews queue": reverse("projects:reviews", kwargs={"firm_slug": slug}),
    }
    api_lists = {
        "API clients": "clients/",
        "API engagements": "engagements/",
        "API recommendations": "recommendations/",
        "API profiles": f"engagements/{engagement}/profiles/",
        "API price books": "price-books/",
        "API evidence": "evidence/",
    }
    # The review page loads its side panels and the reviewer picker as fragments (over HTMX):
    # they count as part of the page.
    fragments = [
        reverse(name, kwargs={"firm_slug": slug, **kwargs})
        for name, kwargs in (
            ("projects:review-revisions", {"engagement_id": engagement}),
            ("projects:review-activity", {"engagement_id": engagement}),
            ("projects:review-request-form", {"recommendation_id": bench.recommendation.pk}),
        )
    ]
    client = _session_client(bench)
    api = Client(headers={"Authorization": f"Bearer {bench.api_secret}"})

    def measure() -> dict[str, int]:
        # One call first: the API key's once-a-minute "last used" stamp is one extra query
        # that has nothing to do with the portfolio's size. Likewise the review page: its
        # first view draws the draft's report and keeps it (under a digest of its inputs);
        # both sizes count the views after that one.
        _count(api, f"/api/v1/firms/{slug}/clients/")
        _count(client, pages["review page"])
        out = {name: _count(client, path) for name, path in pages.items()}
        out["review page"] += sum(_count(client, f, {"HX-Request": "true"}) for f in fragments)
        for name, rest in api_lists.items():
            out[name] = _count(api, f"/api/v1/firms/{slug}/{rest}")
        return out

    grow(bench.firm, 9)
    small = measure()
    grow(bench.firm, 990, start=9)
    large = measure()
    return [
        Figure(
            f"queries: {name} (1,000 vs 10)",
            large[name],
            small[name],
            op="==",
            unit="queries",
            detail={"at_10": small[name], "at_1000": large[name]},
        )
        for name in small
    ]
