"""Re-assessment after a price-book change: every open engagement gets a new draft on the new
book, with its verdict and cost deltas recorded; delivered revisions never change; a retried
run does nothing twice; the work goes through a real Celery worker on Redis."""

from __future__ import annotations

import copy
import time

import pytest

from advisor.models import PriceBookVersion, Reassessment, Recommendation, Revision
from advisor.services.price_books import active_price_book
from advisor.services.recommendations import (
    current_recommendation,
    recommendation_approve,
    recommendation_deliver,
)
from advisor.tasks import reassess_firm
from projects.models import Engagement
from projects.tenancy.scope import firm_scope
from tests.factories import ClientFactory, EngagementFactory, profile_version

PROFILE = {"name": "Copilot", "knowledge_change": "weekly", "queries_per_month": 20000}


def _engagements(firm, n: int, **kwargs) -> list[Engagement]:
    client = ClientFactory(firm=firm)
    made = []
    for i in range(n):
        engagement = EngagementFactory(client=client, title=f"Engagement {i}", **kwargs)
        profile_version(engagement, PROFILE)
        made.append(engagement)
    return made


def _raise_gpt4o_input_price(firm, factor: int = 2) -> PriceBookVersion:
    """A new active version of the firm's book with gpt-4o input twice as expensive."""
    with firm_scope(firm):
        old = active_price_book(firm=firm)
        data = copy.deepcopy(old.data)
        price = data["models"]["gpt-4o"]["prices"]["input"]
        price["usd_per_1m_tokens"] = float(price["usd_per_1m_tokens"]) * factor
        PriceBookVersion.objects.filter(pk=old.pk).update(is_active=False)
        return PriceBookVersion.objects.create(
            firm=firm, slug=old.slug, version=old.version + 1, name=old.name, data=data,
            is_active=True, change_note="gpt-4o input doubled",
        )  # fmt: skip


@pytest.mark.django_db
def test_a_price_change_reassesses_open_engagements_once(firm, owner):
    open_ones = _engagements(firm, 3)
    closed = _engagements(firm, 1)[0]
    with firm_scope(firm):
        Engagement.objects.filter(pk=closed.pk).update(status="closed")
        before = {e.pk: current_recommendation(firm=firm, engagement=e) for e in open_ones}
    new_book = _raise_gpt4o_input_price(firm)
    assert reassess_firm(firm.pk, "price_book") == 3  # eager in tests: runs the chunks inline
    with firm_scope(firm):
        for engagement in open_ones:
            current = current_recommendation(firm=firm, engagement=engagement)
            assert current.price_book_id == new_book.pk
            change = Reassessment.objects.get(current=current)
            assert change.reason == "price_book" and change.previous_id == before[engagement.pk].pk
            old_total = before[engagement.pk].assessment["costs"]["options"]["prompt_only"]
            delta = change.cost_deltas["prompt_only"]
            assert delta["before"] == old_total["total_usd"]
            assert delta["after"] > delta["before"]
            assert delta["delta"] == pytest.approx(delta["after"] - delta["before"])
        assert not Reassessment.objects.filter(engagement=closed, reason="price_book").exists()
        count = Recommendation.objects.count()
    reassess_firm(firm.pk, "price_book")  # a retry: nothing left to do
    with firm_scope(firm):
        assert Recommendation.objects.count() == count


@pytest.mark.django_db
def test_delivered_revisions_never_change_on_reassessment(firm, owner):
    engagement = _engagements(firm, 1)[0]
    with firm_scope(firm):
        draft = current_recommendation(firm=firm, engagement=engagement)
        revision = recommendation_approve(firm=firm, recommendation=draft, user=owner)
        recommendation_deliver(firm=firm, recommendation=draft, user=owner)
        frozen = Revision.objects.get(pk=revision.pk).content
    _raise_gpt4o_input_price(firm)
    reassess_firm(firm.pk, "price_book")
    with firm_scope(firm):
        assert Revision.objects.get(pk=revision.pk).content == frozen
        assert Recommendation.objects.get(pk=draft.pk).status == "delivered"
        fresh = current_recommendation(firm=firm, engagement=engagement)
        assert fresh.pk != draft.pk and fresh.status == "draft"


def _wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)
def test_reassessment_runs_on_a_real_worker(celery_redis_worker, firm):
    engagements = _engagements(firm, 4)
    new_book = _raise_gpt4o_input_price(firm)
    reassess_firm.delay(firm.pk, "price_book")

    def done() -> bool:
        with firm_scope(firm):
            return all(
                current_recommendation(firm=firm, engagement=e).price_book_id == new_book.pk
                for e in engagements
            )

    assert _wait_for(done), "the worker did not re-assess every engagement"
    with firm_scope(firm):
        assert Reassessment.objects.filter(reason="price_book").count() == 4
