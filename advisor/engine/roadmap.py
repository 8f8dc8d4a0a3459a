"""The staged roadmap (DESIGN §8): start small, fine-tune only what is proven to matter.

Stages, numbered in order of appearance:
1. Start — always: `start_with` shipped fast with an evaluation set and failure logging; the cost
   is that option's one-off (build, indexing, initial training), the duration its build days.
2. Dataset — where the verdict includes fine-tuning and R-DATA fired.
3. Fine-tune — where the verdict includes fine-tuning: the fine-tuning build and initial runs;
   when Start already shipped a fine-tune, a shorter re-tune on the behaviours that matter.
4. Layer — hybrid only: the fine-tuned model behind retrieval; where R-LATENCY fired with a
   knowledge need, the latency-sensitive path gets the fine-tuned model without retrieval.
Durations are working days (low-high); cost is the point estimate in USD.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple

from advisor.engine import thresholds as t
from advisor.engine.components import OPTION_PARTS, TITLES
from advisor.engine.costs import CostEstimate
from advisor.engine.numbers import cents, json_money
from advisor.engine.pricebook import PriceBook
from advisor.engine.profile import Profile
from advisor.engine.rules import RuleTrace

OPTION_LABELS = {
    "prompt_only": "prompt-only",
    "rag": "RAG",
    "fine_tuning": "fine-tuning",
    "hybrid": "hybrid (fine-tuned model with retrieval)",
}
TUNED = frozenset({"fine_tuning", "hybrid"})
BEHAVIOUR_NAMES = {
    "R-FORMAT": "the output schema",
    "R-VOICE": "the required voice or dialect",
    "R-JARGON": "the domain's language",
    "R-LATENCY": "answers within the latency budget",
}


class Stage(NamedTuple):
    stage: int
    kind: str
    title: str
    approach: str
    duration_days_low: int
    duration_days_high: int
    cost_usd: Decimal
    exit_criteria: tuple[str, ...]
    deliverables: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "title": self.title,
            "approach": self.approach,
            "duration_days_low": self.duration_days_low,
            "duration_days_high": self.duration_days_high,
            "cost_usd": json_money(self.cost_usd),
            "exit_criteria": list(self.exit_criteria),
            "deliverables": list(self.deliverables),
            # Extra key: which of the §8 stages this is (start, dataset, fine_tune, layer).
            "kind": self.kind,
        }


def _days(span: Any) -> tuple[int, int]:
    return int(span.low.to_integral_value("ROUND_FLOOR")), int(
        span.high.to_integral_value("ROUND_CEILING")
    )


def plan_roadmap(
    profile: Profile,
    trace: RuleTrace,
    costs: CostEstimate,
    price_book: PriceBook,
    *,
    verdict: str,
    start_with: str,
) -> list[Stage]:
    rate = profile.engineer_day_rate_usd
    build_days = price_book.defaults.build_days
    budget = profile.latency_p95_budget_ms
    behaviours = [name for rule, name in BEHAVIOUR_NAMES.items() if trace.fired(rule)]
    stages: list[Stage] = []

    def add(kind, title, approach, days, cost, exit_criteria, deliverables) -> None:
        stages.append(
            Stage(
                len(stages) + 1,
                kind,
                title,
                approach,
                days[0],
                days[1],
                cost,
                tuple(exit_criteria),
                tuple(deliverables),
            )
        )

    # 1. Start
    low, high = _days(build_days[start_with])
    exit_criteria = [
        "An evaluation set of real user questions, with the baseline score recorded",
        "Failures logged and reviewed every week",
    ]
    if start_with in ("rag", "hybrid"):
        exit_criteria.append("Retrieval finds the right source for the evaluation questions")
    if profile.citations_required:
        exit_criteria.append("Every answer shows the sources it came from")
    if profile.output_format != "free_text":
        exit_criteria.append("Outputs validate against the schema on the evaluation set")
    if budget is not None:
        exit_criteria.append(f"p95 latency within {budget:,} ms on production traffic")
    deliverables = [f"A working {OPTION_LABELS[start_with]} release"]
    deliverables += [TITLES[part] for part in OPTION_PARTS[start_with]]
    if profile.output_format != "free_text":
        deliverables.append("Structured outputs enforcing the format (the cheap fix, first)")
    deliverables.append("Failure log")
    add(
        "start",
        f"Start: ship {OPTION_LABELS[start_with]} fast",
        start_with,
        (low, high),
        costs.options[start_with].one_off_usd,
        exit_criteria,
        list(dict.fromkeys(deliverables)),
    )

    # 2. Dataset
    if verdict in TUNED and trace.fired("R-DATA"):
        low, point, high = t.DATASET_DAYS
        add(
            "dataset",
            "Dataset: curate examples from logged failures",
            start_with,
            (low, high),
            cents(point * rate),
            [
                f"At least {t.MIN_LABELLED_EXAMPLES} curated input/output pairs (now "
                f"{profile.labelled_examples:,})",
                "A held-out evaluation split the fine-tune will be judged on",
            ],
            [
                "Labelled dataset drawn from logged failures",
                "Labelling guidelines",
                "Held-out evaluation split",
            ],
        )

    # 3. Fine-tune
    if verdict in TUNED:
        tuning = costs.options["fine_tuning"]
        already_tuned = start_with in TUNED
        if already_tuned:
            low, point, high = t.RETUNE_DAYS
            cost = cents(point * rate) + tuning.training_usd_per_run
        else:
            low, high = _days(build_days["fine_tuning"])
            cost = tuning.build_usd + tuning.initial_training_usd
        target = ", ".join(behaviours) if behaviours else "the behaviours the failure log shows"
        add(
            "fine_tune",
            "Fine-tune on the behaviours that matter",
            "fine_tuning" if verdict == "fine_tuning" else "hybrid",
            (low, high),
            cost,
            [
                f"The fine-tuned model beats the {OPTION_LABELS[start_with]} baseline on "
                f"the evaluation set for {target}",
                "No regression on the rest of the evaluation set",
            ],
            [
                "Training pipeline",
                "Fine-tuned model" + (" (re-tuned on logged failures)" if already_tuned else ""),
                f"Retraining schedule ({price_book.defaults.retraining_runs_per_year} runs a year)",
            ],
        )

    # 4. Layer
    if verdict == "hybrid":
        low, point, high = t.LAYER_DAYS
        exit_criteria = [
            "The combined system beats each part alone on the evaluation set (E-AGRI: 86% "
            "against 81%)"
        ]
        deliverables = ["The fine-tuned model behind retrieval", "Routing between the paths"]
        if trace.fired("R-LATENCY") and trace.knowledge >= t.KNOWLEDGE_THRESHOLD:
            deliverables.append(
                "Latency-sensitive path: the fine-tuned model without retrieval "
                f"(p95 about {profile.base_model_p95_ms:,} ms against a budget of {budget:,} ms)"
            )
            exit_criteria.append(f"The latency-sensitive path meets the {budget:,} ms p95 budget")
        add(
            "layer",
            "Layer: the fine-tuned model behind retrieval",
            "hybrid",
            (low, high),
            cents(point * rate),
            exit_criteria,
            deliverables,
        )

    return stages
