"""Clients, their contacts, and engagements: the consultant's book of work."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from projects.tenancy.models import FirmOwnedModel


class Client(FirmOwnedModel):
    name = models.CharField(max_length=200)
    website = models.URLField(blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(FirmOwnedModel.Meta):
        ordering = ["name"]
        indexes = [models.Index(fields=["firm", "name"])]

    def __str__(self) -> str:
        return self.name


class Contact(FirmOwnedModel):
    """A person at the client: founders receive intake and share links."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=150)
    email = models.EmailField()
    title = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    is_primary = models.BooleanField(default=False)

    class Meta(FirmOwnedModel.Meta):
        ordering = ["-is_primary", "name"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class EngagementStatus(models.TextChoices):
    INTAKE = "intake", "Intake"
    ASSESSMENT = "assessment", "Assessment"
    REVIEW = "review", "Review"
    DELIVERED = "delivered", "Delivered"
    CLOSED = "closed", "Closed"


class Engagement(FirmOwnedModel):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="engagements")
    title = models.CharField(max_length=200)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The consultant leading this engagement.",
    )
    status = models.CharField(
        max_length=20, choices=EngagementStatus.choices, default=EngagementStatus.INTAKE
    )
    summary = models.TextField(blank=True)
    start_date = models.DateField(null=True, blank=True)
    target_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(FirmOwnedModel.Meta):
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["firm", "status"])]

    def __str__(self) -> str:
        return self.title
