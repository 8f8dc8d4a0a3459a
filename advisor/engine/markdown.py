"""A Markdown report of an assessment that a consultant can paste into an e-mail.

It states only what the assessment holds: verdict, staging, confidence, the fired rules with their
evidence, costs, break-even, latency, roadmap, risks, blockers and assumptions.
"""

from __future__ import annotations

from decimal import Decimal

from advisor.engine.assessment import Assessment
from advisor.engine.numbers import cents
from advisor.engine.pricebook import OPTIONS

LABELS = {
    "prompt_only": "Prompt-only",
    "rag": "RAG",
    "fine_tuning": "Fine-tuning",
    "hybrid": "Hybrid",
}


def _usd(value: Decimal | None) -> str:
    return "—" if value is None else f"${cents(value):,.2f}"


def table_cell(text: object) -> str:
    """Text made safe for one Markdown table cell (pipes escaped, on one line)."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(assessment: Assessment) -> str:
    """The assessment as a Markdown document."""
    a = assessment
    p = a.profile
    lines: list[str] = [f"# {p.name}: architecture recommendation", ""]
    if p.use_case:
        lines += [f"> {table_cell(p.use_case)}", ""]
    lines += [
        f"**Verdict:** {LABELS[a.verdict]} · **Start with:** {LABELS[a.start_with]} · "
        f"**Confidence:** {a.confidence}",
        "",
        f"Signals: knowledge {a.knowledge}, behaviour {a.behaviour}. Price book {a.price_book}, "
        f"as of {a.as_of.isoformat()}, engine {a.engine_version}.",
        "",
        "## Why",
        "",
    ]
    fired = a.fired_rules()
    if not fired:
        lines.append("- No rule fired: nothing in the profile calls for more than prompting.")
    for rule in fired:
        evidence = f" _(evidence: {', '.join(rule.evidence)})_" if rule.evidence else ""
        lines.append(f"- **{rule.id} — {rule.title}** ({rule.effect}): {rule.rationale}{evidence}")
    lines.append("")

    lines += ["## Blockers", ""]
    if a.blockers:
        lines += [f"- **{LABELS[b.option]}** ({b.rule}): {b.reason}" for b in a.blockers]
    else:
        lines.append("- None.")
    lines += ["", "## Risks", ""]
    if a.risks:
        for risk in a.risks:
            cited = f" _(evidence: {', '.join(risk.evidence)})_" if risk.evidence else ""
            lines.append(f"- {risk.text}{cited}")
    else:
        lines.append("- None identified.")
    lines.append("")

    horizon = a.costs.horizon_months
    lines += [
        f"## Costs over {horizon} month{'s' if horizon != 1 else ''}",
        "",
        "| Option | One-off | First month | Highest month | Total | Total range | Per query | "
        "Per 1,000 queries |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for option in OPTIONS:
        cost = a.costs.options[option]
        total_range = cost.ranges["total_usd"]
        lines.append(
            f"| {LABELS[option]} | {_usd(cost.one_off_usd)} | "
            f"{_usd(cost.monthly[0].total_usd)} | {_usd(cost.peak_monthly_usd)} | "
            f"{_usd(cost.total_usd)} | {_usd(total_range.low)} to {_usd(total_range.high)} | "
            f"{_usd(cost.cost_per_query_usd)} | {_usd(cost.cost_per_1k_queries_usd)} |"
        )
    lines += [
        "",
        "Totals include the one-off. Ranges carry the article's spans (vector hosting, "
        "build days, self-hosted runs).",
        "",
        "### Break-even",
        "",
        "Month from which the row's cost to date is at or below the column's (— never within "
        "the horizon).",
        "",
        "| | " + " | ".join(LABELS[o] for o in OPTIONS) + " |",
        "|---|" + "---:|" * len(OPTIONS),
    ]
    months = {(b.option, b.versus): b.month for b in a.costs.break_even}
    for option in OPTIONS:
        cells = []
        for versus in OPTIONS:
            if option == versus:
                cells.append("")
            else:
                month = months[(option, versus)]
                cells.append("—" if month is None else str(month))
        lines.append(f"| {LABELS[option]} | " + " | ".join(cells) + " |")
    lines.append("")

    budget = p.latency_p95_budget_ms
    lines += [
        "## Latency (p95)",
        "",
        f"Budget: {'none' if budget is None else f'{budget:,} ms'}.",
        "",
        "| Option | p95 | Meets budget |",
        "|---|---:|---|",
    ]
    for option in OPTIONS:
        lat = a.latency[option]
        span = (
            f"{lat.p95_ms_low:,} ms"
            if lat.p95_ms_low == lat.p95_ms_high
            else f"{lat.p95_ms_low:,} to {lat.p95_ms_high:,} ms"
        )
        meets = {None: "no budget", True: "yes", False: "no"}[lat.meets_budget]
        lines.append(f"| {LABELS[option]} | {span} | {meets} |")
    lines.append("")

    lines += ["## Roadmap", ""]
    for stage in a.roadmap:
        lines += [
            f"### {stage.stage}. {stage.title}",
            "",
            f"Approach: {LABELS.get(stage.approach, stage.approach)} · "
            f"{stage.duration_days_low} to {stage.duration_days_high} working days · "
            f"{_usd(stage.cost_usd)}",
            "",
            "Deliverables:",
            *[f"- {item}" for item in stage.deliverables],
            "",
            "Exit criteria:",
            *[f"- {item}" for item in stage.exit_criteria],
            "",
        ]

    lines += ["## Components", ""]
    lines += [f"- {c.title} (required by {', '.join(c.required_by)})" for c in a.components]
    lines += ["", "## Assumptions", ""]
    if a.assumptions:
        lines += [
            "Inputs the result rests on that the client did not give — please confirm.",
            "",
            "| Field | Value | Source |",
            "|---|---|---|",
        ]
        for item in a.assumptions:
            value = "none" if item["value"] is None else item["value"]
            lines.append(f"| {item['field']} | {table_cell(value)} | {item['source']} |")
    else:
        lines.append("- None: every input came from the client.")
    lines.append("")
    return "\n".join(lines)
