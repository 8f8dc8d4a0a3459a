"""The report's SVG charts: deterministic, accessible, escaped, and true to the assessment."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from advisor import charts
from advisor.engine import OPTIONS, assess, load_price_book

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES_DIR = ROOT / "advisor/engine/data/examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.json"))
SVG = "{http://www.w3.org/2000/svg}"
# DESIGN §9: one colour per option everywhere.
DESIGN_COLOURS = {
    "prompt_only": "#6b7280",
    "rag": "#2563eb",
    "fine_tuning": "#d97706",
    "hybrid": "#7c3aed",
}
# A high-volume strict-JSON extractor: fine-tuning's shorter prompts repay its build cost
# within the horizon, so its cost to date crosses the cheaper options'.
CROSSING_PROFILE = {
    "name": "Invoice extractor",
    "stage": "growth",
    "query_distribution_known": True,
    "output_format": "strict_schema",
    "labelled_examples": 800,
    "queries_per_month": 300_000,
    "monthly_growth_pct": 3,
    "input_tokens": 4000,
    "few_shot_tokens": 3500,
    "output_tokens": 150,
    "latency_p95_budget_ms": 1000,
}


@cache
def _assessed(key: str) -> str:
    profile = CROSSING_PROFILE if key == "crossing" else json.loads(Path(key).read_text())
    return json.dumps(assess(profile, load_price_book(), as_of=date(2026, 11, 25)).to_dict())


def assessment(key: str | Path) -> dict:
    """A fresh copy each time, so no test can leak changes into another."""
    return json.loads(_assessed(str(key)))


def example(name: str) -> dict:
    return assessment(EXAMPLES_DIR / f"{name}.json")


def all_charts(a: dict, verdict: str | None = None) -> list[charts.Chart]:
    return [
        charts.cumulative_cost_chart(a, verdict=verdict),
        *charts.monthly_cost_charts(a, verdict=verdict),
        charts.latency_chart(a, verdict=verdict),
        charts.roadmap_chart(a),
    ]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 — our own markup, parsed to check it is well-formed


def dollars(text: str) -> Decimal:
    return Decimal(text.replace("$", "").replace(",", ""))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_charts_are_deterministic_and_do_not_touch_their_input(path: Path) -> None:
    a = assessment(path)
    before = copy.deepcopy(a)
    first = all_charts(a)
    second = all_charts(assessment(path))
    assert first == second
    assert a == before


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_chart_is_accessible_well_formed_svg_without_inline_style(path: Path) -> None:
    for chart in all_charts(assessment(path)):
        for markup in (chart.svg, chart.svg_narrow):
            root = parse(markup)
            assert root.get("role") == "img"
            assert root.get("width") == "100%" and root.get("viewBox")
            ids = {el.get("id") for el in root.iter() if el.get("id")}
            labelled = root.get("aria-labelledby", "").split()
            assert labelled and all(ref in ids for ref in labelled)
            title = root.find(f"{SVG}title")
            assert title is not None and title.text == chart.title
            # The CSP forbids inline styles and scripts: presentation attributes only.
            assert all("style" not in el.attrib for el in root.iter())
            assert not list(root.iter(f"{SVG}script"))
        assert parse(chart.svg).get("id") != parse(chart.svg_narrow).get("id")
        assert chart.caption and chart.table.headers and chart.table.rows


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_cumulative_chart_draws_one_line_per_option_in_its_design_colour(path: Path) -> None:
    a = assessment(path)
    for markup in (lambda c: c.svg, lambda c: c.svg_narrow):
        root = parse(markup(charts.cumulative_cost_chart(a)))
        lines = [el for el in root.iter(f"{SVG}path") if el.get("class") == "line"]
        assert sorted(el.get("data-option") for el in lines) == sorted(OPTIONS)
        for el in lines:
            assert el.get("stroke") == DESIGN_COLOURS[el.get("data-option")]
        verdict_line = next(el for el in lines if el.get("data-option") == a["verdict"])
        others = [float(el.get("stroke-width")) for el in lines if el is not verdict_line]
        assert float(verdict_line.get("stroke-width")) > max(others)


def test_the_recommended_line_follows_an_overridden_verdict() -> None:
    a = example("hybrid-past-mvp")
    root = parse(charts.cumulative_cost_chart(a, verdict="rag").svg)
    widths = {
        el.get("data-option"): float(el.get("stroke-width"))
        for el in root.iter(f"{SVG}path")
        if el.get("class") == "line"
    }
    assert max(widths, key=widths.get) == "rag"


def test_ranges_are_drawn_as_bands_that_end_at_the_total_range() -> None:
    a = example("hybrid-past-mvp")
    chart = charts.cumulative_cost_chart(a)
    root = parse(chart.svg)
    banded = {
        el.get("data-option") for el in root.iter(f"{SVG}polygon") if el.get("class") == "band"
    }
    with_range = {
        o
        for o, cost in a["costs"]["options"].items()
        if cost["ranges"]["total_usd"]["low"] != cost["ranges"]["total_usd"]["high"]
    }
    assert with_range and banded == with_range
    for el in root.iter(f"{SVG}polygon"):
        assert el.get("fill") == DESIGN_COLOURS[el.get("data-option")]
    last = chart.table.rows[-1]
    for option, cell in zip(OPTIONS, last[1:], strict=True):
        low, high = (dollars(part) for part in cell.split("–"))
        rng = a["costs"]["options"][option]["ranges"]["total_usd"]
        assert (low, high) == (Decimal(str(rng["low"])), Decimal(str(rng["high"])))


def test_break_even_is_marked_where_the_verdict_crosses_the_cheapest_alternative() -> None:
    a = assessment("crossing")
    verdict = a["verdict"]
    totals = {o: c["total_usd"] for o, c in a["costs"]["options"].items()}
    cheapest = min((o for o in OPTIONS if o != verdict), key=totals.get)
    engine_month = next(
        b["month"]
        for b in a["costs"]["break_even"]
        if (b["option"], b["versus"]) == (verdict, cheapest)
    )
    assert engine_month and engine_month > 0, "the fixture must cross within the horizon"

    chart = charts.cumulative_cost_chart(a)
    for markup in (chart.svg, chart.svg_narrow):
        markers = [el for el in parse(markup).iter(f"{SVG}g") if el.get("class") == "break-even"]
        assert len(markers) == 1
        assert markers[0].get("data-versus") == cheapest
        shown = int(markers[0].get("data-month"))
        assert shown == engine_month + 1  # people count months from 1
    # The table agrees: dearer the month before, at or below from the month shown.
    column = {h: i for i, h in enumerate(chart.table.headers)}
    rows = {row[0]: row for row in chart.table.rows}
    mine, theirs = column[charts.OPTION_LABELS[verdict]], column[charts.OPTION_LABELS[cheapest]]
    at, before = rows[f"Month {shown}"], rows[f"Month {shown - 1}"]
    assert dollars(at[mine]) <= dollars(at[theirs])
    assert dollars(before[mine]) > dollars(before[theirs])
    assert f"month {shown}" in chart.caption


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_no_break_even_marker_when_the_lines_never_cross(path: Path) -> None:
    a = assessment(path)
    verdict = a["verdict"]
    months = {(b["option"], b["versus"]): b["month"] for b in a["costs"]["break_even"]}
    totals = {o: c["total_usd"] for o, c in a["costs"]["options"].items()}
    cheapest = min((o for o in OPTIONS if o != verdict), key=totals.get)
    crosses = any(
        months[pair] not in (0, None) for pair in ((verdict, cheapest), (cheapest, verdict))
    )
    markers = [
        el
        for el in parse(charts.cumulative_cost_chart(a).svg).iter(f"{SVG}g")
        if el.get("class") == "break-even"
    ]
    assert len(markers) == (1 if crosses else 0)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_data_tables_hold_the_assessments_figures(path: Path) -> None:
    a = assessment(path)
    options = a["costs"]["options"]
    cumulative = charts.cumulative_cost_chart(a).table
    rows = {row[0]: row for row in cumulative.rows}
    horizon = a["costs"]["horizon_months"]
    for index, option in enumerate(OPTIONS, start=1):
        assert dollars(rows["Start (one-off)"][index]) == Decimal(
            str(options[option]["one_off_usd"])
        )
        assert dollars(rows[f"Month {horizon}"][index]) == Decimal(
            str(options[option]["total_usd"])
        )

    for chart, option in zip(charts.monthly_cost_charts(a), OPTIONS, strict=True):
        assert len(chart.table.rows) == len(options[option]["monthly"])
        for row, month in zip(chart.table.rows, options[option]["monthly"], strict=True):
            parts = [dollars(cell) for cell in row[1:-1]]
            assert dollars(row[-1]) == Decimal(str(month["total_usd"])) == sum(parts)

    latency = {row[0]: row for row in charts.latency_chart(a).table.rows}
    for option in OPTIONS:
        row = latency[charts.OPTION_LABELS[option]]
        assert row[1] == f"{a['latency'][option]['p95_ms_low']:,} ms"
        assert row[2] == f"{a['latency'][option]['p95_ms_high']:,} ms"

    roadmap = charts.roadmap_chart(a).table.rows
    assert len(roadmap) == len(a["roadmap"])
    for row, stage in zip(roadmap, a["roadmap"], strict=True):
        assert stage["title"] in row[0]
        assert row[2] == f"{stage['duration_days_low']}–{stage['duration_days_high']}"


def test_small_multiples_share_one_scale_and_line_up() -> None:
    panels = charts.monthly_cost_charts(example("legal-research"))
    assert len(panels) == 4

    def top_tick_and_axis(svg: str) -> tuple[str, str]:
        root = parse(svg)
        ticks = [el.text for el in root.iter(f"{SVG}text") if (el.text or "").startswith("$")]
        return ticks[-1], root.get("viewBox")

    assert len({top_tick_and_axis(p.svg) for p in panels}) == 1
    assert len({top_tick_and_axis(p.svg_narrow) for p in panels}) == 1


def test_monthly_bars_use_one_hue_per_option() -> None:
    a = example("hybrid-past-mvp")
    for chart, option in zip(charts.monthly_cost_charts(a), OPTIONS, strict=True):
        fills = {
            el.get("fill") for el in parse(chart.svg).iter(f"{SVG}rect") if el.get("data-component")
        }
        # The component the option spends most on (inference) is drawn in the option's colour.
        assert DESIGN_COLOURS[option] in fills


def test_latency_chart_draws_the_budget_line_only_when_a_budget_is_set() -> None:
    with_budget = example("realtime-autocomplete")
    budget = with_budget["profile"]["latency_p95_budget_ms"]
    chart = charts.latency_chart(with_budget)
    lines = [el for el in parse(chart.svg).iter(f"{SVG}g") if el.get("class") == "budget"]
    assert len(lines) == 1 and int(lines[0].get("data-budget")) == budget
    over = [o for o in OPTIONS if with_budget["latency"][o]["meets_budget"] is False]
    flagged = [
        el.get("data-option")
        for el in parse(chart.svg).iter(f"{SVG}g")
        if el.get("class") == "series"
        and any("over budget" in (t.text or "") for t in el.iter(f"{SVG}text"))
    ]
    assert over and flagged == over

    without = charts.latency_chart(example("hybrid-past-mvp"))
    assert 'class="budget"' not in without.svg
    assert "over budget" not in without.svg


def test_hostile_text_is_escaped() -> None:
    a = example("prototype-no-data")
    a["profile"]["name"] = '<script>alert("x")</script>'
    a["roadmap"][0]["title"] = "Ship <img src=x onerror=alert(1)> & more"
    for chart in all_charts(a):
        for markup in (chart.svg, chart.svg_narrow):
            assert "<script" not in markup and "<img" not in markup
            parse(markup)  # still well-formed: nothing broke out of its element
    roadmap = charts.roadmap_chart(a)
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; more" in roadmap.svg
    assert "&lt;script&gt;" in charts.cumulative_cost_chart(a).svg


@pytest.mark.parametrize(
    ("value", "short"),
    [
        (0, "$0"),
        (0.02, "$0.02"),
        (590, "$590"),
        (1200, "$1.2k"),
        (8000, "$8k"),
        (45_000, "$45k"),
        (103_506.42, "$104k"),
        (999_600, "$1M"),
        (1_234_567, "$1.2M"),
    ],
)
def test_money_short(value: float, short: str) -> None:
    assert charts.money_short(value) == short


def test_money_formats_and_ranges() -> None:
    assert charts.money(44_246.6) == "$44,247"
    assert charts.money(21.77) == "$21.77"
    assert charts.money(0.5) == "$0.50"
    assert charts.money_exact(44_246.6) == "$44,246.60"
    assert charts.money_range(2400, 8000) == "$2.4k–$8k"
    assert charts.money_range(1125.75, 1125.75) == "$1.1k"


@pytest.mark.parametrize("high", [0.7, 9, 42, 130, 1300, 23_456, 103_506.42, 7_777_777])
@pytest.mark.parametrize("count", [4, 6])
def test_nice_ticks_are_round_and_cover_the_data(high: float, count: int) -> None:
    ticks = charts.nice_ticks(high, count)
    step = Decimal(str(ticks[1] - ticks[0]))
    assert ticks[0] == 0 and ticks[-1] >= high and ticks[-2] < high
    mantissa = step.scaleb(-step.adjusted()).normalize()
    assert mantissa in {Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5)}
    assert len(ticks) - 1 <= count + 1
    assert all(re.fullmatch(r"\$[\d.,]+[kM]?", charts.money_short(t)) for t in ticks)


def test_charts_import_no_django() -> None:
    """Pure functions: usable from the engine's CLI, a Celery task or a notebook alike."""
    code = (
        "import sys, advisor.charts; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)
