"""Hypothesis properties of the engine over generated profiles."""

import datetime
import json
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.engine import assess, load_price_book
from advisor.engine.profile import FIELDS_BY_NAME

BOOK = load_price_book()
AS_OF = datetime.date(2025, 1, 1)
FAST = settings(max_examples=40, deadline=None, database=None)


def enum(name):
    return st.sampled_from(FIELDS_BY_NAME[name].choices)


@st.composite
def profiles(draw):
    input_tokens = draw(st.integers(0, 20_000))
    return {
        "name": "Generated",
        "stage": draw(enum("stage")),
        "query_distribution_known": draw(st.booleans()),
        "knowledge_change": draw(enum("knowledge_change")),
        "knowledge_varies_by_user": draw(st.booleans()),
        "citations_required": draw(st.booleans()),
        "auditability": draw(enum("auditability")),
        "output_format": draw(enum("output_format")),
        "style_requirement": draw(enum("style_requirement")),
        "domain_jargon": draw(enum("domain_jargon")),
        "latency_p95_budget_ms": draw(st.none() | st.integers(1, 5000)),
        "base_model_p95_ms": draw(st.integers(1, 5000)),
        "hallucination_tolerance": draw(enum("hallucination_tolerance")),
        "queries_per_month": draw(st.integers(0, 5_000_000)),
        "monthly_growth_pct": draw(st.decimals(0, 30, places=2)),
        "input_tokens": input_tokens,
        "few_shot_tokens": draw(st.integers(0, input_tokens)),
        "output_tokens": draw(st.integers(0, 5000)),
        "corpus_tokens": draw(st.integers(0, 50_000_000)),
        "corpus_updates_per_month": draw(st.decimals(0, 60, places=1)),
        "corpus_changed_fraction": draw(st.decimals(0, 1, places=3)),
        "retrieved_tokens": draw(st.integers(0, 10_000)),
        "labelled_examples": draw(st.integers(0, 20_000)),
        "tokens_per_example": draw(st.integers(1, 4000)),
        "hosting": draw(enum("hosting")),
        "model": draw(st.sampled_from(BOOK.chat_models())),
        "embedding_model": draw(st.sampled_from(BOOK.embedding_models())),
        "team_ml_maturity": draw(enum("team_ml_maturity")),
        "budget_monthly_usd": draw(st.none() | st.integers(0, 100_000)),
        "budget_one_off_usd": draw(st.none() | st.integers(0, 100_000)),
        "engineer_day_rate_usd": draw(st.decimals(0, 3000, places=2)),
        "horizon_months": draw(st.integers(1, 60)),
    }


def run(data):
    return assess(data, BOOK, as_of=AS_OF)


def money_values(costs):
    for option in costs["options"].values():
        for key in ("one_off_usd", "training_usd_per_run", "total_usd", "peak_monthly_usd"):
            yield option[key]
        if option["cost_per_query_usd"] is not None:
            yield option["cost_per_query_usd"]
        for row in option["monthly"]:
            for key, value in row.items():
                if key.endswith("_usd"):
                    yield value
        for rng in option["ranges"].values():
            yield rng["low"]
            yield rng["high"]


@FAST
@given(profiles())
def test_costs_are_never_negative_and_exact_to_the_cent(data):
    d = run(data).to_dict()
    for value in money_values(d["costs"]):
        assert value >= 0
        assert Decimal(str(value)).as_tuple().exponent >= -2
    for option in d["costs"]["options"].values():
        total = sum(Decimal(str(r["total_usd"])) for r in option["monthly"])
        assert Decimal(str(option["total_usd"])) == total + Decimal(str(option["one_off_usd"]))
        assert option["ranges"]["total_usd"]["low"] <= option["total_usd"]
        assert option["total_usd"] <= option["ranges"]["total_usd"]["high"]


def totals(data):
    return {name: cost.total_usd for name, cost in run(data).costs.options.items()}


@FAST
@given(profiles(), st.integers(1, 2_000_000))
def test_costs_are_monotone_in_volume(data, extra):
    before = totals(data)
    after = totals({**data, "queries_per_month": data["queries_per_month"] + extra})
    for option in before:
        assert after[option] >= before[option]


@FAST
@given(
    profiles(),
    st.sampled_from(["input_tokens", "output_tokens", "retrieved_tokens", "corpus_tokens"]),
    st.integers(1, 100_000),
)
def test_costs_are_monotone_in_tokens(data, field, extra):
    before = totals(data)
    after = totals({**data, field: data[field] + extra})
    for option in before:
        assert after[option] >= before[option], (option, field)


@FAST
@given(profiles(), st.decimals(0, 20, places=2))
def test_costs_are_monotone_in_growth(data, extra):
    before = totals(data)
    after = totals({**data, "monthly_growth_pct": data["monthly_growth_pct"] + extra})
    for option in before:
        assert after[option] >= before[option]


@FAST
@given(
    profiles(),
    st.text(min_size=1, max_size=40).filter(str.strip),
    st.text(max_size=200),
    st.decimals(0, 5000, places=2),
    st.integers(0, 9_000_000),
    st.none() | st.integers(0, 1000),
)
def test_verdict_ignores_fields_no_rule_reads(data, name, use_case, rate, volume, budget):
    first = run(data)
    second = run(
        {
            **data,
            "name": name,
            "use_case": use_case,
            "engineer_day_rate_usd": rate,
            "queries_per_month": volume,
            "budget_monthly_usd": budget,
        }
    )
    assert (first.verdict, first.start_with, first.knowledge, first.behaviour) == (
        second.verdict,
        second.start_with,
        second.knowledge,
        second.behaviour,
    )


@FAST
@given(profiles())
def test_to_dict_round_trips_through_json_and_is_deterministic(data):
    first = run(data).to_dict()
    text = json.dumps(first)
    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(text) == first
    assert run(data).to_dict() == first


@FAST
@given(profiles())
def test_verdict_follows_the_signals(data):
    a = run(data)
    k, b = a.knowledge, a.behaviour
    expected = (
        "hybrid"
        if k >= 2 and b >= 2
        else "rag"
        if k >= 2
        else "fine_tuning"
        if b >= 2
        else "prompt_only"
    )
    if a.rule("R-MATURE").fired and expected == "rag":
        expected = "hybrid"
    assert a.verdict == expected
    assert a.rules[0].id == "R-FRESH" and len(a.rules) == 14
    assert sum(r.points for r in a.rules if r.signal == "knowledge") == k


def test_the_largest_accepted_profile_still_prices_to_finite_json():
    for hosting in ("hosted_api", "self_hosted"):
        data = {
            "name": "Huge",
            "queries_per_month": 10**12,
            "monthly_growth_pct": 12,
            "horizon_months": 60,
            "input_tokens": 10**7,
            "output_tokens": 10**7,
            "retrieved_tokens": 10**7,
            "corpus_tokens": 10**13,
            "corpus_updates_per_month": 100_000,
            "labelled_examples": 10**9,
            "tokens_per_example": 10**7,
            "engineer_day_rate_usd": 10**12,
            "budget_monthly_usd": 10**12,
            "hosting": hosting,
        }
        text = json.dumps(run(data).to_dict(), allow_nan=False)
        assert json.loads(text)["costs"]["options"]["hybrid"]["total_usd"] > 10**15
