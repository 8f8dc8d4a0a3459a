"""The report's exports — Markdown and PDF — and the facts every rendering of a report shares.

Everything here renders a report content dict (`advisor.report_content.report_content`): the
section templates (through `{% load reports %}`), the Markdown and the PDF all take their
sentences and figures from the helpers below, so the review page, the share page and the two
exports say the same thing in the same words.

Exports are functions of the content alone: they never read the clock or the database, and the
PDF of one revision is the same bytes every time (see `report_pdf` and docs/REPORTS.md).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from advisor.charts import (
    break_even_facts,
    money,
    money_range,
)
from advisor.engine import OPTIONS, PROFILE_FIELDS
from advisor.engine.markdown import table_cell as md_cell
from advisor.report_content import OPTION_LABELS

__all__ = [
    "blocker_groups",
    "confidence_sentence",
    "cost_rows",
    "field_label",
    "field_value",
    "format_date",
    "option_label",
    "override_for",
    "report_markdown",
    "report_pdf",
    "rule_rows",
    "safe_accent",
    "safe_logo",
]

_FIELDS = {spec.name: spec for spec in PROFILE_FIELDS}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DEFAULT_ACCENT = "#4f46e5"


# ---- Facts shared by the templates and the exports ---------------------------------------------


def option_label(option: str) -> str:
    """ "rag" -> "RAG"; an unknown value is shown as given rather than hidden."""
    return OPTION_LABELS.get(option, str(option))


def field_label(name: str) -> str:
    spec = _FIELDS.get(name)
    return spec.label if spec else name.replace("_", " ").capitalize()


def field_value(name: str, value: Any) -> str:
    """A profile value in words: enum labels, Yes/No, thousands separators, "none" for null."""
    spec = _FIELDS.get(name)
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if spec is not None and spec.choice_labels and value in spec.choice_labels:
        return spec.choice_labels[value]
    if isinstance(value, int | float):
        if name.endswith("_usd"):
            return money(value)
        if name.endswith("_pct"):
            return f"{value:g}%"
        if isinstance(value, float) and not value.is_integer():
            return f"{value:,g}"
        return f"{int(value):,}"
    return str(value)


def format_date(iso: str | None) -> str:
    """ "2026-11-25T10:00:00+00:00" -> "25 Nov 2026": fixed English, never the server locale."""
    if not iso:
        return ""
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", str(iso))
    if not match:
        return str(iso)
    year, month, day = (int(g) for g in match.groups())
    return f"{day} {_MONTHS[month - 1]} {year}"


def override_for(
    content: Mapping[str, Any], kind: str, rule_id: str | None = None
) -> dict[str, Any] | None:
    """The override of that kind (and rule) in force — the last one, as `effective_result`
    applies them in order."""
    found = None
    for override in content.get("overrides") or []:
        if override.get("kind") == kind and (rule_id is None or override.get("rule_id") == rule_id):
            found = dict(override)
    return found


def confidence_sentence(assessment: Mapping[str, Any]) -> str:
    """Why the confidence is what it is, from the engine's `confidence_basis`."""
    basis = assessment.get("confidence_basis") or {}
    signals = assessment.get("signals") or {}
    parts = []
    if "knowledge_margin" in basis and "behaviour_margin" in basis:
        margin = min(int(basis["knowledge_margin"]), int(basis["behaviour_margin"]))
        parts.append(
            f"Knowledge signal {signals.get('knowledge', 0)}, behaviour signal "
            f"{signals.get('behaviour', 0)}, against a threshold of 2 each: {margin} signal "
            f"point{'s' if margin != 1 else ''} would change the verdict."
        )
    blocked = list(basis.get("verdict_blocked_by") or [])
    if blocked:
        parts.append(f"Lowered: {', '.join(blocked)} blocks the recommended option for now.")
    if basis.get("budget_touches_verdict"):
        parts.append("Lowered: the high-end estimate exceeds a budget the client set.")
    return " ".join(parts)


def rule_rows(content: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each rule with its effective outcome (after overrides), inputs in words and figures."""
    effective = content.get("effective") or {}
    fired_now = effective.get("rules") or {}
    overridden = effective.get("rules_overridden") or {}
    rows = []
    for rule in content["assessment"]["rules"]:
        rid = rule["id"]
        fired = bool(fired_now.get(rid, rule["fired"]))
        rows.append(
            {
                **rule,
                "fired": fired,
                "engine_fired": bool(rule["fired"]),
                "overridden": rid in overridden,
                "override": override_for(content, "rule", rid) if rid in overridden else None,
                "input_rows": [
                    (field_label(name), field_value(name, value))
                    for name, value in (rule.get("inputs") or {}).items()
                ],
                "figure_rows": _figure_rows(rule.get("figures") or {}),
            }
        )
    return rows


def _figure_rows(figures: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Flat figures a rule computed (R-RETRAIN's retraining cost, …) in words; nested tables
    (R-BUDGET's per-option peaks) are left to the costs section that shows them in full."""
    rows = []
    for key, value in figures.items():
        if isinstance(value, Mapping | list) or value is None:
            continue
        words = key.split("_")
        label = " ".join(w for w in words if w not in ("usd", "ms")).capitalize()
        if isinstance(value, bool):
            text = "yes" if value else "no"
        elif "usd" in words:
            text = money(value)
        elif "ms" in words:
            text = f"{value:,} ms"
        else:
            text = f"{value:,}"
        rows.append((label, text))
    return rows


def _span(rng: Mapping[str, Any] | None) -> str:
    """A low–high range in words, or "" where the figure is known exactly."""
    if not rng or rng["low"] == rng["high"]:
        return ""
    return money_range(rng["low"], rng["high"])


def cost_rows(content: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The cost summary per option: point figures and their low–high ranges, formatted."""
    assessment = content["assessment"]
    verdict = (content.get("effective") or {}).get("verdict") or assessment["verdict"]
    blocked = {b["option"] for b in assessment.get("blockers") or []}
    rows = []
    for option in OPTIONS:
        cost = assessment["costs"]["options"].get(option)
        if cost is None:
            continue
        ranges = cost.get("ranges") or {}
        per_query = cost.get("cost_per_query_usd")
        per_1k = cost.get("cost_per_1k_queries_usd")
        rows.append(
            {
                "option": option,
                "label": option_label(option),
                "is_verdict": option == verdict,
                "blocked": option in blocked,
                "one_off": money(cost["one_off_usd"]),
                "one_off_range": _span(ranges.get("one_off_usd")),
                "peak": money(cost["peak_monthly_usd"]),
                "peak_range": _span(ranges.get("peak_monthly_usd")),
                "total": money(cost["total_usd"]),
                "total_range": _span(ranges.get("total_usd")),
                "per_query": "—" if per_query is None else money(per_query),
                "per_1k": "—" if per_1k is None else money(per_1k),
            }
        )
    return rows


def blocker_groups(assessment: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Blockers with the same reason and rule merged: R-DATA blocks fine-tuning and hybrid for
    one reason, which reads better once with both options named."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for blocker in assessment.get("blockers") or []:
        key = (blocker["reason"], blocker.get("rule", ""))
        group = groups.setdefault(
            key, {"reason": blocker["reason"], "rule": blocker.get("rule", ""), "options": []}
        )
        group["options"].append(blocker["option"])
    return list(groups.values())


def safe_accent(value: Any) -> str:
    """The firm's accent as #rrggbb, or the product default: it is written into CSS."""
    text = str(value or "")
    return text if re.fullmatch(r"#[0-9a-fA-F]{6}", text) else DEFAULT_ACCENT


_LOGO = re.compile(r"data:image/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=\s]+")


def safe_logo(value: Any) -> str:
    """The logo only as an inline image data URI: a report never fetches anything."""
    text = str(value or "")
    return text if _LOGO.fullmatch(text) else ""


# ---- Markdown ----------------------------------------------------------------------------------


def _demote_headings(markdown: str, levels: int = 1) -> str:
    """Push the narrative's own headings under the report's, outside fenced code."""
    out, fenced = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and re.match(r"#{1,5} ", line):
            line = "#" * levels + line
        out.append(line)
    return "\n".join(out)


def _override_line(override: Mapping[str, Any], engine_said: str) -> str:
    by = override.get("by") or ""
    when = format_date(override.get("at"))
    who = ", ".join(x for x in (by, when) if x)
    return (
        f"> **Overridden:** the engine said {engine_said} — {override.get('justification', '')}"
        + (f" _({who})_" if who else "")
    )


def report_markdown(content: Mapping[str, Any]) -> str:
    """The report as Markdown a consultant can paste into an e-mail."""
    a = content["assessment"]
    effective = content.get("effective") or {}
    verdict = effective.get("verdict") or a["verdict"]
    start_with = effective.get("start_with") or a["start_with"]
    firm = content.get("firm") or {}
    profile = a.get("profile") or {}
    horizon = a["costs"]["horizon_months"]
    revision = content.get("revision")

    lines = [f"# {md_cell(content['engagement']['title'])}: architecture recommendation", ""]
    meta = [f"**Client:** {md_cell(content['client']['name'])}"]
    if firm.get("brand_name") or firm.get("name"):
        meta.append(f"**Prepared by:** {md_cell(firm.get('brand_name') or firm.get('name'))}")
    if revision:
        approved = format_date(revision.get("approved_at"))
        meta.append(
            f"**Revision {revision['number']}**, approved {approved}"
            + (f" by {md_cell(revision['approved_by'])}" if revision.get("approved_by") else "")
        )
    else:
        meta.append("**Draft** — not yet approved")
    lines += [" · ".join(meta), ""]
    lines += [
        f"Profile version {content.get('profile_version')}, price book {a.get('price_book')}, "
        f"as of {a.get('as_of')}, engine {a.get('engine_version')}.",
        "",
    ]
    if profile.get("use_case"):
        lines += [f"> {md_cell(profile['use_case'])}", ""]

    # Recommendation
    lines += [
        "## Recommendation",
        "",
        f"**Verdict:** {option_label(verdict)} · **Start with:** {option_label(start_with)} · "
        f"**Confidence:** {a['confidence']}",
        "",
    ]
    for kind, engine_value in (("verdict", a["verdict"]), ("start_with", a["start_with"])):
        override = override_for(content, kind)
        if override and effective.get(f"{kind}_overridden"):
            lines += [_override_line(override, option_label(engine_value)), ""]
    sentence = confidence_sentence(a)
    if sentence:
        lines += [sentence, ""]

    # Why
    rows = rule_rows(content)
    lines += ["## Why", ""]
    fired = [r for r in rows if r["fired"]]
    if not fired:
        lines.append("- No rule fired: nothing in the profile calls for more than prompting.")
    for rule in fired:
        evidence = f" _(evidence: {', '.join(rule['evidence'])})_" if rule.get("evidence") else ""
        lines.append(
            f"- **{rule['id']} — {md_cell(rule['title'])}** ({rule['effect']}): "
            f"{md_cell(rule['rationale'])}{evidence}"
        )
        if rule["overridden"] and rule["override"]:
            lines.append(
                "  " + _override_line(rule["override"], "it did not fire").removeprefix("> ")
            )
    quiet = [r for r in rows if not r["fired"]]
    if quiet:
        lines += ["", "Did not fire: " + ", ".join(f"{r['id']} ({r['title']})" for r in quiet)]
        for rule in quiet:
            if rule["overridden"] and rule["override"]:
                lines.append(
                    f"- {rule['id']}: "
                    + _override_line(rule["override"], "it fired").removeprefix("> ")
                )
    lines.append("")

    # Costs
    lines += [
        f"## Costs over {horizon} month{'s' if horizon != 1 else ''}",
        "",
        "| Option | One-off | Highest month | Total | Per 1,000 queries |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in cost_rows(content):
        name = f"**{row['label']}** (recommended)" if row["is_verdict"] else row["label"]

        def with_range(point: str, span: str) -> str:
            return f"{point} ({span})" if span else point

        lines.append(
            f"| {name} | {with_range(row['one_off'], row['one_off_range'])} | "
            f"{with_range(row['peak'], row['peak_range'])} | "
            f"{with_range(row['total'], row['total_range'])} | {row['per_1k']} |"
        )
    lines += [
        "",
        "Totals include the one-off; ranges in brackets carry the article's spans (vector "
        "hosting, build days, self-hosted runs).",
        "",
    ]
    verdict_override = override_for(content, "verdict")
    if verdict_override and effective.get("verdict_overridden"):
        lines += [_override_line(verdict_override, option_label(a["verdict"])), ""]
    lines += [f"- {fact.sentence}" for fact in break_even_facts(a, verdict)]
    lines.append("")

    # Latency
    budget = profile.get("latency_p95_budget_ms")
    lines += [
        "## Latency (p95)",
        "",
        f"Budget: {'none set' if budget is None else f'{budget:,} ms'}.",
        "",
    ]
    for option in OPTIONS:
        lat = a["latency"].get(option)
        if not lat:
            continue
        lo, hi = lat["p95_ms_low"], lat["p95_ms_high"]
        span = f"{lo:,} ms" if lo == hi else f"{lo:,}–{hi:,} ms"
        meets = {None: "", True: " — within budget", False: " — over budget"}[
            lat.get("meets_budget")
        ]
        lines.append(f"- {option_label(option)}: {span}{meets}")
    lines.append("")

    # Roadmap
    lines += ["## Roadmap", ""]
    for stage in a.get("roadmap") or []:
        lines += [
            f"### {stage['stage']}. {md_cell(stage['title'])}",
            "",
            f"{option_label(stage['approach'])} · {stage['duration_days_low']}–"
            f"{stage['duration_days_high']} working days · {money(stage['cost_usd'])}",
            "",
            "Deliverables:",
            *[f"- {md_cell(item)}" for item in stage.get("deliverables") or []],
            "",
            "Exit criteria:",
            *[f"- {md_cell(item)}" for item in stage.get("exit_criteria") or []],
            "",
        ]

    # Risks and blockers
    lines += ["## Risks and blockers", ""]
    groups = blocker_groups(a)
    for group in groups:
        names = ", ".join(option_label(o) for o in group["options"])
        lines.append(f"- **Blocker — {names}** ({group['rule']}): {md_cell(group['reason'])}")
    for risk in a.get("risks") or []:
        cited = f" _(evidence: {', '.join(risk['evidence'])})_" if risk.get("evidence") else ""
        lines.append(f"- {md_cell(risk['text'])}{cited}")
    if not groups and not a.get("risks"):
        lines.append("- None identified.")
    lines.append("")

    # Assumptions
    lines += ["## Assumptions", ""]
    assumptions = a.get("assumptions") or []
    if assumptions:
        lines += [
            "Inputs the result rests on that the client did not give — please confirm.",
            "",
            "| Input | Value | Source |",
            "|---|---|---|",
        ]
        for item in assumptions:
            lines.append(
                f"| {md_cell(field_label(item['field']))} | "
                f"{md_cell(field_value(item['field'], item['value']))} | {item['source']} |"
            )
    else:
        lines.append("Every input came from the client.")
    lines.append("")

    # Narrative
    narrative = (content.get("narrative") or "").strip()
    if narrative:
        lines += ["## Narrative", "", _demote_headings(narrative), ""]

    # Sources
    evidence = content.get("evidence") or []
    if evidence:
        lines += ["## Sources", ""]
        for item in evidence:
            tail = ", ".join(x for x in (item.get("source"), item.get("date")) if x)
            url = f" <{item['url']}>" if str(item.get("url") or "").startswith("http") else ""
            lines.append(
                f"- **{item['id']}** — {md_cell(item.get('title', ''))}: "
                f"{md_cell(item.get('claim', ''))}" + (f" ({md_cell(tail)})" if tail else "") + url
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# ---- PDF ---------------------------------------------------------------------------------------


def _report_css() -> str:
    return (Path(settings.BASE_DIR) / "static" / "css" / "report.css").read_text("utf-8")


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """WeasyPrint's URL fetcher: a report fetches nothing (no SSRF, no network, no drift).

    Only inline data URIs (the firm's logo) are decoded, by WeasyPrint's own default fetcher.
    """
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"report PDFs load no external resources: {url[:80]}")


def report_pdf(content: Mapping[str, Any]) -> bytes:
    """The report as a PDF (A4, firm-branded header, page numbers), the same bytes every time.

    Determinism: the document's creation and modification dates come from the revision's
    approval time (none for a draft) rather than the clock; the PDF file identifier is a hash
    of the content; nothing is fetched; fonts are subset by WeasyPrint with stable names.
    """
    from weasyprint import CSS, HTML  # heavy import (Pango); only the PDF path needs it

    html = render_to_string(
        "reports/pdf.html",
        {
            "c": content,
            "pdf": True,
            "accent": safe_accent((content.get("firm") or {}).get("accent")),
            "logo": safe_logo((content.get("firm") or {}).get("logo_data_uri")),
        },
    )
    digest = hashlib.sha256(
        json.dumps(content, sort_keys=True, default=str).encode("utf-8")
    ).hexdigest()
    document = HTML(string=html, url_fetcher=_no_fetch, base_url="about:blank").render(
        stylesheets=[CSS(string=_report_css(), url_fetcher=_no_fetch)],
    )
    return document.write_pdf(pdf_identifier=digest[:32].encode("ascii"))
