"""The engine's entry points: `evaluate` a validated profile, or `assess` a raw document.

Order matters only through data: costs first (R-RETRAIN and R-BUDGET read them), then the rules,
the verdict, the blockers and risks, and last what depends on the verdict (confidence,
components, roadmap). Deterministic: the same profile, price book and `as_of` give the same result.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from advisor.engine import thresholds as t
from advisor.engine.assessment import Assessment
from advisor.engine.components import components_for
from advisor.engine.costs import estimate_costs
from advisor.engine.findings import budget_touches, collect_risks, rule_blockers
from advisor.engine.latency import estimate_latency
from advisor.engine.lifecycle import lifecycle_guard
from advisor.engine.pricebook import PriceBook
from advisor.engine.profile import Profile, validate_profile
from advisor.engine.roadmap import plan_roadmap
from advisor.engine.rules import evaluate_rules
from advisor.engine.verdict import (
    decide_confidence,
    decide_start_with,
    decide_verdict,
    signal_margin,
)


def evaluate(profile: Profile, price_book: PriceBook, *, as_of: date | None = None) -> Assessment:
    """Assess a validated profile against a price book; `as_of` defaults to today."""
    as_of = as_of or date.today()
    costs = estimate_costs(profile, price_book)
    trace = evaluate_rules(profile, costs, price_book)
    verdict = decide_verdict(trace.knowledge, trace.behaviour, mature_fired=trace.fired("R-MATURE"))
    start_with = decide_start_with(
        verdict, explore_fired=trace.fired("R-EXPLORE"), data_fired=trace.fired("R-DATA")
    )
    latency = estimate_latency(profile)

    blockers = rule_blockers(profile, trace)
    lifecycle_blockers, lifecycle_risks = lifecycle_guard(profile, price_book, as_of)
    blockers += lifecycle_blockers
    risks = collect_risks(
        profile, trace, verdict=verdict, start_with=start_with, costs=costs, latency=latency
    )
    risks += lifecycle_risks

    blocking_rules = sorted({b.rule for b in blockers if b.option == verdict})
    touches = budget_touches(profile, costs, verdict)
    confidence = decide_confidence(
        trace.knowledge,
        trace.behaviour,
        verdict_blocking_rules=blocking_rules,
        budget_touches_verdict=touches,
    )
    basis = {
        "knowledge_margin": signal_margin(trace.knowledge, t.KNOWLEDGE_THRESHOLD),
        "behaviour_margin": signal_margin(trace.behaviour, t.BEHAVIOUR_THRESHOLD),
        "verdict_blocked_by": blocking_rules,
        "budget_touches_verdict": touches,
    }

    return Assessment._from_parts(
        schema_version=t.SCHEMA_VERSION,
        engine_version=t.ENGINE_VERSION,
        price_book=price_book.key,
        currency=price_book.currency,
        as_of=as_of,
        verdict=verdict,
        start_with=start_with,
        confidence=confidence,
        confidence_basis=basis,
        knowledge=trace.knowledge,
        behaviour=trace.behaviour,
        rules=trace.outcomes,
        blockers=tuple(blockers),
        risks=tuple(risks),
        components=components_for(verdict, trace, output_format=profile.output_format),
        costs=costs,
        latency=latency,
        roadmap=tuple(
            plan_roadmap(profile, trace, costs, price_book, verdict=verdict, start_with=start_with)
        ),
        profile=profile,
    )


def assess(
    data: Mapping[str, Any],
    price_book: PriceBook,
    *,
    as_of: date | None = None,
    consultant_fields: Collection[str] = (),
) -> Assessment:
    """Validate a profile document and evaluate it; `ProfileError` if it is invalid."""
    profile = validate_profile(data, price_book, consultant_fields=consultant_fields)
    return evaluate(profile, price_book, as_of=as_of)
