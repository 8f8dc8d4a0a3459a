"""The founder intake: e-mailed links, the draft answers saved as they type, and the immutable
profile versions each submission makes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from projects.models.engagements import Engagement
from projects.models.fields import DocumentField
from projects.tenancy.models import FirmOwnedModel, FirmScopedManager, FirmScopedQuerySet


class IntakeLink(FirmOwnedModel):
    """An e-mailed link to one engagement's intake. Only the SHA-256 of its token is stored."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="intake_links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    sent_to = models.EmailField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Set by the first POST that starts the intake (the binding); later starts reuse its draft.
    started_at = models.DateTimeField(null=True, blank=True)
    last_opened_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta(FirmOwnedModel.Meta):
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Intake link for {self.engagement_id}"

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        if self.submitted_at:
            return "submitted"
        if self.started_at:
            return "in_progress"
        return "sent"

    @property
    def usable(self) -> bool:
        return self.state in {"sent", "in_progress", "submitted"}


class IntakeDraft(FirmOwnedModel):
    """Answers in progress, saved on every step and while typing. One open draft per link."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="drafts")
    link = models.ForeignKey(
        IntakeLink, on_delete=models.CASCADE, null=True, blank=True, related_name="drafts"
    )
    answers: Any = models.JSONField(default=dict, blank=True)
    # Fields the founder answered "I don't know": the default is used and marked an assumption.
    unknown: Any = models.JSONField(default=list, blank=True)
    step = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta(FirmOwnedModel.Meta):
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["link"],
                condition=models.Q(submitted_at__isnull=True),
                name="intake_draft_one_open_per_link",
            )
        ]


class ProfileSource(models.TextChoices):
    FOUNDER = "founder", "Founder (intake link)"
    CONSULTANT = "consultant", "Consultant"
    API = "api", "API"


class ImmutableError(RuntimeError):
    """Raised on any attempt to edit or delete a profile version."""


class ProfileVersionQuerySet(FirmScopedQuerySet):
    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableError("Profile versions are never deleted.")

    def update(self, **kwargs: Any) -> int:
        raise ImmutableError("Profile versions are never edited.")


class ProfileVersion(FirmOwnedModel):
    """One submitted profile, validated by the engine. Never edited, never deleted."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.PROTECT, related_name="profile_versions"
    )
    number = models.PositiveIntegerField()
    # The profile exactly as validated (only the fields that were given).
    profile: Any = DocumentField()
    # Fields whose values a consultant set (the assumption register marks them).
    consultant_fields: Any = models.JSONField(default=list, blank=True)
    # Fields answered "I don't know" (defaults used, recorded as assumptions).
    unknown_fields: Any = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=20, choices=ProfileSource.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    intake_link = models.ForeignKey(
        IntakeLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FirmScopedManager.from_queryset(ProfileVersionQuerySet)()

    class Meta(FirmOwnedModel.Meta):
        ordering = ["engagement", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "number"], name="profile_version_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableError("Profile versions are never edited; submit a new version.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableError("Profile versions are never deleted.")
