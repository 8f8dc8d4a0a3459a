"""What the recommended architecture must include: per-option parts plus rule-mandated ones.

A component is `{id, title, required_by}`; `required_by` lists the option and/or the rules that
call for it, so the review page can say why each part is there.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from advisor.engine.rules import RuleTrace

TITLES = {
    "prompt_templates": "Prompt templates",
    "evaluation_set": "Evaluation set",
    "structured_outputs": "Structured outputs (a schema the model must follow)",
    "vector_store": "Vector store",
    "embedding_model": "Embedding model",
    "chunking": "Chunking of the knowledge base",
    "retrieval_evaluation": "Retrieval evaluation and quality checks",
    "grounding_checks": "Answer grounding checks",
    "citation_ui": "Citation UI",
    "user_uncertainty": "User-facing uncertainty",
    "dataset_curation": "Dataset curation",
    "training_pipeline": "Training pipeline",
    "retraining_schedule": "Retraining schedule",
}
RAG_PARTS = (
    "vector_store",
    "embedding_model",
    "chunking",
    "retrieval_evaluation",
    "grounding_checks",
    "citation_ui",
)
TUNING_PARTS = ("dataset_curation", "evaluation_set", "training_pipeline", "retraining_schedule")
OPTION_PARTS = {
    "prompt_only": ("prompt_templates", "evaluation_set"),
    "rag": RAG_PARTS,
    "fine_tuning": TUNING_PARTS,
    "hybrid": RAG_PARTS + TUNING_PARTS,
}
HALLUC_PARTS = ("retrieval_evaluation", "grounding_checks", "user_uncertainty")


@dataclass(frozen=True)
class Component:
    id: str
    title: str
    required_by: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "required_by": list(self.required_by)}


def required_components(option: str, trace: RuleTrace, *, output_format: str) -> list[Component]:
    """The option's parts, structured outputs where format matters, and R-HALLUC's parts."""
    return list(components_for(option, trace, output_format=output_format))


def components_for(option: str, trace: RuleTrace, *, output_format: str) -> tuple[Component, ...]:
    """`required_components` as the (shared, immutable) tuple the assessment holds."""
    return _components(
        option,
        format_matters=output_format != "free_text",
        format_fired=trace.fired("R-FORMAT"),
        halluc_fired=trace.fired("R-HALLUC"),
    )


@lru_cache(maxsize=64)
def _components(
    option: str, *, format_matters: bool, format_fired: bool, halluc_fired: bool
) -> tuple[Component, ...]:
    # Few combinations exist and components are immutable, so each is built once.
    needed: dict[str, list[str]] = {}
    for part in OPTION_PARTS[option]:
        needed.setdefault(part, []).append(option)
    if format_matters:
        needed.setdefault("structured_outputs", []).append("R-FORMAT" if format_fired else option)
    if halluc_fired:
        for part in HALLUC_PARTS:
            needed.setdefault(part, []).append("R-HALLUC")
    return tuple(Component(id=k, title=TITLES[k], required_by=tuple(v)) for k, v in needed.items())
