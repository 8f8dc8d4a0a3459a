"""The template drafter: the narrative written from the assessment alone, every figure taken
from the computed result. Always available; the fallback whenever the LLM is not."""

from __future__ import annotations

from advisor.llm.port import DraftRequest, DraftResult
from advisor.narrative import template_narrative


class TemplateDrafter:
    name = "template"

    @property
    def identity(self) -> str:
        return "template"

    def draft(self, request: DraftRequest) -> DraftResult:
        text = template_narrative(request.assessment, product=request.product or "the product")
        return DraftResult(source="template", markdown=text)
