"""Working sessions of an engagement: when, who, agenda, notes, decisions and follow-ups."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models

from projects.models.engagements import Engagement
from projects.tenancy.models import FirmOwnedModel


class Session(FirmOwnedModel):
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveIntegerField(default=60)
    location = models.CharField(max_length=200, blank=True, help_text="A room or a call link.")
    attendees = models.TextField(blank=True, help_text="One per line.")
    agenda = models.TextField(blank=True)
    # Markdown, rendered through a sanitiser (projects.markdown).
    notes = models.TextField(blank=True)
    decisions = models.TextField(blank=True, help_text="One per line.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(FirmOwnedModel.Meta):
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def ends_at(self):  # type: ignore[no-untyped-def]
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def attendee_list(self) -> list[str]:
        return [line.strip() for line in self.attendees.splitlines() if line.strip()]

    @property
    def decision_list(self) -> list[str]:
        return [line.strip() for line in self.decisions.splitlines() if line.strip()]


class FollowUp(FirmOwnedModel):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="follow_ups")
    text = models.CharField(max_length=300)
    owner = models.CharField(max_length=150, blank=True, help_text="Who will do it.")
    due_date = models.DateField(null=True, blank=True)
    done = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(FirmOwnedModel.Meta):
        ordering = ["done", "due_date", "created_at"]

    def __str__(self) -> str:
        return self.text
