"""Narrative drafts: each run of the drafting job for a recommendation, with what it produced
and the grounding check's verdict on every sentence.

One draft per recommendation and input hash (the assessment, the founder's answers, the
evidence, the drafter and model, the prompt version and the attempt number): a rerun of the
same job finds its draft instead of making another, while Regenerate asks for a new attempt.
The draft whose text is in the recommendation's narrative is the latest one `applied`.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from projects.tenancy.models import FirmOwnedModel, FirmScopedManager, FirmScopedQuerySet


class NarrativeDraftState(models.TextChoices):
    QUEUED = "queued", "Queued"
    DRAFTING = "drafting", "Drafting"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class SentenceStatus(models.TextChoices):
    SUPPORTED = "supported", "Supported"
    FLAGGED = "flagged", "Flagged"
    ACCEPTED = "accepted", "Accepted by a consultant"
    EDITED = "edited", "Edited by a consultant"


class NarrativeDraftQuerySet(FirmScopedQuerySet):
    def applied(self) -> NarrativeDraft | None:
        """The draft whose text the narrative holds (templates read this through the
        recommendation's related manager)."""
        return self.exclude(applied_at=None).order_by("-applied_at", "-pk").first()

    def newest(self) -> NarrativeDraft | None:
        return self.order_by("-attempt", "-created_at", "-pk").first()


class NarrativeDraft(FirmOwnedModel):
    recommendation = models.ForeignKey(
        "advisor.Recommendation", on_delete=models.CASCADE, related_name="narrative_drafts"
    )
    # 0 for the draft queued with the recommendation; each Regenerate asks for the next.
    attempt = models.PositiveIntegerField(default=0)
    input_hash = models.CharField(max_length=64)
    state = models.CharField(
        max_length=20, choices=NarrativeDraftState.choices, default=NarrativeDraftState.QUEUED
    )
    drafter = models.CharField(max_length=20)  # template | openai
    model = models.CharField(max_length=100, blank=True)
    source = models.CharField(max_length=20, blank=True)  # llm | template: what the text is
    # An LLM draft: [{"id", "section", "text", "fields", "evidence", "status", "findings",
    # and for a consultant's decision "by", "at", "original"}].
    sentences: Any = models.JSONField(default=list, blank=True)
    # The Markdown the draft produced (a template's text, or every LLM sentence, flagged ones
    # included) — kept for the record; the recommendation holds what may be exported.
    text = models.TextField(blank=True)
    # The check's result: {"version", "figures", "ids", "supported", "unsupported",
    # "sentences", "flagged", "findings" (template drafts: advisory, per figure)}.
    grounding: Any = models.JSONField(default=dict, blank=True)
    error_code = models.CharField(max_length=30, blank=True)
    error = models.CharField(max_length=300, blank=True)
    usage: Any = models.JSONField(default=dict, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FirmScopedManager.from_queryset(NarrativeDraftQuerySet)()

    class Meta(FirmOwnedModel.Meta):
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "input_hash"], name="narrative_draft_unique_input"
            )
        ]
        indexes = [models.Index(fields=["firm", "recommendation", "-attempt"])]

    def __str__(self) -> str:
        return f"Narrative draft {self.attempt} of recommendation {self.recommendation_id}"

    @property
    def flagged(self) -> list[dict[str, Any]]:
        return [s for s in self.sentences if s.get("status") == SentenceStatus.FLAGGED]

    @property
    def decided(self) -> list[dict[str, Any]]:
        """Flagged sentences a consultant accepted or rewrote."""
        return [
            s
            for s in self.sentences
            if s.get("status") in {SentenceStatus.ACCEPTED, SentenceStatus.EDITED}
        ]

    @property
    def decided_notes(self) -> list[dict[str, Any]]:
        """Decided sentences with what the check still says about each (a rewrite is checked
        again as free text; an accepted sentence keeps its original findings)."""
        return [
            {**s, "problems": [f for f in s.get("findings", []) if not f.get("supported")]}
            for s in self.decided
        ]

    @property
    def model_label(self) -> str:
        return self.model or ("templates" if self.drafter == "template" else "the LLM")
