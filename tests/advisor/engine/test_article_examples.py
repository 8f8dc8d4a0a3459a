"""The article's own examples, as shipped in advisor/engine/data/examples/."""

import datetime
import json
from decimal import Decimal
from importlib import resources

import pytest

from advisor.engine import assess

AS_OF = datetime.date(2025, 1, 1)
EXAMPLES = resources.files("advisor.engine") / "data" / "examples"


def example(book, name, **changes):
    data = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return assess({**data, **changes}, book, as_of=AS_OF)


def fired(assessment):
    return {r.id for r in assessment.rules if r.fired}


def test_every_shipped_example_is_valid(book):
    names = sorted(p.name for p in EXAMPLES.iterdir() if p.name.endswith(".json"))
    assert len(names) == 9
    for name in names:
        assert example(book, name[: -len(".json")]).verdict


def test_support_chatbot_knowing_last_weeks_update_is_rag(book):
    a = example(book, "support-chatbot")
    assert (a.verdict, a.start_with) == ("rag", "rag")
    assert {"R-FRESH", "R-CORPUS", "R-RETRAIN"} <= fired(a)
    retrain = a.rule("R-RETRAIN").figures
    assert retrain["retraining_runs_per_month"] == Decimal("4.35")


def test_legal_research_citing_case_law_is_rag_with_grounding(book):
    a = example(book, "legal-research")
    assert a.verdict == "rag"
    assert {"R-CITE", "R-HALLUC", "R-FRESH"} <= fired(a)
    assert "citation_ui" in {c.id for c in a.components}
    assert "hallucination" in {r.id for r in a.risks}


def test_sales_assistant_on_a_live_catalog_is_rag(book):
    a = example(book, "catalog-assistant")
    assert a.verdict == "rag"
    assert a.rule("R-FRESH").points == 2
    assert not a.rule("R-MATURE").fired  # no behaviour need, so no lift despite growth


def test_strict_json_is_fine_tuning_but_starts_prompt_only(book):
    a = example(book, "strict-json-extractor")
    assert (a.verdict, a.start_with) == ("fine_tuning", "prompt_only")
    assert {"R-FORMAT", "R-EXPLORE", "R-DATA"} <= fired(a)
    assert [s.kind for s in a.roadmap] == ["start", "dataset", "fine_tune"]
    # Once the distribution is known and 200 examples exist, fine-tuning can start now.
    ready = example(
        book,
        "strict-json-extractor",
        stage="mvp",
        query_distribution_known=True,
        labelled_examples=200,
    )
    assert (ready.verdict, ready.start_with) == ("fine_tuning", "fine_tuning")


def test_a_summariser_of_its_own_input_needs_only_a_prompt(book):
    a = example(book, "meeting-notes-summariser")
    assert (a.verdict, a.start_with) == ("prompt_only", "prompt_only")
    assert (a.knowledge, a.behaviour) == (0, 0)
    assert [s.kind for s in a.roadmap] == ["start"]


def test_brand_voice_writer(book):
    a = example(book, "brand-voice-writer")
    assert (a.verdict, a.start_with) == ("fine_tuning", "fine_tuning")
    # Brand voice alone is one point: prompting may hold it.
    alone = example(book, "brand-voice-writer", domain_jargon="general")
    assert alone.verdict == "prompt_only" and alone.behaviour == 1


def test_p95_bound_real_time_feature_fires_latency(book):
    a = example(book, "realtime-autocomplete")
    assert a.rule("R-LATENCY").fired and a.verdict == "fine_tuning"
    assert a.latency["rag"].meets_budget is False
    assert a.latency["fine_tuning"].meets_budget is True


def test_prototype_without_labelled_data_is_staged(book):
    a = example(book, "prototype-no-data")
    assert (a.verdict, a.start_with) == ("fine_tuning", "prompt_only")
    assert {"R-EXPLORE", "R-DATA"} <= fired(a)
    assert {(b.option, b.rule) for b in a.blockers} >= {
        ("fine_tuning", "R-DATA"),
        ("hybrid", "R-DATA"),
    }
    assert "dataset" in [s.kind for s in a.roadmap]


def test_product_past_mvp_needing_both_is_hybrid_via_r_mature(book):
    a = example(book, "hybrid-past-mvp")
    assert (a.knowledge, a.behaviour) == (3, 1)
    assert a.rule("R-MATURE").fired and a.rule("R-MATURE").effect == "verdict rag → hybrid"
    assert (a.verdict, a.start_with) == ("hybrid", "hybrid")
    assert [s.kind for s in a.roadmap] == ["start", "fine_tune", "layer"]
    at_mvp = example(book, "hybrid-past-mvp", stage="mvp")
    assert at_mvp.verdict == "rag"


@pytest.mark.parametrize("name", ["support-chatbot", "hybrid-past-mvp"])
def test_examples_are_deterministic(book, name):
    assert example(book, name).to_dict() == example(book, name).to_dict()
