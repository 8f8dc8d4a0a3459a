"""Each §5 rule at its thresholds, the signal sums, the verdict, start_with and confidence."""

from decimal import Decimal

import pytest

from advisor.engine import load_evidence
from advisor.engine.thresholds import ENGINE_VERSION

ORDER = [
    "R-FRESH",
    "R-PERUSER",
    "R-CITE",
    "R-CORPUS",
    "R-FORMAT",
    "R-VOICE",
    "R-JARGON",
    "R-LATENCY",
    "R-EXPLORE",
    "R-DATA",
    "R-MATURE",
    "R-HALLUC",
    "R-RETRAIN",
    "R-BUDGET",
]


def rule(assessment, rule_id):
    return next(r for r in assessment.to_dict()["rules"] if r["id"] == rule_id)


def test_all_fourteen_rules_appear_in_order_fired_or_not(run):
    for fields in ({}, {"knowledge_change": "daily", "output_format": "strict_schema"}):
        rules = run(**fields).to_dict()["rules"]
        assert [r["id"] for r in rules] == ORDER
        for r in rules:
            assert set(r) >= {"id", "title", "fired", "effect", "inputs", "rationale", "evidence"}
            assert isinstance(r["fired"], bool)
            assert r["title"] and r["rationale"] and r["effect"]
            assert r["evidence"], f"{r['id']} cites no evidence"
            if not r["fired"]:
                assert r["effect"].startswith("no effect")


def test_every_cited_evidence_id_exists(run):
    known = {e.id for e in load_evidence()}
    a = run(hallucination_tolerance="low", latency_p95_budget_ms=900).to_dict()
    cited = {e for r in a["rules"] for e in r["evidence"]}
    cited |= {e for r in a["risks"] for e in r["evidence"]}
    assert cited <= known


@pytest.mark.parametrize(
    ("change", "maturity", "points"),
    [
        ("static", "some", 0),
        ("yearly", "some", 0),
        ("quarterly", "none", 0),
        ("monthly", "some", 1),
        ("monthly", "strong", 1),
        ("monthly", "none", 2),
        ("weekly", "some", 2),
        ("daily", "strong", 2),
        ("realtime", "none", 2),
    ],
)
def test_r_fresh(run, change, maturity, points):
    a = run(knowledge_change=change, team_ml_maturity=maturity)
    r = rule(a, "R-FRESH")
    assert r["fired"] is (points > 0)
    assert r["inputs"] == {"knowledge_change": change, "team_ml_maturity": maturity}
    assert a.knowledge == points
    assert r["effect"] == (f"knowledge +{points}" if points else "no effect")


def test_r_peruser(run):
    assert run(knowledge_varies_by_user=True).knowledge == 2
    assert rule(run(knowledge_varies_by_user=True), "R-PERUSER")["effect"] == "knowledge +2"
    assert not rule(run(), "R-PERUSER")["fired"]


@pytest.mark.parametrize(
    ("citations", "audit", "points"),
    [
        (False, "none", 0),
        (False, "internal", 1),
        (False, "regulated", 2),
        (True, "none", 2),
        (True, "internal", 2),
        (True, "regulated", 2),
    ],
)
def test_r_cite(run, citations, audit, points):
    a = run(citations_required=citations, auditability=audit)
    assert a.knowledge == points
    assert rule(a, "R-CITE")["fired"] is (points > 0)


@pytest.mark.parametrize(
    ("tokens", "points"),
    [(0, 0), (1, 1), (199_999, 1), (200_000, 1), (200_001, 2), (10_000_000, 2)],
)
def test_r_corpus_threshold(run, tokens, points):
    a = run(corpus_tokens=tokens)
    assert a.knowledge == points
    assert rule(a, "R-CORPUS")["inputs"] == {"corpus_tokens": tokens}


@pytest.mark.parametrize(
    ("fields", "behaviour"),
    [
        ({"output_format": "strict_schema"}, 2),
        ({"output_format": "light_structure"}, 0),
        ({"style_requirement": "brand_voice"}, 1),
        ({"style_requirement": "specialized_dialect"}, 2),
        ({"domain_jargon": "specialized"}, 1),
        ({"domain_jargon": "highly_specialized"}, 2),
        ({"style_requirement": "brand_voice", "domain_jargon": "specialized"}, 2),
        (
            {
                "output_format": "strict_schema",
                "style_requirement": "specialized_dialect",
                "domain_jargon": "highly_specialized",
            },
            6,
        ),
    ],
)
def test_behaviour_rules(run, fields, behaviour):
    assert run(**fields).behaviour == behaviour


@pytest.mark.parametrize(
    ("budget", "base", "fired"),
    [
        (None, 800, False),
        (1300, 800, False),  # exactly base + 500: retrieval's worst case still fits
        (1299, 800, True),  # one ms less
        (5000, 800, False),
        (700, 800, True),  # budget below the base model itself
        (501, 1, False),
        (500, 1, True),
    ],
)
def test_r_latency_threshold(run, budget, base, fired):
    a = run(latency_p95_budget_ms=budget, base_model_p95_ms=base)
    r = rule(a, "R-LATENCY")
    assert r["fired"] is fired
    assert a.behaviour == (2 if fired else 0)
    assert r["inputs"] == {"latency_p95_budget_ms": budget, "base_model_p95_ms": base}
    if budget is not None:
        assert r["figures"]["headroom_ms"] == budget - base


@pytest.mark.parametrize(
    ("stage", "known", "fired"),
    [
        ("idea", True, True),
        ("prototype", True, True),
        ("mvp", True, False),
        ("growth", True, False),
        ("scale", True, False),
        ("mvp", False, True),
        ("scale", False, True),
    ],
)
def test_r_explore(run, stage, known, fired):
    assert rule(run(stage=stage, query_distribution_known=known), "R-EXPLORE")["fired"] is fired


@pytest.mark.parametrize(
    ("examples", "fired"), [(0, True), (99, True), (100, False), (5000, False)]
)
def test_r_data_threshold(run, examples, fired):
    a = run(labelled_examples=examples)
    assert rule(a, "R-DATA")["fired"] is fired
    blocked = {(b.option, b.rule) for b in a.blockers}
    expected = {("fine_tuning", "R-DATA"), ("hybrid", "R-DATA")} if fired else set()
    assert {b for b in blocked if b[1] == "R-DATA"} == expected


@pytest.mark.parametrize(
    ("fields", "verdict", "mature"),
    [
        # weekly (K2) + brand voice (B1) past MVP: lifted to hybrid
        (
            {"stage": "growth", "knowledge_change": "weekly", "style_requirement": "brand_voice"},
            "hybrid",
            True,
        ),
        (
            {"stage": "scale", "knowledge_change": "weekly", "domain_jargon": "specialized"},
            "hybrid",
            True,
        ),
        # same needs at MVP: stays rag
        (
            {"stage": "mvp", "knowledge_change": "weekly", "style_requirement": "brand_voice"},
            "rag",
            False,
        ),
        # no behaviour at all: stays rag
        ({"stage": "growth", "knowledge_change": "weekly"}, "rag", False),
        # knowledge 1 only: no lift
        (
            {"stage": "growth", "knowledge_change": "monthly", "style_requirement": "brand_voice"},
            "prompt_only",
            False,
        ),
        # already hybrid by signals: fires, no change
        (
            {"stage": "growth", "knowledge_change": "weekly", "output_format": "strict_schema"},
            "hybrid",
            True,
        ),
    ],
)
def test_r_mature(run, fields, verdict, mature):
    a = run(**fields)
    assert a.verdict == verdict
    assert rule(a, "R-MATURE")["fired"] is mature


@pytest.mark.parametrize(
    ("knowledge_fields", "behaviour_fields", "verdict"),
    [
        ({}, {}, "prompt_only"),
        ({"auditability": "internal"}, {"style_requirement": "brand_voice"}, "prompt_only"),
        ({"knowledge_change": "daily"}, {}, "rag"),
        ({}, {"output_format": "strict_schema"}, "fine_tuning"),
        ({"knowledge_change": "daily"}, {"output_format": "strict_schema"}, "hybrid"),
        ({"auditability": "internal", "corpus_tokens": 10}, {}, "rag"),  # 1 + 1 = 2
        ({}, {"style_requirement": "brand_voice", "domain_jargon": "specialized"}, "fine_tuning"),
    ],
)
def test_verdict_from_signals(run, knowledge_fields, behaviour_fields, verdict):
    assert run(stage="mvp", **knowledge_fields, **behaviour_fields).verdict == verdict


@pytest.mark.parametrize(
    ("fields", "verdict", "start_with"),
    [
        # known distribution, enough data, past prototype: no staging
        (
            {
                "stage": "mvp",
                "query_distribution_known": True,
                "labelled_examples": 100,
                "output_format": "strict_schema",
            },
            "fine_tuning",
            "fine_tuning",
        ),
        # exploring
        (
            {
                "stage": "prototype",
                "query_distribution_known": True,
                "labelled_examples": 500,
                "output_format": "strict_schema",
            },
            "fine_tuning",
            "prompt_only",
        ),
        # no data
        (
            {
                "stage": "mvp",
                "query_distribution_known": True,
                "labelled_examples": 99,
                "output_format": "strict_schema",
            },
            "fine_tuning",
            "prompt_only",
        ),
        (
            {
                "stage": "mvp",
                "query_distribution_known": False,
                "labelled_examples": 500,
                "knowledge_change": "daily",
                "output_format": "strict_schema",
            },
            "hybrid",
            "rag",
        ),
        (
            {
                "stage": "mvp",
                "query_distribution_known": True,
                "labelled_examples": 500,
                "knowledge_change": "daily",
                "output_format": "strict_schema",
            },
            "hybrid",
            "hybrid",
        ),
        # staging never touches rag or prompt_only
        ({"stage": "idea", "knowledge_change": "daily"}, "rag", "rag"),
        ({"stage": "idea"}, "prompt_only", "prompt_only"),
    ],
)
def test_start_with(run, fields, verdict, start_with):
    a = run(**fields)
    assert (a.verdict, a.start_with) == (verdict, start_with)


def test_r_halluc_adds_components_and_the_reglab_risk(run):
    a = run(hallucination_tolerance="low", knowledge_change="daily").to_dict()
    assert rule_dict(a, "R-HALLUC")["fired"]
    ids = {c["id"]: c for c in a["components"]}
    for part in ("retrieval_evaluation", "grounding_checks", "user_uncertainty"):
        assert "R-HALLUC" in ids[part]["required_by"]
    risk = next(r for r in a["risks"] if r["id"] == "hallucination")
    assert "E-REGLAB" in risk["evidence"] and "17-33%" in risk["text"]
    b = run(hallucination_tolerance="medium", knowledge_change="daily").to_dict()
    assert "user_uncertainty" not in {c["id"] for c in b["components"]}
    assert all(r["id"] != "hallucination" for r in b["risks"])


def rule_dict(assessment_dict, rule_id):
    return next(r for r in assessment_dict["rules"] if r["id"] == rule_id)


@pytest.mark.parametrize(
    ("change", "runs"),
    [
        ("weekly", Decimal("365.25") / 12 / 7),
        ("daily", Decimal("365.25") / 12),
        ("monthly", Decimal(1)),
        ("quarterly", Decimal(1) / 3),
    ],
)
def test_r_retrain_shows_retraining_cost(run, change, runs):
    # Knowledge from per-user data (2) plus freshness; 300 examples of 1000 tokens, 3 epochs,
    # $25 per 1M training tokens: 300 * 1000 * 3 * 25 / 1e6 = $22.50 a run.
    a = run(knowledge_change=change, corpus_tokens=300_000, labelled_examples=300)
    r = rule(a, "R-RETRAIN")
    assert r["fired"]
    per_run = Decimal("22.50")
    assert r["figures"]["training_usd_per_run"] == 22.5
    assert r["figures"]["retraining_runs_per_month"] == float(runs.quantize(Decimal("0.01")))
    expected = (runs * per_run).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    assert Decimal(str(r["figures"]["retraining_usd_per_month"])) == expected
    assert r["figures"]["feasible"] is True


def test_r_retrain_weekly_is_about_4_35_runs_and_daily_about_30(run):
    weekly = rule(run(knowledge_change="weekly"), "R-RETRAIN")["figures"]
    daily = rule(run(knowledge_change="daily"), "R-RETRAIN")["figures"]
    assert weekly["retraining_runs_per_month"] == 4.35
    assert 30 <= daily["retraining_runs_per_month"] < 31


def test_r_retrain_realtime_is_not_feasible_and_below_threshold_does_not_fire(run):
    r = rule(run(knowledge_change="realtime"), "R-RETRAIN")
    assert r["fired"] and r["figures"]["retraining_runs_per_month"] is None
    assert r["figures"]["feasible"] is False and "not feasible" in r["rationale"]
    assert not rule(run(knowledge_change="monthly"), "R-RETRAIN")["fired"]  # knowledge 1


def test_r_retrain_prices_at_least_the_minimum_dataset(run):
    # No examples yet: priced as 100 examples * 1000 tokens * 3 epochs * $25 / 1e6 = $7.50.
    r = rule(run(knowledge_change="weekly", labelled_examples=0), "R-RETRAIN")
    assert r["figures"]["training_usd_per_run"] == 7.5


def test_r_budget_blocks_each_option_over_budget(run):
    # Defaults: prompt_only costs $442.50 a month (42.50 inference + 0.5 day * 800).
    a = run(budget_monthly_usd=443)
    r = rule(a, "R-BUDGET")
    assert r["fired"]
    over = {b.option for b in a.blockers if b.rule == "R-BUDGET"}
    assert over == {"rag", "fine_tuning", "hybrid"}
    assert not rule(run(budget_monthly_usd=100000), "R-BUDGET")["fired"]
    assert rule(run(budget_monthly_usd=442.49), "R-BUDGET")["fired"]
    assert "prompt_only" in {b.option for b in run(budget_monthly_usd=442.49).blockers}
    # One-off: prompt_only's build is 2 days * 800 = 1600.
    one_off = run(budget_one_off_usd=1600)
    assert {b.option for b in one_off.blockers if b.rule == "R-BUDGET"} == {
        "rag",
        "fine_tuning",
        "hybrid",
    }
    assert not rule(run(), "R-BUDGET")["fired"]


def test_blockers_and_budget_never_change_the_verdict(run):
    fields = {"knowledge_change": "daily", "output_format": "strict_schema", "stage": "mvp"}
    free = run(**fields)
    tight = run(**fields, budget_monthly_usd=1, budget_one_off_usd=1, labelled_examples=0)
    assert tight.blockers
    assert (free.verdict, free.knowledge, free.behaviour) == (
        tight.verdict,
        tight.knowledge,
        tight.behaviour,
    )


@pytest.mark.parametrize(
    ("fields", "confidence"),
    [
        ({}, "high"),  # K0, B0: two points from either threshold
        ({"corpus_tokens": 10}, "medium"),  # K1: one point from rag
        ({"knowledge_change": "daily"}, "medium"),  # K2: one point from falling back
        ({"knowledge_change": "daily", "knowledge_varies_by_user": True}, "high"),  # K4
        # Strong needs, but R-DATA blocks the fine-tuning verdict: one level down.
        ({"output_format": "strict_schema", "style_requirement": "specialized_dialect"}, "medium"),
        (
            {
                "output_format": "strict_schema",
                "style_requirement": "specialized_dialect",
                "labelled_examples": 100,
            },
            "high",
        ),
        # A budget the verdict exceeds: a second level down.
        (
            {
                "output_format": "strict_schema",
                "style_requirement": "specialized_dialect",
                "budget_monthly_usd": 10,
            },
            "low",
        ),
        # A budget under the high end of the range but over the point: still touches.
        (
            {
                "knowledge_change": "daily",
                "knowledge_varies_by_user": True,
                "budget_monthly_usd": 1000,
            },
            "medium",
        ),
    ],
)
def test_confidence(run, fields, confidence):
    assert run(**fields).confidence == confidence


def test_engine_version_and_as_of_echoed(run):
    d = run().to_dict()
    assert d["engine_version"] == ENGINE_VERSION
    assert d["as_of"] == "2025-01-01"
    assert d["price_book"] == "openai-2024@1"
    assert d["schema_version"] == 1


def test_remembered_rule_outcomes_are_shared_only_between_equal_inputs(run):
    first = run(knowledge_change="weekly", queries_per_month=1).rules[0]
    second = run(knowledge_change="weekly", queries_per_month=2).rules[0]
    other = run(knowledge_change="daily").rules[0]
    assert first is second  # R-FRESH reads only knowledge_change and team_ml_maturity
    assert other.inputs["knowledge_change"] == "daily"
    with pytest.raises(TypeError):
        first.inputs["knowledge_change"] = "static"
