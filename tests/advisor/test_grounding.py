"""The grounding check on its own: figures read with their units and precision, matched
against the assessment and the evidence library, within what a sentence cites. No database."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from advisor.engine import assess, load_evidence, load_price_book
from advisor.grounding import (
    Facts,
    build_facts,
    check_sentence,
    check_text,
    extract_figures,
    resolve_field,
)
from advisor.llm.markdown import compose_markdown, escape_markdown
from advisor.narrative import template_narrative
from projects.markdown import render_markdown

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "advisor/engine/data/examples").glob("*.json"))


@cache
def facts_for(name: str = "support-chatbot") -> Facts:
    profile = json.loads((ROOT / f"advisor/engine/data/examples/{name}.json").read_text())
    assessment = assess(profile, load_price_book(), as_of=date(2025, 6, 1)).to_dict()
    evidence = [e.to_dict() for e in load_evidence()]
    return build_facts(assessment, evidence, price_book=load_price_book().to_dict())


def rag() -> dict:
    return facts_for().assessment["costs"]["options"]["rag"]


def figures(text: str) -> list[tuple[str, str, Decimal]]:
    return [(f.written, f.kind, f.value) for f in extract_figures(text).figures]


# --- Reading figures -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("$1,200", [("$1,200", "money", Decimal(1200))]),
        ("1200.00 dollars", [("1200.00 dollars", "money", Decimal("1200.00"))]),
        ("USD 1,200", [("USD 1,200", "money", Decimal(1200))]),
        ("$1.2k", [("$1.2k", "money", Decimal("1200.0"))]),
        ("$1.2M", [("$1.2M", "money", Decimal("1200000.0"))]),
        ("15.2 cents", [("15.2 cents", "money", Decimal("0.152"))]),
        ("13.9%", [("13.9%", "percent", Decimal("13.9"))]),
        ("13.9 percent", [("13.9 percent", "percent", Decimal("13.9"))]),
        ("500 ms", [("500 ms", "ms", Decimal(500))]),
        ("1.3 seconds", [("1.3 seconds", "ms", Decimal("1300.0"))]),
        ("a 24-month horizon", [("24-month", "months", Decimal(24))]),
        ("2 years", [("2 years", "months", Decimal(24))]),
        ("3 weeks", [("3 weeks", "days", Decimal(21))]),
        ("2,000,000 tokens", [("2,000,000 tokens", "tokens", Decimal(2_000_000))]),
        ("30k queries", [("30k queries", "queries", Decimal(30000))]),
        ("3–10×", [("3", "multiplier", Decimal(3)), ("10×", "multiplier", Decimal(10))]),
        ("in 2024", [("2024", "year", Decimal(2024))]),
    ],
)
def test_figures_are_read_with_their_units(text, expected):
    assert figures(text) == expected


def test_a_range_shares_its_unit_and_rate():
    assert figures("RAG adds 10–500 ms") == [("10", "ms", 10), ("500 ms", "ms", 500)]
    assert figures("$15–17 a run") == [("$15", "money", 15), ("17", "money", 17)]
    assert figures("17-33% of queries") == [("17", "percent", 17), ("33%", "percent", 33)]
    [low, high] = extract_figures("from $1,120 to $1,680 a month").figures
    assert (low.per, high.per) == ("month", "month")


def test_identifiers_list_markers_urls_and_unit_denominators_are_not_figures():
    text = (
        "1. GPT-4o and gpt-4o-mini with text-embedding-3-small; the p95 of a 7B or 65B model; "
        "see https://arxiv.org/abs/2401.08406 (E-PRICE-GPT4O, R-FRESH); $2.50 per 1M tokens "
        "and $27.29 per 1,000 queries."
    )
    extraction = extract_figures(text)
    assert [(f.written, f.per) for f in extraction.figures] == [
        ("$2.50", "1m_tokens"),
        ("$27.29", "1k_queries"),
    ]
    assert [r.written for r in extraction.references] == ["E-PRICE-GPT4O", "R-FRESH"]


def test_dates_in_prose_are_dates():
    [day, month] = extract_figures("as of 1 June 2025, and again in June 2025").figures
    assert (day.kind, day.iso, month.iso) == ("date", "2025-06-01", "2025-06")


# --- Matching --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    ["$36,431.69", "$36,432", "$36,431", "$36.4k", "about $36,400", "$36k", "36,431.69 dollars"],
)
def test_a_figure_matches_within_the_precision_it_was_written_with(written):
    assert rag()["total_usd"] == 36431.69
    check = check_sentence(
        f"RAG costs {written} in total.", facts_for(), fields=["costs.options.rag.total_usd"]
    )
    assert check.supported
    assert check.findings[0].matched == "costs.options.rag.total_usd = 36431.69"


@pytest.mark.parametrize(
    "written",
    ["$36,450", "$36,433", "$37,500", "$40,000", "$40k", "$3,643", "$364,317"],
)
def test_a_figure_off_by_more_than_its_precision_or_5_percent_is_unsupported(written):
    check = check_sentence(
        f"RAG costs {written} in total.", facts_for(), fields=["costs.options.rag"]
    )
    assert [f.supported for f in check.findings] == [False]


def test_percentages_and_latency_need_their_exact_value():
    text = "RAG cut hallucination from 50% to 13.9% (E-HALLUC-DROP), adding 10–500 ms."
    assert all(f.supported for f in check_text(text, facts_for()))
    for wrong in ("55%", "14.9%", "90%", "51 ms"):
        check = check_sentence(
            f"Hallucination fell to {wrong}.", facts_for(), evidence=["E-HALLUC-DROP"]
        )
        assert not check.supported, wrong


def test_a_mangled_unit_is_unsupported_and_says_where_the_number_lives():
    [low, high, ref] = check_text("RAG adds 10–500 seconds (E-LATENCY).", facts_for())
    assert not low.supported and not high.supported and ref.supported
    assert "exists as milliseconds" in high.reason and "500" in high.matched


def test_a_rate_must_be_the_rate_the_assessment_gives():
    per_1k = rag()["cost_per_1k_queries_usd"]
    ok = check_text(f"${per_1k:,.2f} per 1,000 queries", facts_for())
    mangled = check_text(f"${per_1k:,.2f} per query", facts_for())
    assert ok[0].supported and not mangled[0].supported
    # Derived from the per-1,000 cost: the per-query cost to more digits than the assessment.
    assert check_text(f"${per_1k / 1000:.4f} per query", facts_for())[0].supported


def test_evidence_and_rule_ids_must_exist():
    findings = check_text(
        "As E-ADOPT and R-FRESH show, and E-GARTNER and R-MAGIC do not.", facts_for()
    )
    assert [(f.written, f.supported) for f in findings] == [
        ("E-ADOPT", True),
        ("R-FRESH", True),
        ("E-GARTNER", False),
        ("R-MAGIC", False),
    ]


def test_the_founder_text_is_never_a_source():
    facts = facts_for()
    assert facts.assessment["profile"]["use_case"]
    assert not any(
        root.startswith(("profile.use_case", "profile.name"))
        for f in facts.facts
        for root in f.roots
    )


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_figure_of_the_template_narrative_is_grounded(path):
    facts = facts_for(path.stem)
    profile = json.loads(path.read_text())
    findings = check_text(template_narrative(facts.assessment, product=profile["name"]), facts)
    assert len(findings) >= 5
    assert [f for f in findings if not f.supported] == []


# --- Sentences within their citations --------------------------------------------------------


def test_a_true_figure_under_the_wrong_citation_is_unsupported():
    total = check_sentence("The total cost is $0.", facts_for(),
                           fields=["costs.options.rag.total_usd"])  # fmt: skip
    training = check_sentence("RAG costs $0 to train.", facts_for(),
                              fields=["costs.options.rag.training_usd_per_run"])  # fmt: skip
    assert not total.supported and "not one the sentence cites" in total.problems[0].reason
    assert training.supported


def test_a_cited_rule_brings_its_evidence_into_scope():
    check = check_sentence(
        "The facts change weekly, and 51% of deployments use RAG.",
        facts_for(),
        fields=["rules[R-FRESH]"],
    )
    assert check.supported


def test_gaps_and_ratios_between_options_need_both_options_cited():
    options = facts_for().assessment["costs"]["options"]
    gap = options["fine_tuning"]["total_usd"] - options["rag"]["total_usd"]
    both = ["costs.options.rag.total_usd", "costs.options.fine_tuning.total_usd"]
    text = f"RAG costs ${gap:,.0f} less than fine-tuning."
    assert check_sentence(text, facts_for(), fields=both).supported
    assert not check_sentence(text, facts_for(), fields=both[:1]).supported


def test_unknown_fields_invented_evidence_and_no_citation_are_unsupported():
    unknown = check_sentence("We recommend RAG.", facts_for(), fields=["costs.magic"])
    invented = check_sentence("Gartner agrees.", facts_for(), evidence=["E-GARTNER"])
    bare = check_sentence("Most teams regret fine-tuning.", facts_for())
    assert [f.kind for f in unknown.problems] == ["field"]
    assert [f.kind for f in invented.problems] == ["evidence"]
    assert [f.kind for f in bare.problems] == ["citation"]


@pytest.mark.parametrize(
    "path, canonical",
    [
        ("verdict", "verdict"),
        ("costs.options.rag.total_usd", "costs.options.rag.total_usd"),
        ("assessment.costs.options.rag.total_usd", "costs.options.rag.total_usd"),
        ("rules[R-FRESH]", "rules.0"),
        ("rules.R-FRESH.rationale", "rules.0.rationale"),
        ("R-FRESH", "rules.0"),
        ("roadmap[0].cost_usd", "roadmap.0.cost_usd"),
        ("costs.options.rag.monthly[5].total_usd", "costs.options.rag.monthly.5.total_usd"),
        ("evidence.E-ADOPT", "evidence.E-ADOPT"),
        ("E-ADOPT", "evidence.E-ADOPT"),
        ("costs.options.magic", None),
        ("rules[R-NOPE]", None),
    ],
)
def test_cited_fields_resolve_to_canonical_paths(path, canonical):
    assert resolve_field(facts_for(), path) == canonical


# --- Model text in the narrative -------------------------------------------------------------


def test_model_text_is_shown_literally_never_as_markup():
    hostile = "See [our site](https://evil.example) <img src=x onerror=alert(1)> **now**"
    html = str(render_markdown(escape_markdown(hostile)))
    assert "<a" not in html and "<img" not in html and "<strong>" not in html
    assert "[our site](https://evil.example)" in html and "&lt;img" in html


def test_only_included_sentences_reach_the_narrative():
    sentences = [
        {"section": "executive_summary", "text": "Kept.", "status": "supported"},
        {"section": "executive_summary", "text": "Flagged.", "status": "flagged"},
        {"section": "risks", "text": "Accepted.", "status": "accepted"},
        {"section": "next_steps", "text": "Only flagged.", "status": "flagged"},
    ]
    text = compose_markdown(sentences)
    assert text == "## Executive summary\n\nKept.\n\n## Risks\n\n- Accepted.\n"


def test_the_check_imports_no_django():
    code = (
        "import sys, advisor.grounding, advisor.llm.prompt, advisor.llm.markdown; "
        "bad = [m for m in sys.modules if m.split('.')[0] in {'django', 'openai', 'celery'}]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
