"""The §4.2 output shape, money as cents, the comparison, and the Markdown report."""

import json
from decimal import Decimal

from advisor.engine import render_markdown

TOP_KEYS = [
    "schema_version",
    "engine_version",
    "price_book",
    "as_of",
    "verdict",
    "start_with",
    "confidence",
    "signals",
    "rules",
    "blockers",
    "risks",
    "components",
    "assumptions",
    "costs",
    "latency",
    "roadmap",
]
OPTIONS = ["prompt_only", "rag", "fine_tuning", "hybrid"]


def full(run):
    return run(
        knowledge_change="weekly",
        output_format="strict_schema",
        hallucination_tolerance="low",
        latency_p95_budget_ms=1000,
        budget_monthly_usd=1500,
        corpus_tokens=400_000,
        monthly_growth_pct=4,
    )


def test_top_level_keys_in_contract_order(run):
    d = full(run).to_dict()
    assert list(d)[: len(TOP_KEYS)] == TOP_KEYS
    assert set(d) - set(TOP_KEYS) == {"confidence_basis", "comparison", "profile", "currency"}
    assert d["verdict"] in OPTIONS and d["start_with"] in OPTIONS
    assert d["confidence"] in ("high", "medium", "low")
    assert set(d["signals"]) == {"knowledge", "behaviour"}


def test_nested_shapes(run):
    d = full(run).to_dict()
    for blocker in d["blockers"]:
        assert list(blocker) == ["option", "reason", "rule"]
    for risk in d["risks"]:
        assert {"id", "text", "evidence"} <= set(risk)
    for item in d["assumptions"]:
        assert list(item) == ["field", "value", "source"]
        assert item["source"] in ("default", "consultant")
    costs = d["costs"]
    assert list(costs)[:3] == ["horizon_months", "options", "break_even"]
    assert list(costs["options"]) == OPTIONS
    for option in costs["options"].values():
        assert list(option)[:6] == [
            "one_off_usd",
            "training_usd_per_run",
            "training_runs",
            "monthly",
            "total_usd",
            "cost_per_query_usd",
        ]
        for row in option["monthly"]:
            assert list(row) == [
                "month",
                "queries",
                "inference_usd",
                "retrieval_usd",
                "training_usd",
                "engineering_usd",
                "total_usd",
            ]
    for item in costs["break_even"]:
        assert list(item) == ["option", "versus", "month"]
    assert list(d["latency"]) == OPTIONS
    for lat in d["latency"].values():
        assert list(lat) == ["p95_ms_low", "p95_ms_high", "meets_budget"]


def test_money_is_numbers_rounded_to_cents(run):
    d = full(run).to_dict()

    def walk(node, key=""):
        if isinstance(node, dict):
            for k, v in node.items():
                yield from walk(v, k)
        elif isinstance(node, list):
            for v in node:
                yield from walk(v, key)
        elif key.endswith("_usd") or key in ("low", "high"):
            yield key, node

    seen = 0
    for key, value in walk(d["costs"]):
        assert isinstance(value, int | float) and not isinstance(value, bool), key
        assert Decimal(str(value)).as_tuple().exponent >= -2, (key, value)
        seen += 1
    assert seen > 500
    text = json.dumps(d)
    assert json.loads(text) == d


def test_comparison_marks_this_clients_needs(run):
    d = full(run).to_dict()
    dims = {dim["id"]: dim for dim in d["comparison"]["dimensions"]}
    assert list(dims) == [
        "knowledge_freshness",
        "hallucination_risk",
        "output_format_control",
        "latency_overhead",
        "cost_to_update",
        "auditability",
        "time_to_first_prototype",
    ]
    assert dims["knowledge_freshness"]["matters"] and "weekly" in dims["knowledge_freshness"]["why"]
    assert dims["latency_overhead"]["matters"] and dims["hallucination_risk"]["matters"]
    assert not dims["auditability"]["matters"] and dims["auditability"]["why"] == ""
    for dim in dims.values():
        assert list(dim["ratings"]) == OPTIONS
        assert {r["rating"] for r in dim["ratings"].values()} <= {"strong", "fair", "weak"}
    plain = run(stage="mvp").to_dict()["comparison"]["dimensions"]
    assert not any(dim["matters"] for dim in plain)


def test_markdown_report(run):
    a = full(run)
    text = render_markdown(a)
    for heading in (
        "# Test product",
        "## Why",
        "## Blockers",
        "## Risks",
        "## Costs over 24 months",
        "### Break-even",
        "## Latency (p95)",
        "## Roadmap",
        "## Components",
        "## Assumptions",
    ):
        assert heading in text
    assert f"**Verdict:** {'Hybrid'}" in text
    for rule in a.fired_rules():
        assert rule.id in text
    assert "R-FRESH" in text and "E-ADOPT" in text
    hybrid_total = a.costs.options["hybrid"].total_usd
    assert f"${hybrid_total:,.2f}" in text
    assert "17-33%" in text  # the R-HALLUC risk
    assert "| budget_monthly_usd |" not in text  # given by the client, not an assumption
    assert "| model | gpt-4o | default |" in text


def test_assessment_equals_one_built_by_the_constructor(run):
    import dataclasses

    a = full(run)
    assert dataclasses.replace(a) == a
    assert set(vars(a)) == {f.name for f in dataclasses.fields(a)}
