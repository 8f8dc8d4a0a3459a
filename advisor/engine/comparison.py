"""The article's comparison of the options on its dimensions, with this client's needs marked.

The ratings are static (they describe the techniques, not the client); `matters` and `why` say
which dimensions this profile makes important, so the review page can highlight them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from advisor.engine.profile import Profile

# (id, title, evidence, {option: (rating, note)}); rating is strong | fair | weak.
DIMENSIONS: tuple[tuple[str, str, tuple[str, ...], dict[str, tuple[str, str]]], ...] = (
    (
        "knowledge_freshness",
        "Knowledge freshness",
        ("E-ADOPT", "E-VECTOR"),
        {
            "prompt_only": ("fair", "Only what fits in the prompt; edit the prompt to update."),
            "rag": ("strong", "Update the index and the next answer uses it."),
            "fine_tuning": ("weak", "Frozen at training time; retrain to update."),
            "hybrid": ("strong", "Facts come from the index, behaviour from the weights."),
        },
    ),
    (
        "hallucination_risk",
        "Hallucination risk",
        ("E-HALLUC-DROP", "E-REGLAB", "E-AGRI"),
        {
            "prompt_only": ("weak", "Highest on private facts the model never saw."),
            "rag": ("fair", "Much lower (50% to 13.9% in one benchmark) but not zero (17-33%)."),
            "fine_tuning": ("weak", "Unchanged for facts outside the training data."),
            "hybrid": ("strong", "Best of the four in E-AGRI (86% accuracy); still not zero."),
        },
    ),
    (
        "output_format_control",
        "Output-format control",
        ("E-AGRI", "E-PHASED"),
        {
            "prompt_only": ("fair", "Structured outputs and examples hold most formats."),
            "rag": ("fair", "As prompt-only; retrieved text can pull the format off course."),
            "fine_tuning": ("strong", "The format is learned, not requested."),
            "hybrid": ("strong", "Learned format over retrieved facts."),
        },
    ),
    (
        "latency_overhead",
        "Latency overhead",
        ("E-LATENCY",),
        {
            "prompt_only": ("strong", "None beyond the base model."),
            "rag": ("weak", "Adds 10-500 ms per query."),
            "fine_tuning": ("strong", "None beyond the base model; shorter prompts can help."),
            "hybrid": ("fair", "Adds 10-500 ms where retrieval is on the path."),
        },
    ),
    (
        "cost_to_update",
        "Cost to update",
        ("E-VECTOR", "E-PRICE-GPT4O", "E-LORA"),
        {
            "prompt_only": ("strong", "Edit the prompt."),
            "rag": ("strong", "Re-embed changed documents, usually cents."),
            "fine_tuning": ("weak", "A training run and a re-evaluation per change."),
            "hybrid": ("fair", "Re-embed for facts; retrain only for behaviour."),
        },
    ),
    (
        "auditability",
        "Auditability",
        ("E-REGLAB",),
        {
            "prompt_only": ("weak", "No source to show beyond the prompt."),
            "rag": ("strong", "Every answer can cite the passages it used."),
            "fine_tuning": ("weak", "Knowledge in weights has no source to cite."),
            "hybrid": ("strong", "Retrieved facts can be cited."),
        },
    ),
    (
        "time_to_first_prototype",
        "Time to first prototype",
        ("E-PROTO",),
        {
            "prompt_only": ("strong", "Hours."),
            "rag": ("strong", "Hours to days."),
            "fine_tuning": ("weak", "Days to weeks, after a dataset exists."),
            "hybrid": ("weak", "Weeks: both builds plus the layering."),
        },
    ),
)


@dataclass(frozen=True)
class Dimension:
    id: str
    title: str
    matters: bool
    why: str
    ratings: dict[str, dict[str, str]]
    evidence: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "matters": self.matters,
            "why": self.why,
            "ratings": {option: dict(r) for option, r in self.ratings.items()},
            "evidence": list(self.evidence),
        }


@dataclass(frozen=True)
class Comparison:
    dimensions: tuple[Dimension, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"dimensions": [d.to_dict() for d in self.dimensions]}


def _needs(p: Profile) -> dict[str, str]:
    """Why each dimension matters for this profile (absent: it does not)."""
    needs = {}
    if p.knowledge_change != "static" or p.knowledge_varies_by_user:
        parts = []
        if p.knowledge_change != "static":
            parts.append(f"the facts change {p.knowledge_change}")
        if p.knowledge_varies_by_user:
            parts.append("answers depend on each user's data")
        needs["knowledge_freshness"] = " and ".join(parts).capitalize() + "."
    if p.hallucination_tolerance == "low":
        needs["hallucination_risk"] = "Wrong answers do real harm."
    if p.output_format != "free_text" or p.style_requirement != "none":
        needs["output_format_control"] = (
            f"Output format {p.output_format.replace('_', ' ')}, style "
            f"{p.style_requirement.replace('_', ' ')}."
        )
    if p.latency_p95_budget_ms is not None:
        needs["latency_overhead"] = f"A p95 budget of {p.latency_p95_budget_ms:,} ms."
    if p.knowledge_change in ("monthly", "weekly", "daily", "realtime") or (
        p.corpus_updates_per_month > 0
    ):
        needs["cost_to_update"] = "The knowledge is updated often."
    if p.citations_required or p.auditability != "none":
        needs["auditability"] = (
            "Users must see sources."
            if p.citations_required
            else f"Auditability: {p.auditability}."
        )
    if p.stage in ("idea", "prototype"):
        needs["time_to_first_prototype"] = f"The product is at the {p.stage} stage."
    return needs


def compare_options(profile: Profile) -> Comparison:
    """The article's comparison table, each dimension marked if it matters for this profile."""
    needs = _needs(profile)
    return Comparison(
        dimensions=tuple(_dimension(dim_id, needs.get(dim_id)) for dim_id, *_ in DIMENSIONS)
    )


_DIMENSIONS_BY_ID = {dim[0]: dim for dim in DIMENSIONS}


@lru_cache(maxsize=256)
def _dimension(dim_id: str, why: str | None) -> Dimension:
    # The table is static and a dimension immutable: each (dimension, reason) is built once.
    _, title, evidence, ratings = _DIMENSIONS_BY_ID[dim_id]
    return Dimension(
        id=dim_id,
        title=title,
        matters=why is not None,
        why=why or "",
        ratings={o: {"rating": r, "note": n} for o, (r, n) in ratings.items()},
        evidence=evidence,
    )
