"""The what-if keeps each draft's basis (profile, price book, totals) in memory: these tests
show a kept basis is always the draft's own, and never answers for a firm that cannot see it."""

from __future__ import annotations

import copy

from advisor.engine import PriceBook, assess
from advisor.models import PriceBookVersion
from advisor.services.recommendations import current_recommendation
from advisor.services.whatif import whatif_assess
from projects.models import Role
from projects.tenancy.scope import firm_scope
from tests.advisor.review_helpers import SUPPORT_BOT, url
from tests.factories import profile_version

CHANGES = {"queries_per_month": 90000}


def _rag_total(assessment: dict) -> float:
    return assessment["costs"]["options"]["rag"]["total_usd"]


def test_each_draft_recomputes_on_its_own_price_book_and_profile(firm, engagement, draft):
    with firm_scope(firm):
        first = whatif_assess(firm=firm, recommendation=draft, changes=CHANGES)  # now kept
        old = draft.price_book
        data = copy.deepcopy(old.data)
        for model in data["models"].values():
            for price in model["prices"].values():
                price["usd_per_1m_tokens"] *= 2
        PriceBookVersion.objects.filter(pk=old.pk).update(is_active=False)
        new = PriceBookVersion.objects.create(
            firm=firm, slug=old.slug, version=old.version + 1, name=old.name, data=data,
            is_active=True,
        )  # fmt: skip
    profile_version(engagement, {**SUPPORT_BOT, "corpus_tokens": 900000})
    with firm_scope(firm):
        second = current_recommendation(firm=firm, engagement=engagement)
        assert second.pk != draft.pk and second.price_book_id == new.pk
        # The first draft still recomputes on its own book, whatever is active now.
        assert whatif_assess(firm=firm, recommendation=draft, changes=CHANGES) == first
        result = whatif_assess(firm=firm, recommendation=second, changes=CHANGES)
        expected = assess(
            {**second.profile_version.profile, **CHANGES},
            PriceBook.from_dict(data),
            as_of=second.as_of,
            consultant_fields=[*second.profile_version.consultant_fields, *CHANGES],
        ).to_dict()
    assert result == expected
    assert _rag_total(result) > _rag_total(first)


def test_a_kept_draft_is_still_404_to_another_firm(
    firm, other_firm, owner_client, member, client_for, draft
):
    whatif = url("whatif", firm, recommendation_id=draft.pk)
    mine = owner_client.post(whatif, {"queries_per_month": "60000"}, HTTP_HX_REQUEST="true")
    assert mine.status_code == 200 and 'id="whatif-result"' in mine.content.decode()
    rival = client_for(member(other_firm, Role.OWNER))
    theirs = url("whatif", other_firm, recommendation_id=draft.pk)
    response = rival.post(theirs, {"queries_per_month": "60000"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 404
