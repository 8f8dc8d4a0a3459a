"""LLM faults in one place: a persistent 429, a persistent 500, a hang, malformed output and a
refusal each end in the template narrative, in bounded time, with nothing lost.

The real drafting job (queued on commit, run as the Celery task) calls the real `openai` client
against the fake OpenAI-compatible server on loopback (tests/advisor/fake_openai.py). The time
bound is the application's own: `stale_after()`, the age past which another run may take over
a claimed draft — (1 + OPENAI_MAX_RETRIES) x OPENAI_TIMEOUT_SECONDS + NARRATIVE_CLAIM_MARGIN —
with the margin set here to the client's backoff between attempts plus an allowance for the
job's own database and template work. A draft that outlived it could be drafted twice.

"Nothing lost": the recommendation keeps its status, assessment, profile version and price
book; its narrative is the template text, the page says why; the draft is recorded as failed
with the reason and audited once; nothing is left queued or drafting, and a later
regeneration against a server that recovered gives the LLM draft.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from openai._constants import INITIAL_RETRY_DELAY, MAX_RETRY_DELAY

from advisor.llm.port import FAILURE_REASONS
from advisor.models import AuditEvent, NarrativeDraft
from advisor.services.narratives import narrative_busy, narrative_regenerate, stale_after
from advisor.services.recommendations import current_recommendation
from projects.tenancy.scope import firm_scope
from tests.advisor import fake_openai as fake
from tests.advisor.fake_openai import Reply, completion, draft_reply, error_reply
from tests.advisor.review_helpers import SUPPORT_BOT, url
from tests.factories import ClientFactory, EngagementFactory, profile_version
from tests.reliability.figures import report

# The fake server's fixtures, made this module's own.
fake_openai = fake.fake_openai

pytestmark = pytest.mark.django_db

TIMEOUT_S = 0.3
MAX_RETRIES = 2  # the production default: two retries, three attempts
ATTEMPTS = 1 + MAX_RETRIES
# The job's own work around the call (two short transactions, the template, the check).
OWN_WORK_S = 1.5
# The client's exponential backoff between attempts when no Retry-After says otherwise; a
# Retry-After is honoured only up to one attempt's timeout (advisor/llm/openai_drafter.py).
BACKOFF_S = sum(
    max(TIMEOUT_S, min(INITIAL_RETRY_DELAY * 2**retry, MAX_RETRY_DELAY))
    for retry in range(MAX_RETRIES)
)


def _bound() -> float:
    return (1 + MAX_RETRIES) * TIMEOUT_S + BACKOFF_S + OWN_WORK_S


# kind -> (the server's answers, in order; the reason recorded; the requests it receives)
FAULTS: dict[str, tuple[list[Reply], str, int]] = {
    # A short Retry-After is waited out and retried; then one far past an attempt's timeout
    # (60 s is what OpenAI asks at a busy minute) is not, instead of sleeping through it.
    "429": (
        [
            error_reply(429, {"Retry-After": f"{TIMEOUT_S / 2:g}"}),
            error_reply(429, {"Retry-After": "60"}),
        ],
        "rate_limited",
        2,
    ),
    "500": ([error_reply(500)], "server_error", ATTEMPTS),
    # Each attempt hangs past the whole bound: only the client's timeout ends it in time.
    "hang": ([Reply(hang=_bound() + 2, body=completion("{}"))], "timeout", ATTEMPTS),
    "malformed": ([Reply(body=completion("{not json"))], "malformed", 1),
    "refusal": ([Reply(body=completion(None, refusal="I can't help with that."))], "refused", 1),
}
GROUNDED = {
    "executive_summary": [
        {"text": "We recommend RAG for the support copilot.", "fields": ["verdict"], "evidence": []}
    ]
}


@pytest.fixture
def llm_settings(settings: Any, fake_openai: fake.FakeOpenAI) -> Any:
    settings.OPENAI_API_KEY = "sk-test-not-a-real-key"
    settings.OPENAI_BASE_URL = fake_openai.base_url
    settings.OPENAI_MODEL = "fake-model-1"
    settings.OPENAI_TIMEOUT_SECONDS = TIMEOUT_S
    settings.OPENAI_MAX_RETRIES = MAX_RETRIES
    settings.NARRATIVE_CLAIM_MARGIN_SECONDS = BACKOFF_S + OWN_WORK_S
    return settings


@pytest.fixture(scope="module")
def timings() -> Any:
    """The time each fault took, reported once every kind has run."""
    seen: dict[str, float] = {}
    yield seen
    if set(seen) == set(FAULTS):
        slowest = max(seen, key=seen.__getitem__)
        report(
            f"LLM faults: {len(seen)} kinds ({', '.join(seen)}) -> template fallback, nothing "
            f"lost; slowest {slowest} {seen[slowest]:.2f} s (bound {_bound():.2f} s = "
            f"{ATTEMPTS} attempts x {TIMEOUT_S:g} s + {BACKOFF_S:g} s backoff + "
            f"{OWN_WORK_S:g} s own work)"
        )


@pytest.fixture
def engagement(firm):  # type: ignore[no-untyped-def]
    return EngagementFactory(client=ClientFactory(firm=firm, name="Brightdesk"), title="Support")


def snapshot(recommendation: Any) -> dict[str, Any]:
    return {
        "pk": recommendation.pk,
        "status": recommendation.status,
        "engagement": recommendation.engagement_id,
        "profile_version": recommendation.profile_version_id,
        "price_book": recommendation.price_book_id,
        "assessment": json.dumps(recommendation.assessment, sort_keys=True),
    }


@pytest.mark.parametrize("kind", list(FAULTS))
def test_a_failing_llm_falls_back_to_the_template_in_bounded_time_with_nothing_lost(
    firm, owner, owner_client, engagement, llm_settings, fake_openai,
    django_capture_on_commit_callbacks, timings, kind,
):  # fmt: skip
    replies, reason, requests = FAULTS[kind]
    bound = stale_after().total_seconds()
    assert bound == pytest.approx(_bound())  # the application's bound is the one asserted
    with django_capture_on_commit_callbacks() as queued:
        profile_version(engagement, SUPPORT_BOT, source="founder")
    with firm_scope(firm):
        recommendation = current_recommendation(firm=firm, engagement=engagement)
    before = snapshot(recommendation)
    assert recommendation.narrative_state == "queued" and queued
    fake_openai.answer(*replies)

    started = time.monotonic()
    for job in queued:  # the drafting task, run as the worker would once the commit happened
        job()
    took = time.monotonic() - started

    # Bounded: within the bound, and for a hang only because every attempt timed out.
    assert took < bound, f"{kind}: {took:.2f} s, bound {bound:.2f} s"
    if kind == "hang":
        assert took >= ATTEMPTS * TIMEOUT_S
    assert len(fake_openai.requests) == requests
    timings[kind] = took
    # The template fallback, saying why.
    with firm_scope(firm):
        recommendation.refresh_from_db()
        [draft] = NarrativeDraft.objects.filter(recommendation=recommendation)
        [failed] = AuditEvent.objects.filter(verb="narrative.draft_failed")
        assert not narrative_busy(firm=firm, recommendation=recommendation)
    assert (draft.state, draft.source, draft.error_code) == ("failed", "template", reason)
    assert draft.finished_at is not None and draft.applied_at is not None
    assert failed.data["reason"] == reason and failed.data["applied"] is True
    assert recommendation.narrative_source == "template"
    assert recommendation.narrative == draft.text
    assert recommendation.narrative.startswith("## Executive summary\n\nWe recommend **RAG**")
    assert draft.grounding["unsupported"] == 0 and draft.grounding["figures"] > 3
    assert FAILURE_REASONS[reason] in recommendation.narrative_note
    page = owner_client.get(url("review", firm, engagement_id=engagement.pk)).content.decode()
    assert "LLM draft failed" in page and "Showing the template narrative" in page
    # Nothing lost or stuck: the same recommendation, data intact, not left drafting.
    assert snapshot(recommendation) == before
    assert recommendation.narrative_state == "failed"

    # The server recovers: Regenerate gives the LLM draft.
    fake_openai.answer(draft_reply(GROUNDED))
    with firm_scope(firm), django_capture_on_commit_callbacks(execute=True):
        narrative_regenerate(firm=firm, recommendation=recommendation, user=owner)
    with firm_scope(firm):
        recommendation.refresh_from_db()
    assert (recommendation.narrative_state, recommendation.narrative_source) == ("done", "llm")
    assert recommendation.narrative.startswith(
        "## Executive summary\n\nWe recommend RAG for the support copilot."
    )
    assert snapshot(recommendation) == before
