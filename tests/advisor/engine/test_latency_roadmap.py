"""Latency per option (E-LATENCY) and the §8 roadmap's stages for each verdict and blocker."""

import pytest


def test_latency_ranges_and_budget(run):
    lat = run(base_model_p95_ms=800).to_dict()["latency"]
    assert lat["prompt_only"] == {"p95_ms_low": 800, "p95_ms_high": 800, "meets_budget": None}
    assert lat["fine_tuning"] == {"p95_ms_low": 800, "p95_ms_high": 800, "meets_budget": None}
    assert lat["rag"] == {"p95_ms_low": 810, "p95_ms_high": 1300, "meets_budget": None}
    assert lat["hybrid"] == {"p95_ms_low": 810, "p95_ms_high": 1300, "meets_budget": None}


@pytest.mark.parametrize(
    ("budget", "rag_meets", "base_meets"),
    [(1300, True, True), (1299, False, True), (800, False, True), (799, False, False)],
)
def test_meets_budget_uses_the_high_end(run, budget, rag_meets, base_meets):
    lat = run(base_model_p95_ms=800, latency_p95_budget_ms=budget).to_dict()["latency"]
    assert lat["rag"]["meets_budget"] is rag_meets
    assert lat["hybrid"]["meets_budget"] is rag_meets
    assert lat["prompt_only"]["meets_budget"] is base_meets
    assert lat["fine_tuning"]["meets_budget"] is base_meets


def test_latency_risk_when_verdict_path_misses_budget(run):
    a = run(knowledge_change="daily", latency_p95_budget_ms=1000, stage="mvp").to_dict()
    assert a["verdict"] == "hybrid"  # K2 + R-LATENCY B2
    assert {"latency-hybrid", "latency-rag"} <= {r["id"] for r in a["risks"]}
    slow = run(latency_p95_budget_ms=500, base_model_p95_ms=800).to_dict()
    assert "latency-base-model" in {r["id"] for r in slow["risks"]}


def kinds(assessment):
    return [stage.kind for stage in assessment.roadmap]


def test_roadmap_prompt_only_and_rag_have_only_the_start_stage(run):
    assert kinds(run()) == ["start"]
    rag = run(knowledge_change="daily", labelled_examples=0)
    assert rag.verdict == "rag" and kinds(rag) == ["start"]  # R-DATA fired, but no fine-tuning


def test_roadmap_fine_tuning_staged_by_data(run, book):
    a = run(output_format="strict_schema", stage="mvp", query_distribution_known=True)
    assert (a.verdict, a.start_with) == ("fine_tuning", "prompt_only")
    assert kinds(a) == ["start", "dataset", "fine_tune"]
    start, dataset, tune = a.roadmap
    assert [s.stage for s in a.roadmap] == [1, 2, 3]
    assert start.approach == "prompt_only"
    assert (start.duration_days_low, start.duration_days_high) == (1, 3)
    assert start.cost_usd == a.costs.options["prompt_only"].one_off_usd
    assert any("Structured outputs" in d for d in start.deliverables)  # cheap format fix first
    assert any("100 curated" in e and "now 0" in e for e in dataset.exit_criteria)
    assert dataset.cost_usd == 10 * 800
    assert tune.approach == "fine_tuning"
    assert (tune.duration_days_low, tune.duration_days_high) == (10, 30)
    assert tune.cost_usd == 15 * 800  # no examples yet: initial runs cost $0


def test_roadmap_fine_tuning_from_the_start_retunes(run):
    a = run(
        output_format="strict_schema",
        stage="mvp",
        query_distribution_known=True,
        labelled_examples=1000,
    )
    assert (a.verdict, a.start_with) == ("fine_tuning", "fine_tuning")
    assert kinds(a) == ["start", "fine_tune"]
    start, tune = a.roadmap
    # one-off: 15 days * 800 + 3 runs * (1000 * 1000 * 3 * 25 / 1e6 = $75)
    assert start.cost_usd == 12000 + 225
    assert tune.cost_usd == 5 * 800 + 75  # a re-tune: 5 days and one run


def test_roadmap_hybrid_with_latency_gives_a_path_without_retrieval(run):
    a = run(
        knowledge_change="weekly",
        latency_p95_budget_ms=1000,
        base_model_p95_ms=800,
        stage="growth",
        query_distribution_known=False,
    )
    assert (a.verdict, a.start_with) == ("hybrid", "rag")
    assert kinds(a) == ["start", "dataset", "fine_tune", "layer"]
    layer = a.roadmap[-1]
    assert layer.approach == "hybrid"
    assert any("without retrieval" in d for d in layer.deliverables)
    assert any("1,000 ms" in e for e in layer.exit_criteria)
    # Without a latency need, the layer stage has no such path.
    b = run(knowledge_change="weekly", output_format="strict_schema", stage="mvp")
    assert not any("without retrieval" in d for d in b.roadmap[-1].deliverables)


def test_roadmap_stage_shape(run):
    stages = run(knowledge_change="weekly", output_format="strict_schema").to_dict()["roadmap"]
    for stage in stages:
        assert list(stage)[:8] == [
            "stage",
            "title",
            "approach",
            "duration_days_low",
            "duration_days_high",
            "cost_usd",
            "exit_criteria",
            "deliverables",
        ]
        assert stage["duration_days_low"] <= stage["duration_days_high"]
        assert stage["exit_criteria"] and stage["deliverables"]
