"""The content of a report: everything a delivered recommendation shows, as one plain dict.

A revision freezes exactly this dict; the review page, the share page, the Markdown and the PDF
exports all render from it, so what the client reads is what the consultant approved. Overrides
are applied here — the engine's own `assessment` is kept untouched beside the effective result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

CONTENT_SCHEMA = 1
OPTION_LABELS = {
    "prompt_only": "Prompt-only",
    "rag": "RAG",
    "fine_tuning": "Fine-tuning",
    "hybrid": "Hybrid (RAG + fine-tuning)",
}


def effective_result(
    assessment: Mapping[str, Any], overrides: Iterable[Mapping[str, Any]]
) -> dict[str, Any]:
    """The verdict, first stage and rule outcomes after the consultant's overrides."""
    verdict, start_with = assessment["verdict"], assessment["start_with"]
    rules = {rule["id"]: bool(rule["fired"]) for rule in assessment["rules"]}
    overridden: dict[str, bool] = {}
    for override in overrides:
        kind, value = override["kind"], override["value"]
        if kind == "verdict":
            verdict = value
        elif kind == "start_with":
            start_with = value
        elif kind == "rule" and override.get("rule_id") in rules:
            rules[override["rule_id"]] = overridden[override["rule_id"]] = value == "fired"
    return {
        "verdict": verdict,
        "start_with": start_with,
        "verdict_overridden": verdict != assessment["verdict"],
        "start_with_overridden": start_with != assessment["start_with"],
        "rules": rules,
        "rules_overridden": overridden,
    }


def report_content(
    *,
    assessment: Mapping[str, Any],
    firm: Mapping[str, Any],
    client_name: str,
    engagement_title: str,
    profile_version: int,
    overrides: list[Mapping[str, Any]],
    narrative: str,
    evidence: list[Mapping[str, Any]],
    revision: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Assemble the report dict.

    firm: {"name", "brand_name", "accent", "logo_data_uri"}
    overrides: [{"kind": verdict|start_with|rule, "rule_id", "value", "original",
                 "justification", "by", "at"}]
    evidence: the library entries the assessment cites: [{"id", "title", "claim", "source",
              "date", "url"}]
    revision: {"number", "approved_at" (ISO), "approved_by"} once approved, else None (a draft).
    """
    cited = {eid for rule in assessment["rules"] for eid in rule.get("evidence", [])}
    return {
        "schema": CONTENT_SCHEMA,
        "firm": dict(firm),
        "client": {"name": client_name},
        "engagement": {"title": engagement_title},
        "profile_version": profile_version,
        "revision": dict(revision) if revision else None,
        "assessment": dict(assessment),
        "effective": effective_result(assessment, overrides),
        "overrides": [dict(o) for o in overrides],
        "narrative": narrative,
        "evidence": [dict(e) for e in evidence if e["id"] in cited],
    }
