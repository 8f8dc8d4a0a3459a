"""Firms (the tenants), memberships with roles, and invitations to join a firm."""

from __future__ import annotations

import base64
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone

from projects.tenancy.models import FirmOwnedModel, FirmScopedManager, FirmScopedQuerySet

HEX_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a hex colour like #4f46e5.")
DEFAULT_ACCENT = "#4f46e5"


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    CONSULTANT = "consultant", "Consultant"
    VIEWER = "viewer", "Viewer"


# What each role may do is ordered: a higher rank may do everything a lower one may.
ROLE_RANK = {Role.VIEWER: 0, Role.CONSULTANT: 1, Role.ADMIN: 2, Role.OWNER: 3}


def role_at_least(role: str, required: str) -> bool:
    return ROLE_RANK[Role(role)] >= ROLE_RANK[Role(required)]


class Firm(models.Model):
    """A consulting firm: the tenant. Not firm-owned itself; everything else points to it."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=50, unique=True)
    display_name = models.CharField(
        max_length=120, blank=True, help_text="Shown to clients on intake and report pages."
    )
    accent_colour = models.CharField(max_length=7, default=DEFAULT_ACCENT, validators=[HEX_COLOUR])
    # The logo lives in the database: web nodes stay stateless and founder pages embed it
    # as a data: URI, so no media server is needed.
    logo = models.BinaryField(blank=True, null=True, editable=True)
    logo_content_type = models.CharField(max_length=40, blank=True)
    intake_link_days = models.PositiveSmallIntegerField(
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="How many days a founder's intake link stays valid (1–90).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def brand_name(self) -> str:
        return self.display_name or self.name

    @property
    def logo_data_uri(self) -> str:
        if not self.logo:
            return ""
        encoded = base64.b64encode(bytes(self.logo)).decode("ascii")
        return f"data:{self.logo_content_type};base64,{encoded}"

    @property
    def accent_safe(self) -> str:
        # Rendered into a <style> element: only a strict hex colour ever gets there.
        return (
            self.accent_colour
            if re.fullmatch(r"#[0-9a-fA-F]{6}", self.accent_colour)
            else (DEFAULT_ACCENT)
        )


class Membership(FirmOwnedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CONSULTANT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(FirmOwnedModel.Meta):
        constraints = [
            models.UniqueConstraint(fields=["firm", "user"], name="membership_unique_user")
        ]
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.user} in {self.firm_id} as {self.role}"


class InvitationQuerySet(FirmScopedQuerySet):
    def pending(self) -> InvitationQuerySet:
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(FirmOwnedModel):
    """An e-mailed invitation. Only the SHA-256 of its token is stored."""

    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CONSULTANT)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = FirmScopedManager.from_queryset(InvitationQuerySet)()

    class Meta(FirmOwnedModel.Meta):
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email}"

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    def clean(self) -> None:
        if self.role == Role.OWNER:
            raise ValidationError({"role": "Invite as admin, then promote to owner."})
