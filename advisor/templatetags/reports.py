"""Template tags and filters for the report sections (`{% load reports %}`).

Thin wrappers: the formats live in `advisor.charts` (money) and the report facts in
`advisor.exports`, so the HTML, the PDF and the Markdown say the same thing.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from advisor import charts as c
from advisor import exports
from advisor.engine import OPTIONS
from projects.markdown import render_markdown

register = template.Library()


# ---- Filters -----------------------------------------------------------------------------------


@register.filter
def money(value: Any) -> str:
    """{{ 44246.6|money }} -> $44,247; cents below $100."""
    return "—" if value is None or value == "" else c.money(value)


@register.filter
def money_short(value: Any) -> str:
    """{{ 2400|money_short }} -> $2.4k."""
    return "—" if value is None or value == "" else c.money_short(value)


@register.filter
def money_exact(value: Any) -> str:
    return "—" if value is None or value == "" else c.money_exact(value)


@register.filter
def money_range(value: Mapping[str, Any] | None) -> str:
    """{{ cost.ranges.one_off_usd|money_range }} -> $2.4k–$8k."""
    if not value:
        return ""
    return c.money_range(value["low"], value["high"])


@register.filter
def latency_span(value: Mapping[str, Any] | None) -> str:
    """{{ a.latency.rag|latency_span }} -> 810–1,300 ms (one figure when low equals high)."""
    if not value:
        return ""
    lo, hi = int(value["p95_ms_low"]), int(value["p95_ms_high"])
    return f"{lo:,} ms" if lo == hi else f"{lo:,}–{hi:,} ms"


@register.filter
def option_label(value: str) -> str:
    """{{ "rag"|option_label }} -> RAG."""
    return exports.option_label(value)


@register.filter
def field_label(name: str) -> str:
    return exports.field_label(name)


@register.filter
def field_value(value: Any, name: str) -> str:
    """{{ item.value|field_value:item.field }} -> the value in words."""
    return exports.field_value(name, value)


@register.filter
def iso_date(value: str | None) -> str:
    """{{ revision.approved_at|iso_date }} -> 25 Nov 2026 (content dates are ISO strings)."""
    return exports.format_date(value)


@register.filter
def safe_url(value: Any) -> str:
    """Only http(s) links are links; anything else (javascript:, data:) becomes no link."""
    text = str(value or "")
    return text if re.match(r"https?://", text, re.IGNORECASE) else ""


_HEADING = re.compile(r"<(/?)h([1-4])>")


@register.filter
def narrative_html(text: str | None) -> SafeString:
    """The narrative's Markdown as sanitised HTML, its headings pushed under the section's h2."""

    def demote(match: re.Match[str]) -> str:
        level = min(max(int(match.group(2)) + 1, 3), 5)
        return f"<{match.group(1)}h{level}>"

    # render_markdown has already sanitised; renaming heading tags keeps it safe.
    return mark_safe(_HEADING.sub(demote, str(render_markdown(text or ""))))  # noqa: S308


# ---- Tags --------------------------------------------------------------------------------------


def _verdict(content: Mapping[str, Any]) -> str:
    return (content.get("effective") or {}).get("verdict") or content["assessment"]["verdict"]


def _figure(
    chart: c.Chart, extra_class: str = "", *, long: bool = False, pdf: bool = False
) -> SafeString:
    context = {"chart": chart, "extra_class": extra_class, "long": long, "pdf": pdf}
    # Rendered by the template engine, autoescaping on.
    return mark_safe(render_to_string("reports/_chart.html", context))  # noqa: S308


def _long_charts(content: Mapping[str, Any]) -> list[c.Chart]:
    """The charts whose tables run a row per month: the PDF sets them in an appendix."""
    assessment, verdict = content["assessment"], _verdict(content)
    return [
        c.cumulative_cost_chart(assessment, verdict=verdict),
        *c.monthly_cost_charts(assessment, verdict=verdict),
    ]


# Drawn charts by (assessment digest, verdict, kind, pdf). A chart is a pure function of those,
# and drawing the review page's seven SVGs was a fifth of its time (docs/PERFORMANCE.md); the
# page is opened again and again on the same draft. Per process and bounded, so it lives no
# longer than the code that drew it.
_CHART_CACHE: OrderedDict[tuple[str, str, str, bool], SafeString] = OrderedDict()
_CHART_CACHE_SIZE = 256
_CHART_LOCK = threading.Lock()


@register.simple_tag(takes_context=True)
def chart(context: template.Context, content: Mapping[str, Any], kind: str) -> SafeString:
    """{% chart c "cumulative" %} — a figure: SVG (wide and phone), caption and data table.

    kind: cumulative | monthly (the four options as small multiples) | latency | roadmap.
    With `pdf` true in the context (the PDF export) the phone SVG is left out and the
    month-by-month tables go to the appendix instead of beside their chart.
    """
    assessment = content["assessment"]
    verdict = _verdict(content)
    pdf = bool(context.get("pdf"))
    encoded = json.dumps(assessment, sort_keys=True, separators=(",", ":"), default=str)
    key = (hashlib.sha256(encoded.encode()).hexdigest(), verdict, kind, pdf)
    with _CHART_LOCK:
        cached = _CHART_CACHE.get(key)
        if cached is not None:
            _CHART_CACHE.move_to_end(key)
            return cached
    drawn = _draw_chart(assessment, verdict, kind, pdf)
    with _CHART_LOCK:
        _CHART_CACHE[key] = drawn
        while len(_CHART_CACHE) > _CHART_CACHE_SIZE:
            _CHART_CACHE.popitem(last=False)
    return drawn


def _draw_chart(assessment: Mapping[str, Any], verdict: str, kind: str, pdf: bool) -> SafeString:
    if kind == "cumulative":
        return _figure(c.cumulative_cost_chart(assessment, verdict=verdict), long=True, pdf=pdf)
    if kind == "monthly":
        figures = [
            _figure(item, "chart-small", long=True, pdf=pdf)
            for item in c.monthly_cost_charts(assessment, verdict=verdict)
        ]
        return mark_safe('<div class="chart-grid">' + "".join(figures) + "</div>")  # noqa: S308
    if kind == "latency":
        return _figure(c.latency_chart(assessment, verdict=verdict), pdf=pdf)
    if kind == "roadmap":
        return _figure(c.roadmap_chart(assessment), pdf=pdf)
    raise template.TemplateSyntaxError(f"unknown chart kind {kind!r}")


@register.simple_tag
def chart_tables(content: Mapping[str, Any]) -> SafeString:
    """{% chart_tables c %} — the month-by-month tables, for the PDF's appendix: the cumulative
    table across the page, the four monthly tables two to a row."""
    cumulative, *monthly = _long_charts(content)

    def table(item: c.Chart) -> str:
        return render_to_string("reports/_chart_table.html", {"chart": item})

    return mark_safe(  # noqa: S308 — rendered by the template engine, escaping on
        table(cumulative)
        + '<div class="appendix-columns">'
        + "".join(table(item) for item in monthly)
        + "</div>"
    )


@register.simple_tag
def report_rules(content: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """{% report_rules c as rules %} — rules.fired and rules.quiet, by effective outcome (after
    overrides), each with its inputs in words."""
    rows = exports.rule_rows(content)
    return {
        "fired": [row for row in rows if row["fired"]],
        "quiet": [row for row in rows if not row["fired"]],
    }


@register.simple_tag
def report_costs(content: Mapping[str, Any]) -> list[dict[str, Any]]:
    """{% report_costs c as rows %} — the cost summary per option, ranges formatted."""
    return exports.cost_rows(content)


@register.simple_tag
def report_break_even(content: Mapping[str, Any]) -> list[c.BreakEvenFact]:
    """{% report_break_even c as facts %} — the verdict against each alternative."""
    return c.break_even_facts(content["assessment"], _verdict(content))


@register.simple_tag
def report_blockers(content: Mapping[str, Any]) -> list[dict[str, Any]]:
    return exports.blocker_groups(content["assessment"])


@register.simple_tag
def report_override(
    content: Mapping[str, Any], kind: str, rule_id: str | None = None
) -> dict[str, Any] | None:
    """{% report_override c "verdict" as o %} — the override in force, if it changed anything."""
    effective = content.get("effective") or {}
    if kind in ("verdict", "start_with") and not effective.get(f"{kind}_overridden"):
        return None
    return exports.override_for(content, kind, rule_id)


@register.simple_tag
def confidence_basis(content: Mapping[str, Any]) -> str:
    return exports.confidence_sentence(content["assessment"])


@register.simple_tag
def report_evidence_ids(content: Mapping[str, Any]) -> list[str]:
    """{% report_evidence_ids c as ev_ids %} — ids with an entry in the sources section."""
    return [str(item["id"]) for item in content.get("evidence") or []]


@register.simple_tag
def report_options() -> tuple[str, ...]:
    """{% report_options as options %} — the four options in their fixed order."""
    return OPTIONS


@register.filter
def item(mapping: Mapping[str, Any] | None, key: str) -> Any:
    """{{ d.ratings|item:option }} — a dict lookup by a variable key."""
    return (mapping or {}).get(key)


@register.filter
def safe_logo(value: Any) -> str:
    """The firm logo only as an inline image data URI (a report fetches nothing)."""
    return exports.safe_logo(value)
