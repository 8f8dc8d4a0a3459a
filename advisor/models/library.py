"""Each firm's price books and evidence library, seeded from the engine's defaults.

Both are versioned and never edited in place: a change writes a new version, and every
assessment names the price-book version it used. Evidence entries retire; they never vanish.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from projects.tenancy.models import FirmOwnedModel


class PriceBookVersion(FirmOwnedModel):
    slug = models.SlugField(max_length=60)
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=120)
    # The whole book in the engine's format (advisor.engine.PriceBook.to_dict()).
    data: Any = models.JSONField()
    # The one book a firm's assessments use; exactly one version per firm is active.
    is_active = models.BooleanField(default=False)
    change_note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(FirmOwnedModel.Meta):
        ordering = ["slug", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "slug", "version"], name="price_book_unique_version"
            ),
            models.UniqueConstraint(
                fields=["firm"], condition=models.Q(is_active=True), name="price_book_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.slug}@{self.version}"

    @property
    def key(self) -> str:
        return f"{self.slug}@{self.version}"


class EvidenceEntry(FirmOwnedModel):
    """One version of one evidence entry (E-ADOPT, …). The latest version is the current one."""

    evidence_id = models.CharField(max_length=40)
    version = models.PositiveIntegerField(default=1)
    title = models.CharField(max_length=200)
    claim = models.TextField()
    source = models.CharField(max_length=300)
    url = models.URLField(blank=True)
    date = models.CharField(
        max_length=20, help_text="When the source was published (YYYY or YYYY-MM-DD)."
    )
    figures: Any = models.JSONField(default=list, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(FirmOwnedModel.Meta):
        ordering = ["evidence_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "evidence_id", "version"], name="evidence_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.evidence_id} v{self.version}"
