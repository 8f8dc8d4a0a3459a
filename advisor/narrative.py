"""The template narrative: an executive summary, why this architecture, risks and next steps,
written from the computed assessment alone — every figure in it comes from the result.

Pure Python (no Django): the LLM drafter, when configured, replaces this text; with no key, or
when the LLM fails, this is what the consultant starts from.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from advisor.report_content import OPTION_LABELS


def _money(value: Any) -> str:
    amount = float(value)
    if amount >= 10_000:
        return f"${amount:,.0f}"
    return f"${amount:,.2f}"


def template_narrative(assessment: Mapping[str, Any], *, product: str = "the product") -> str:
    verdict, start = assessment["verdict"], assessment["start_with"]
    options = assessment["costs"]["options"]
    horizon = assessment["costs"]["horizon_months"]
    fired = [r for r in assessment["rules"] if r["fired"]]
    lines = ["## Executive summary", ""]
    summary = f"We recommend **{OPTION_LABELS[verdict]}** as the target architecture for {product}"
    if start != verdict:
        summary += (
            f", starting with **{OPTION_LABELS[start]}** while the evidence for the rest builds up"
        )
    summary += f" (confidence: {assessment['confidence']})."
    lines.append(summary)
    total = options[verdict]["total_usd"]
    lines.append(
        f"Over {horizon} months the {OPTION_LABELS[verdict]} option costs about {_money(total)}"
        f" in total, or {_money(options[verdict]['cost_per_query_usd'] or 0)} per query."
    )
    lines += ["", "## Why this architecture", ""]
    for rule in fired:
        # The rationale already names the evidence it rests on.
        lines.append(f"- **{rule['title']}** — {rule['rationale']}")
    if not fired:
        lines.append("- No rule found a need beyond what a well-written prompt can do.")
    lines += ["", "## Risks", ""]
    risks = list(assessment.get("risks", [])) + [
        {"text": b["reason"]} for b in assessment.get("blockers", [])
    ]
    texts = []
    for risk in risks:
        text = risk.get("text") or risk.get("reason") or risk.get("title") or ""
        if text and text not in texts:  # one blocker often applies to several options
            texts.append(text)
    if texts:
        lines += [f"- {text}" for text in texts]
    else:
        lines.append("- No blocker or specific risk was found for this profile.")
    lines += ["", "## Next steps", ""]
    for stage in assessment.get("roadmap", []):
        lines.append(
            f"{stage['stage']}. **{stage['title']}** — {stage['duration_days_low']}–"
            f"{stage['duration_days_high']} days, about {_money(stage['cost_usd'])}."
        )
    return "\n".join(lines).strip() + "\n"
