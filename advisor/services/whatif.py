"""What-if: recompute a draft with some inputs changed, live, and save named scenarios.

A recompute reads of the draft only what it was made from — its profile version, its price
book, its date — and the verdict and option totals it is compared with. None of that ever
changes once the draft exists (a new profile or price book makes a new draft), so each process
keeps the last few drafts' basis in memory: a consultant moving a slider recomputes against the
same draft dozens of times, and reading and decoding it each time was most of the request
(docs/PERFORMANCE.md). The draft itself is still read on every request, inside the firm's
scope, so the cache never answers for a draft the firm cannot see.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError

from advisor.engine import OPTIONS, PriceBook, assess
from advisor.models import Recommendation, Scenario
from advisor.services.audit import audit_log
from advisor.services.recommendations import result_summary
from projects.models import Firm, User
from projects.process_cache import ProcessCache

WHATIF_FIELDS = (
    "queries_per_month",
    "monthly_growth_pct",
    "input_tokens",
    "few_shot_tokens",
    "output_tokens",
    "retrieved_tokens",
    "latency_p95_budget_ms",
    "model",
)


@dataclass(frozen=True)
class WhatIfBasis:
    """What a recompute starts from; fixed for the life of the draft."""

    profile: Mapping[str, Any]
    consultant_fields: tuple[str, ...]
    book: PriceBook
    as_of: date
    verdict: str
    totals: Mapping[str, float]  # option -> the draft's total, to show the change


# Keyed by the draft's id and creation time, so a reused id (a rebuilt database) never matches.
_BASES: ProcessCache[tuple[int, datetime], WhatIfBasis] = ProcessCache(256)


def whatif_basis(*, firm: Firm, recommendation: Recommendation) -> WhatIfBasis:
    """The basis of `recommendation`, which the caller has read within `firm`'s scope."""
    pk = recommendation.pk
    return _BASES.remember((pk, recommendation.created_at), lambda: _read_basis(firm, pk))


def _read_basis(firm: Firm, pk: int) -> WhatIfBasis:
    summary = result_summary()
    row = (
        Recommendation.objects.filter(firm=firm, pk=pk)
        .annotate(**summary)
        .values_list(
            "profile_version__profile",
            "profile_version__consultant_fields",
            "price_book__data",
            "as_of",
            *summary,
        )
        .get()
    )
    profile, consultant_fields, book_data, as_of, verdict, *totals = row
    return WhatIfBasis(
        profile=profile,
        consultant_fields=tuple(consultant_fields),
        book=PriceBook.from_dict(book_data),
        as_of=as_of,
        verdict=verdict,
        totals=dict(zip(OPTIONS, totals, strict=True)),
    )


def whatif_assess(
    *, firm: Firm, recommendation: Recommendation, changes: Mapping[str, Any]
) -> dict[str, Any]:
    """Recompute with some inputs changed; stores nothing. Raises ProfileError per field."""
    unknown = set(changes) - set(WHATIF_FIELDS)
    if unknown:
        raise ValidationError({name: "Not a what-if input." for name in unknown})
    basis = whatif_basis(firm=firm, recommendation=recommendation)
    return assess(
        {**basis.profile, **changes},
        basis.book,
        as_of=basis.as_of,
        consultant_fields=[*basis.consultant_fields, *changes],
    ).to_dict()


def scenario_save(
    *, firm: Firm, recommendation: Recommendation, name: str, changes: Mapping[str, Any], user: User
) -> Scenario:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the scenario."})
    assessment = whatif_assess(firm=firm, recommendation=recommendation, changes=changes)
    scenario = Scenario.objects.create(
        firm=firm,
        recommendation=recommendation,
        name=name[:120],
        changes=dict(changes),
        assessment=assessment,
        created_by=user,
    )
    audit_log(
        firm=firm,
        verb="scenario.saved",
        summary=f"Saved the what-if scenario “{scenario.name}”",
        actor=user,
        engagement=recommendation.engagement,
    )
    return scenario
