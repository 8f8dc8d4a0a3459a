"""The audit log: who did what and when, per engagement and per firm."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from projects.tenancy.models import FirmOwnedModel


class AuditEvent(FirmOwnedModel):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Someone without an account: a founder on an intake link, a client on a share link.
    actor_label = models.CharField(max_length=200, blank=True)
    engagement = models.ForeignKey(
        "projects.Engagement", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    verb = models.CharField(max_length=60)
    summary = models.CharField(max_length=300)
    data: Any = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta(FirmOwnedModel.Meta):
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["firm", "engagement", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.verb}: {self.summary}"

    @property
    def who(self) -> str:
        if self.actor_id:
            return str(self.actor)
        return self.actor_label or "Forkcast"
