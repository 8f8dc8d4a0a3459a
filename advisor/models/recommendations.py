"""Recommendations and what hangs off them.

A Recommendation is one assessment of one profile version on one price-book version, with the
consultant's overrides and narrative. A new profile version or a price-book change makes a new
draft that supersedes the engagement's open one (its overrides and narrative carried over); the
change is recorded as a Reassessment so consultants see verdict flips and cost deltas first.
Approving freezes a Revision — numbered per engagement, never edited again — and delivery shares
a revision through an expiring, revocable link.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from projects.models.fields import DocumentField
from projects.tenancy.models import FirmOwnedModel, FirmScopedManager, FirmScopedQuerySet


class RecommendationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    DELIVERED = "delivered", "Delivered"
    SUPERSEDED = "superseded", "Superseded"


class NarrativeState(models.TextChoices):
    QUEUED = "queued", "Queued"
    DRAFTING = "drafting", "Drafting"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Recommendation(FirmOwnedModel):
    engagement = models.ForeignKey(
        "projects.Engagement", on_delete=models.CASCADE, related_name="recommendations"
    )
    profile_version = models.ForeignKey(
        "projects.ProfileVersion", on_delete=models.PROTECT, related_name="recommendations"
    )
    price_book = models.ForeignKey(
        "advisor.PriceBookVersion", on_delete=models.PROTECT, related_name="recommendations"
    )
    engine_version = models.CharField(max_length=20)
    as_of = models.DateField()
    # The engine's output exactly as computed (DESIGN §4.2), never altered by overrides.
    assessment: Any = DocumentField()
    status = models.CharField(
        max_length=20, choices=RecommendationStatus.choices, default=RecommendationStatus.DRAFT
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review_requested_at = models.DateTimeField(null=True, blank=True)
    # The narrative: Markdown, drafted from templates (or an LLM) and edited by the consultant.
    narrative = models.TextField(blank=True)
    narrative_source = models.CharField(max_length=20, default="template")
    narrative_state = models.CharField(
        max_length=20, choices=NarrativeState.choices, default=NarrativeState.DONE
    )
    narrative_note = models.CharField(max_length=300, blank=True)
    narrative_edited = models.BooleanField(default=False)
    supersedes = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(FirmOwnedModel.Meta):
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["firm", "status"])]

    def __str__(self) -> str:
        return f"Recommendation {self.pk} for {self.engagement_id}"

    @property
    def is_open(self) -> bool:
        return self.status in {RecommendationStatus.DRAFT, RecommendationStatus.IN_REVIEW}


class OverrideKind(models.TextChoices):
    VERDICT = "verdict", "Verdict"
    START_WITH = "start_with", "First stage"
    RULE = "rule", "Rule outcome"


class Override(FirmOwnedModel):
    """A consultant's deliberate change of the engine's result, with the reason kept."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="overrides"
    )
    kind = models.CharField(max_length=20, choices=OverrideKind.choices)
    rule_id = models.CharField(max_length=30, blank=True)
    # For verdict/start_with: an option; for a rule: "fired" or "not_fired".
    value = models.CharField(max_length=30)
    original = models.CharField(max_length=30, blank=True)
    justification = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta(FirmOwnedModel.Meta):
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.kind} → {self.value}"


class Scenario(FirmOwnedModel):
    """A named what-if: the changed inputs and the result they gave, kept beside the draft."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="scenarios"
    )
    name = models.CharField(max_length=120)
    changes: Any = models.JSONField()
    assessment: Any = DocumentField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(FirmOwnedModel.Meta):
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name


class FrozenQuerySet(FirmScopedQuerySet):
    def update(self, **kwargs: Any) -> int:
        raise RuntimeError("Revisions are frozen.")


class Revision(FirmOwnedModel):
    """An approved recommendation, frozen: the report exactly as delivered."""

    engagement = models.ForeignKey(
        "projects.Engagement", on_delete=models.CASCADE, related_name="revisions"
    )
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="revisions"
    )
    number = models.PositiveIntegerField()
    # Everything the report shows, frozen: assessment, effective result, overrides, narrative,
    # branding and names — exports of one revision are the same every time.
    content: Any = DocumentField()
    content_hash = models.CharField(max_length=64)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    approved_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = FirmScopedManager.from_queryset(FrozenQuerySet)()

    class Meta(FirmOwnedModel.Meta):
        ordering = ["engagement", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "number"], name="revision_unique_number")
        ]

    def __str__(self) -> str:
        return f"Revision {self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Only delivery may touch a frozen revision, and only to stamp when it went out.
        if self.pk is not None and set(kwargs.get("update_fields") or []) != {"delivered_at"}:
            raise RuntimeError("Revisions are frozen; approve a new one instead.")
        super().save(*args, **kwargs)


class ShareLink(FirmOwnedModel):
    """The client's read-only link to one approved revision. Only the token's hash is stored."""

    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="share_links")
    token_hash = models.CharField(max_length=64, unique=True)
    sent_to = models.EmailField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    view_count = models.PositiveIntegerField(default=0)
    last_viewed_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_name = models.CharField(max_length=150, blank=True)

    class Meta(FirmOwnedModel.Meta):
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Share link for revision {self.revision_id}"

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "active"


class Reassessment(FirmOwnedModel):
    """What changed when an engagement was assessed again: verdict flips and cost deltas."""

    engagement = models.ForeignKey(
        "projects.Engagement", on_delete=models.CASCADE, related_name="reassessments"
    )
    previous = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    current = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=30)  # profile_version | price_book
    verdict_before = models.CharField(max_length=20, blank=True)
    verdict_after = models.CharField(max_length=20)
    # {option: {"before": total, "after": total, "delta": after - before}}
    cost_deltas: Any = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta(FirmOwnedModel.Meta):
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Reassessment of {self.engagement_id}: {self.verdict_before} → {self.verdict_after}"

    @property
    def verdict_flipped(self) -> bool:
        return bool(self.verdict_before) and self.verdict_before != self.verdict_after
