"""The chunked re-assessment (`reassess_engagements_bulk`, made for `make bench`'s 10,000
engagements) does what re-assessing one engagement at a time does: a draft on the new book,
the open one superseded, overrides and an edited narrative carried over, the change recorded
and logged, intake moved to review — and a second run does nothing."""

from __future__ import annotations

import base64
import copy
import json

import pytest

from advisor.models import AuditEvent, Override, PriceBookVersion, Reassessment, Recommendation
from advisor.services.price_books import active_price_book
from advisor.services.reassessment import reassess_engagements_bulk
from advisor.services.recommendations import (
    current_recommendation,
    narrative_update,
    override_add,
)
from projects.models import Engagement
from projects.tenancy.scope import firm_scope
from tests.factories import ClientFactory, EngagementFactory, profile_version

pytestmark = pytest.mark.django_db
PROFILE = {"name": "Copilot", "knowledge_change": "weekly", "queries_per_month": 20000}


def _new_book(firm) -> PriceBookVersion:
    with firm_scope(firm):
        old = active_price_book(firm=firm)
        data = copy.deepcopy(old.data)
        data["models"]["gpt-4o"]["prices"]["input"]["usd_per_1m_tokens"] = 5.0
        PriceBookVersion.objects.filter(pk=old.pk).update(is_active=False)
        return PriceBookVersion.objects.create(
            firm=firm, slug=old.slug, version=old.version + 1, name=old.name, data=data,
            is_active=True, change_note="gpt-4o input doubled",
        )  # fmt: skip


def test_a_chunk_is_reassessed_as_one_engagement_at_a_time_would_be(firm, owner):
    client = ClientFactory(firm=firm)
    plain, judged, fresh = (
        EngagementFactory(client=client, title=title) for title in ("plain", "judged", "fresh")
    )
    for engagement in (plain, judged, fresh):
        profile_version(engagement, PROFILE)
    with firm_scope(firm):
        Engagement.objects.filter(pk=fresh.pk).update(status="intake")
        before = {e.pk: current_recommendation(firm=firm, engagement=e) for e in (plain, judged)}
        override_add(
            firm=firm, recommendation=before[judged.pk], kind="verdict", value="hybrid",
            justification="The client's roadmap already funds a fine-tuning team.", user=owner,
        )  # fmt: skip
        narrative_update(
            firm=firm, recommendation=before[judged.pk], text="Our own words.", user=owner
        )
        Engagement.objects.filter(pk=fresh.pk).update(status="intake")
    book = _new_book(firm)
    ids = [plain.pk, judged.pk, fresh.pk]

    with firm_scope(firm):
        assert reassess_engagements_bulk(firm=firm, engagement_ids=ids, reason="price_book") == 3
        after = {e.pk: current_recommendation(firm=firm, engagement=e) for e in (plain, judged)}
        for pk, new in after.items():
            old = Recommendation.objects.get(pk=before[pk].pk)
            assert new.price_book_id == book.pk and new.pk != old.pk
            assert old.status == "superseded" and new.supersedes_id == old.pk
            change = Reassessment.objects.get(current=new)
            assert change.previous_id == old.pk and change.reason == "price_book"
            assert change.verdict_before == old.assessment["verdict"]
            assert change.cost_deltas["rag"]["after"] > change.cost_deltas["rag"]["before"]
        carried = Override.objects.get(recommendation=after[judged.pk])
        assert (carried.kind, carried.value) == ("verdict", "hybrid")
        assert carried.original == after[judged.pk].assessment["verdict"]
        assert after[judged.pk].narrative == "Our own words."
        assert after[judged.pk].narrative_edited
        assert after[plain.pk].narrative_state == "queued"
        assert Engagement.objects.get(pk=fresh.pk).status == "review"
        logged = AuditEvent.objects.filter(
            verb="recommendation.drafted", engagement=judged, data__reason="price_book"
        ).get()
        assert "1 override carried over" in logged.summary

        # A retried chunk finds everything on the current inputs.
        assert reassess_engagements_bulk(firm=firm, engagement_ids=ids, reason="price_book") == 0


def test_each_draft_of_a_chunk_gets_its_narrative_from_its_own_drafting_job(
    firm, django_capture_on_commit_callbacks
):
    client = ClientFactory(firm=firm)
    engagements = [EngagementFactory(client=client, title=f"Copilot {n}") for n in range(3)]
    for engagement in engagements:
        profile_version(engagement, PROFILE)
    _new_book(firm)
    with firm_scope(firm):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            made = reassess_engagements_bulk(
                firm=firm, engagement_ids=[e.pk for e in engagements], reason="price_book"
            )
        assert made == 3 and len(callbacks) == 1
        drafts = [current_recommendation(firm=firm, engagement=e) for e in engagements]
    # Eager here: the fan-out ran each draft's own job, which drafted its narrative.
    assert [d.narrative_state for d in drafts] == ["done"] * 3
    assert all(d.narrative_source == "template" and d.narrative for d in drafts)


def test_a_chunk_sends_one_message_for_its_drafting_jobs(
    firm, redis_broker, django_capture_on_commit_callbacks
):
    client = ClientFactory(firm=firm)
    engagements = [EngagementFactory(client=client, title=f"Copilot {n}") for n in range(3)]
    for engagement in engagements:
        profile_version(engagement, PROFILE)
    _new_book(firm)
    with firm_scope(firm), django_capture_on_commit_callbacks(execute=True):
        reassess_engagements_bulk(
            firm=firm, engagement_ids=[e.pk for e in engagements], reason="price_book"
        )
        drafts = [current_recommendation(firm=firm, engagement=e).pk for e in engagements]
    queued = [json.loads(raw) for raw in redis_broker.lrange("celery", 0, -1)]
    assert [m["headers"]["task"] for m in queued] == ["advisor.tasks.queue_narrative_drafts"]
    args = json.loads(base64.b64decode(queued[0]["body"]))[0]
    assert args == [firm.pk, drafts]
