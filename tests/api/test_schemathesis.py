"""Schemathesis over the whole published schema, against a live server (pytest-django's, in
this process) with a real API key and PostgreSQL under row-level security: at least 1,000
generated requests, no server error, and every response conforming to the schema — status
codes, content types, headers and bodies — with invalid input refused.

The server answers in its own threads, so the data it works on is committed (`live_server`
implies a transactional database).

`positive_data_acceptance` is off on purpose: a schema cannot say which client ids exist, which
member an e-mail belongs to or which models the firm's price book has, so schema-valid requests
naming those are refused with 400 by design. Every other built-in check runs.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pytest
import schemathesis
from schemathesis.engine import Status, events

from projects.models import Role
from tests.api.conftest import SUMMARY_LINES, book_of_work, make_key
from tests.factories import ClientFactory, MembershipFactory

MIN_CASES = 1000
OPERATIONS = 17
# Within an operation's budget: the coverage phase adds its boundary cases on top.
MAX_EXAMPLES = 25
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "ignored_auth",
    "unsupported_method",
    "use_after_free",
    "ensure_resource_availability",
]


@pytest.fixture
def fast_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """The PDF export takes seconds a report; its bytes are tested with the exports. Here only
    the API's handling of it matters, so it is stood in for by a tiny valid PDF."""
    monkeypatch.setattr("advisor.exports.report_pdf", lambda content: b"%PDF-1.7\n%%EOF\n")


def run(base_url: str, config: dict[str, Any]) -> dict[str, Any]:
    schema = schemathesis.openapi.from_url(
        f"{base_url}/api/schema/?format=json", config=schemathesis.Config.from_dict(config)
    )
    statuses: Counter[int] = Counter()
    successes: Counter[str] = Counter()
    failures: list[str] = []
    cases = 0
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
            for case_id, interaction in event.recorder.interactions.items():
                cases += 1
                if interaction.response is not None:
                    status = interaction.response.status_code
                    statuses[status] += 1
                    if 200 <= status < 300 and case_id in event.recorder.cases:
                        successes[event.recorder.cases[case_id].value.operation.label] += 1
            for case_id, checks in event.recorder.checks.items():
                for check in checks:
                    if check.status == Status.FAILURE:
                        case = event.recorder.cases[case_id].value
                        info = check.failure_info
                        failures.append(
                            f"{check.name}: {case.method} {case.formatted_path} "
                            f"query={case.query} body={str(case.body)[:300]} -> "
                            f"{info.failure.title if info else ''} "
                            f"{info.failure.message[:300] if info else ''}"
                        )
        elif isinstance(event, events.NonFatalError):
            failures.append(f"error in {event.label}: {event.info.message}")
        elif isinstance(event, events.FatalError):
            failures.append(f"fatal: {event.exception!r}")
    return {"cases": cases, "statuses": statuses, "successes": successes, "failures": failures}


def test_schemathesis_whole_schema(live_server, firm, settings, fast_pdf, record_property):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api": "1000000/min"},
    }
    work = book_of_work(firm)
    member_email = MembershipFactory(firm=firm, role=Role.CONSULTANT).user.email
    _, secret = make_key(firm, "write", name="Schemathesis")
    started = time.monotonic()
    result = run(
        live_server.url,
        {
            "seed": 20261125,
            # Each run from scratch: no replay cache in the working tree.
            "cache": {"enabled": False},
            "workers": 1,
            # Django's test server answers a kept-alive connection ~40 ms late (delayed ACK on
            # its split writes); a fresh connection per request is twice as fast.
            "headers": {"Connection": "close"},
            "suppress-health-check": ["all"],
            "auth": {"openapi": {"bearerAuth": {"bearer": secret}}},
            "parameters": {"path.firm": firm.slug},
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True},
            "checks": {
                **{name: {"enabled": True} for name in CHECKS},
                "positive_data_acceptance": {"enabled": False},
            },
            # Ids and addresses that exist, mixed into what is generated for the fields naming
            # them, so creations and filters succeed as well as fail.
            "dictionaries": {
                "client_ids": {"values": [work["client_id"]]},
                "engagement_ids": {"values": [work["engagement_id"]]},
                "members": {"values": [member_email]},
            },
            "operations": [
                # Real ids on the item routes, so their success paths are exercised too.
                {
                    "include-operation-id-regex": "^clients_(retrieve|partial_update)$",
                    "parameters": {"path.id": work["client_id"]},
                },
                {
                    # The work's client has an engagement (409); this one can go (204, then 404).
                    "include-operation-id-regex": "^clients_destroy$",
                    "parameters": {"path.id": ClientFactory(firm=firm).pk},
                },
                {
                    "include-operation-id-regex": (
                        "^(engagements_(retrieve|partial_update)|profiles_(list|create))$"
                    ),
                    "parameters": {"path.id": work["engagement_id"]},
                },
                {
                    "include-operation-id-regex": "^engagements_(create|partial_update)$",
                    "parameters": {
                        "body.client": {"dictionary": "client_ids", "probability": 0.5},
                        "body.lead": {"dictionary": "members", "probability": 0.5},
                    },
                },
                {
                    "include-operation-id-regex": "^engagements_list$",
                    "parameters": {
                        "query.client": {"dictionary": "client_ids", "probability": 0.5}
                    },
                },
                {
                    "include-operation-id-regex": "^recommendations_list$",
                    "parameters": {
                        "query.engagement": {"dictionary": "engagement_ids", "probability": 0.5}
                    },
                },
                {
                    "include-operation-id-regex": "^recommendations_(retrieve|report)$",
                    "parameters": {"path.id": work["recommendation_id"]},
                },
            ],
        },
    )
    elapsed = time.monotonic() - started
    summary = (
        f"schemathesis: {result['cases']} requests in {elapsed:.0f}s, "
        f"{len(result['failures'])} failures; statuses {dict(sorted(result['statuses'].items()))}"
    )
    SUMMARY_LINES.append(summary)  # printed at the end of the pytest run
    record_property("schemathesis", summary)
    assert not result["failures"], "\n".join(result["failures"][:40])
    assert result["cases"] >= MIN_CASES, summary
    assert not [status for status in result["statuses"] if status >= 500]
    # Not only refusals: every operation answered some generated requests with success.
    assert len(result["successes"]) == OPERATIONS, "\n".join(sorted(result["successes"]))
