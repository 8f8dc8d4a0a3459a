"""Blockers and risks: what stops an option now, and what could go wrong with it later.

Neither ever changes the verdict (DESIGN §5). A blocker is `{option, reason, rule}`; a risk is
`{id, text, options, rule, evidence}` — `options` lists the options it concerns, `rule` the rule
or guard that raised it (null when it comes from the latency or budget model).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from advisor.engine import thresholds as t
from advisor.engine.costs import CostEstimate
from advisor.engine.latency import OptionLatency
from advisor.engine.numbers import cents
from advisor.engine.profile import Profile
from advisor.engine.rules import RuleTrace

TUNED = ("fine_tuning", "hybrid")


@dataclass(frozen=True)
class Blocker:
    option: str
    reason: str
    rule: str

    def to_dict(self) -> dict[str, Any]:
        return {"option": self.option, "reason": self.reason, "rule": self.rule}


@dataclass(frozen=True)
class Risk:
    id: str
    text: str
    options: tuple[str, ...] = ()
    rule: str | None = None
    evidence: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "options": list(self.options),
            "rule": self.rule,
            "evidence": list(self.evidence),
        }


def rule_blockers(profile: Profile, trace: RuleTrace) -> list[Blocker]:
    """R-DATA's blockers on fine-tuning now, and R-BUDGET's on each option over budget."""
    blockers = []
    if trace.fired("R-DATA"):
        for option in TUNED:
            blockers.append(
                Blocker(
                    option=option,
                    reason=(
                        f"Only {profile.labelled_examples:,} labelled examples; fine-tuning "
                        f"needs at least {t.MIN_LABELLED_EXAMPLES} curated examples first."
                    ),
                    rule="R-DATA",
                )
            )
    budget = trace.get("R-BUDGET")
    for option, reasons in budget.figures.get("over_budget", {}).items():
        blockers.append(
            Blocker(option=option, reason="; ".join(reasons).capitalize() + ".", rule="R-BUDGET")
        )
    return blockers


def budget_touches(profile: Profile, costs: CostEstimate, option: str) -> bool:
    """Whether the option's high-end estimate exceeds a budget the client set."""
    cost = costs.options[option]
    monthly, one_off = profile.budget_monthly_usd, profile.budget_one_off_usd
    return (monthly is not None and cost.ranges["peak_monthly_usd"].high > monthly) or (
        one_off is not None and cost.ranges["one_off_usd"].high > one_off
    )


def collect_risks(
    profile: Profile,
    trace: RuleTrace,
    *,
    verdict: str,
    start_with: str,
    costs: CostEstimate,
    latency: dict[str, OptionLatency],
) -> list[Risk]:
    """Risks from the rules, the latency model and the budget ranges (lifecycle is separate)."""
    risks = []
    if trace.fired("R-HALLUC"):
        risks.append(
            Risk(
                id="hallucination",
                text=(
                    "RAG is not hallucination-proof: leading legal RAG tools still hallucinate on "
                    "17-33% of queries (E-REGLAB), even though retrieval cut hallucination from "
                    "50% to 13.9% in a benchmark (E-HALLUC-DROP). Grounding checks and "
                    "user-facing uncertainty stay necessary."
                ),
                options=("rag", "hybrid"),
                rule="R-HALLUC",
                evidence=("E-REGLAB", "E-HALLUC-DROP"),
            )
        )
    budget = profile.latency_p95_budget_ms
    if budget is not None:
        if profile.base_model_p95_ms > budget:
            risks.append(
                Risk(
                    id="latency-base-model",
                    text=(
                        f"The base model alone takes {profile.base_model_p95_ms:,} ms at p95, over "
                        f"the {budget:,} ms budget: no option meets it without a faster model or "
                        "a shorter answer."
                    ),
                    options=tuple(latency),
                    evidence=("E-LATENCY",),
                )
            )
        else:
            slow = [o for o in dict.fromkeys((verdict, start_with)) if not latency[o].meets_budget]
            for option in slow:
                risks.append(
                    Risk(
                        id=f"latency-{option}",
                        text=(
                            f"{option} may reach {latency[option].p95_ms_high:,} ms at p95 against "
                            f"a budget of {budget:,} ms: retrieval adds 10-500 ms (E-LATENCY). "
                            "Keep retrieval off the latency-sensitive path."
                        ),
                        options=(option,),
                        rule="R-LATENCY",
                        evidence=("E-LATENCY",),
                    )
                )
    if verdict in TUNED and trace.fired("R-EXPLORE"):
        risks.append(
            Risk(
                id="premature-fine-tuning",
                text=(
                    "Fine-tuning before the query distribution is known bakes in behaviour users "
                    "may not need; deploy first and fine-tune on the failures observed "
                    "(E-PHASED)."
                ),
                options=TUNED,
                rule="R-EXPLORE",
                evidence=("E-PHASED",),
            )
        )
    if trace.fired("R-RETRAIN") and verdict == "fine_tuning":
        risks.append(
            Risk(
                id="knowledge-in-weights",
                text=(
                    "The answers also depend on knowledge that changes, varies by user or must "
                    "be cited; a fine-tuned model alone will go stale between retraining runs."
                ),
                options=("fine_tuning",),
                rule="R-RETRAIN",
                evidence=("E-PRICE-GPT4O",),
            )
        )
    over = trace.get("R-BUDGET").figures.get("over_budget", {})
    if verdict not in over and budget_touches(profile, costs, verdict):
        cost = costs.options[verdict]
        peak_high = cents(cost.ranges["peak_monthly_usd"].high)
        one_off_high = cents(cost.ranges["one_off_usd"].high)
        risks.append(
            Risk(
                id="budget-range",
                text=(
                    f"{verdict} fits the budget at its point estimate, but not at the high end of "
                    f"its range (highest month up to ${peak_high:,}, one-off up to "
                    f"${one_off_high:,})."
                ),
                options=(verdict,),
                rule="R-BUDGET",
                evidence=("E-VECTOR", "E-LORA"),
            )
        )
    return risks
