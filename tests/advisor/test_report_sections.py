"""The report's section templates render every part of every example, safely."""

from __future__ import annotations

import json
import re
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from django.template.loader import render_to_string

from advisor.charts import money, money_range
from advisor.engine import OPTIONS, PROFILE_FIELDS, assess, load_evidence, load_price_book
from advisor.report_content import OPTION_LABELS, report_content

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES_DIR = ROOT / "advisor/engine/data/examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.json"))
SECTIONS = {
    "_verdict.html": "report-verdict",
    "_rules.html": "report-why",
    "_comparison.html": "report-comparison",
    "_costs.html": "report-costs",
    "_latency.html": "report-latency",
    "_roadmap.html": "report-roadmap",
    "_risks.html": "report-risks",
    "_assumptions.html": "report-assumptions",
    "_narrative.html": "report-narrative",
    "_evidence.html": "report-sources",
}
VERDICT_WHY = "The client's team cannot run training this year; RAG first."
RULE_WHY = "Enterprise tenants will see their own onboarding documents."


@cache
def _assessed(path: str) -> str:
    profile = json.loads(Path(path).read_text())
    return json.dumps(assess(profile, load_price_book(), as_of=date(2026, 11, 25)).to_dict())


def evidence() -> list[dict]:
    return [
        {
            "id": e.id,
            "title": e.title,
            "claim": e.claim,
            "source": e.source,
            "date": e.date,
            "url": e.url,
        }
        for e in load_evidence()
    ]


def content(
    path: Path | str = EXAMPLES_DIR / "hybrid-past-mvp.json",
    *,
    overrides: list[dict] | None = None,
    narrative: str = "## Summary\n\nShip it.",
    client: str = "Nimbus HR",
    revision: dict | None = None,
    **kw: object,
) -> dict:
    a = json.loads(_assessed(str(path)))
    return report_content(
        assessment=a,
        firm={
            "name": "Northwind AI Advisory",
            "brand_name": "Northwind Advisory",
            "accent": "#4f46e5",
            "logo_data_uri": "",
        },
        client_name=client,
        engagement_title=kw.get("title", "Onboarding assistant"),
        profile_version=2,
        overrides=overrides or [],
        narrative=narrative,
        evidence=kw.get("evidence", evidence()),
        revision=revision
        if revision is not None
        else {
            "number": 1,
            "approved_at": "2026-11-25T10:00:00+00:00",
            "approved_by": "Olivia Hart",
        },
    )


def overridden(path: Path | str = EXAMPLES_DIR / "hybrid-past-mvp.json") -> dict:
    a = json.loads(_assessed(str(path)))
    quiet = next(r for r in a["rules"] if not r["fired"])
    return content(
        path,
        overrides=[
            {
                "kind": "verdict",
                "rule_id": "",
                "value": "rag",
                "original": a["verdict"],
                "justification": VERDICT_WHY,
                "by": "Olivia Hart",
                "at": "2026-11-24T16:00:00Z",
            },
            {
                "kind": "rule",
                "rule_id": quiet["id"],
                "value": "fired",
                "original": "not_fired",
                "justification": RULE_WHY,
                "by": "Olivia Hart",
                "at": "2026-11-24T16:05:00Z",
            },
        ],
    )


def text_of(html: str) -> str:
    """Visible text, whitespace collapsed, entities for quotes decoded."""
    plain = re.sub(r"<[^>]+>", " ", html).replace("&#x27;", "'").replace("&amp;", "&")
    return re.sub(r"\s+", " ", plain)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("name", sorted(SECTIONS))
def test_every_section_renders_for_every_example(path: Path, name: str) -> None:
    html = render_to_string(f"reports/{name}", {"c": content(path)})
    assert f'id="{SECTIONS[name]}"' in html
    assert f'aria-labelledby="{SECTIONS[name]}-h"' in html


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_full_report_has_every_section_in_design_order(path: Path) -> None:
    c = content(path)
    html = render_to_string("reports/report.html", {"c": c})
    positions = [html.index(f'id="{section}"') for section in SECTIONS.values()]
    assert positions == sorted(positions)
    verdict = OPTION_LABELS[c["effective"]["verdict"]]
    assert verdict in text_of(html)
    # Every chart is there, each with its phone variant and its data table.
    for chart_id in (
        "chart-cumulative",
        "chart-latency",
        "chart-roadmap",
        *(f"chart-monthly-{o}" for o in OPTIONS),
    ):
        assert f'id="{chart_id}"' in html and f'id="{chart_id}-n"' in html
        assert f'id="{chart_id}-cap"' in html
    assert html.count('class="rtable rtable-data"') >= 7


def test_report_obeys_the_content_security_policy() -> None:
    html = render_to_string("reports/report.html", {"c": overridden()})
    assert not re.search(r"\sstyle=", html)
    assert "<script" not in html.lower()
    assert not re.search(r"\son[a-z]+=", html)


def test_verdict_override_is_shown_with_the_engines_answer_and_the_justification() -> None:
    c = overridden()
    html = text_of(render_to_string("reports/_verdict.html", {"c": c}))
    engine = OPTION_LABELS[c["assessment"]["verdict"]]
    assert "Overridden" in html
    assert f"The engine said {engine} — {VERDICT_WHY}" in html
    assert "Olivia Hart, 24 Nov 2026" in html
    # The effective verdict leads; the key figures are those of the overriding option.
    assert OPTION_LABELS["rag"] in html
    assert money(c["assessment"]["costs"]["options"]["rag"]["total_usd"]) in html
    # The costs section names the recommended option too, so it carries the override as well.
    costs = text_of(render_to_string("reports/_costs.html", {"c": c}))
    assert f"The engine said {engine} — {VERDICT_WHY}" in costs


def test_rule_override_is_marked_on_the_rule() -> None:
    c = overridden()
    rule_id = next(o["rule_id"] for o in c["overrides"] if o["kind"] == "rule")
    html = render_to_string("reports/_rules.html", {"c": c})
    item = re.search(rf'<li class="rule[^"]*" id="rule-{rule_id.lower()}">(.*?)</li>', html, re.S)
    assert item and "is-overridden" in item.group(0) and "is-fired" in item.group(0)
    assert f"The engine said it did not fire — {RULE_WHY}" in text_of(item.group(1))


def test_no_override_no_override_note() -> None:
    c = content()
    for name in ("_verdict.html", "_rules.html"):
        assert "Overridden" not in render_to_string(f"reports/{name}", {"c": c})


def test_rule_trace_lists_fired_and_quiet_rules_with_inputs_in_words() -> None:
    c = content()
    html = render_to_string("reports/_rules.html", {"c": c})
    rules = c["assessment"]["rules"]
    assert html.count('class="rule is-fired') == sum(r["fired"] for r in rules)
    assert html.count('class="rule is-quiet') == sum(not r["fired"] for r in rules)
    labels = {spec.name: spec.label for spec in PROFILE_FIELDS}
    fresh = next(r for r in rules if r["id"] == "R-FRESH")
    for field in fresh["inputs"]:
        assert labels[field] in text_of(html)
    # Evidence ids link to their entries in the sources.
    assert 'href="#ev-e-adopt"' in html
    assert 'id="ev-e-adopt"' in render_to_string("reports/_evidence.html", {"c": c})


def test_costs_show_ranges_as_ranges_and_the_break_even() -> None:
    c = content()
    html = text_of(render_to_string("reports/_costs.html", {"c": c}))
    rag = c["assessment"]["costs"]["options"]["rag"]
    # The brief's own example: RAG's one-off build of 3-10 days at $800 a day.
    assert "$2.4k–$8k" in html
    total = rag["ranges"]["total_usd"]
    assert money_range(total["low"], total["high"]) in html
    for option in OPTIONS:
        assert money(c["assessment"]["costs"]["options"][option]["total_usd"]) in html
    assert "break" in html.lower() and "throughout the 24 months" in html


def test_comparison_marks_the_clients_needs() -> None:
    c = content()
    html = render_to_string("reports/_comparison.html", {"c": c})
    dims = c["assessment"]["comparison"]["dimensions"]
    assert html.count('<tr class="is-matters">') == sum(d["matters"] for d in dims) > 0
    for d in dims:
        assert d["title"] in html
    for option in OPTIONS:
        assert f"opt-{option}" in html


def test_assumptions_are_listed_in_words_with_their_source() -> None:
    c = content(revision={})
    html = text_of(render_to_string("reports/_assumptions.html", {"c": c}))
    labels = {spec.name: spec.label for spec in PROFILE_FIELDS}
    for item in c["assessment"]["assumptions"]:
        assert labels[item["field"]] in html
    assert "knowledge_varies_by_user" not in html
    assert "Default" in html


def test_roadmap_and_risks_render_their_items() -> None:
    c = content(EXAMPLES_DIR / "prototype-no-data.json")
    roadmap = text_of(render_to_string("reports/_roadmap.html", {"c": c}))
    for stage in c["assessment"]["roadmap"]:
        assert stage["title"] in roadmap
        assert f"{stage['duration_days_low']}–{stage['duration_days_high']} working days" in roadmap
        assert money(stage["cost_usd"]) in roadmap
        assert all(item in roadmap for item in stage["exit_criteria"])
    risks = text_of(render_to_string("reports/_risks.html", {"c": c}))
    # R-DATA blocks fine-tuning and hybrid for one reason: said once, both options named.
    reason = c["assessment"]["blockers"][0]["reason"]
    assert risks.count(reason) == 1
    assert "Fine-tuning" in risks and "Hybrid (RAG + fine-tuning)" in risks
    assert c["assessment"]["risks"][0]["text"] in risks


def test_hostile_text_is_escaped_and_the_narrative_sanitised() -> None:
    hostile = '<script>alert("x")</script>'
    c = content(
        client=hostile,
        title=hostile,
        narrative="## Plan\n\n<script>alert(1)</script>\n\n[click](javascript:alert(1))",
        evidence=[
            {
                "id": "E-ADOPT",
                "title": hostile,
                "claim": "c",
                "source": "s",
                "date": "2024",
                "url": "javascript:alert(1)",
            },
        ],
    )
    html = render_to_string("reports/report.html", {"c": c})
    assert "<script" not in html.lower()
    assert "javascript:" not in html
    assert "&lt;script&gt;" in html
    narrative = render_to_string("reports/_narrative.html", {"c": c})
    # The narrative's own headings sit under the section's h2.
    assert "<h3>Plan</h3>" in narrative and "<h2>Plan" not in narrative


def test_a_draft_says_so() -> None:
    html = text_of(render_to_string("reports/report.html", {"c": content(revision={})}))
    assert "Draft not yet approved" in html
    approved = text_of(render_to_string("reports/report.html", {"c": content()}))
    assert "Revision 1, approved 25 Nov 2026 by Olivia Hart" in approved


def test_option_label_filter_and_option_classes() -> None:
    from django.template import Context, Template

    rendered = Template(
        '{% load reports %}{% for o in options %}<i class="opt-{{ o }}">{{ o|option_label }}</i>'
        "{% endfor %}"
    ).render(Context({"options": OPTIONS}))
    for option in OPTIONS:
        assert f'<i class="opt-{option}">{OPTION_LABELS[option]}</i>' in rendered
    css = (ROOT / "static/css/report.css").read_text()
    for option, colour in (
        ("prompt_only", "#6b7280"),
        ("rag", "#2563eb"),
        ("fine_tuning", "#d97706"),
        ("hybrid", "#7c3aed"),
    ):
        assert re.search(rf"\.opt-{option} \{{ --opt: {colour};", css)
