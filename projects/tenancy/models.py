"""The firm-owned base model and its manager, which filters by the firm in scope and fails
closed when there is none."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from projects.tenancy.scope import FirmScopeMissing, bypass_active, current_firm_id


def app_filter_enabled() -> bool:
    # Switched off only by the isolation tests, to prove that row-level security alone holds.
    return getattr(settings, "FORKCAST_APP_FIRM_FILTER", True)


class FirmScopedManager(models.Manager):
    """`Model.objects`: only the current firm's rows; raises when no firm is in scope."""

    def get_queryset(self) -> models.QuerySet:
        qs = super().get_queryset()
        if not app_filter_enabled() or bypass_active():
            return qs
        firm_id = current_firm_id()
        if firm_id is None:
            raise FirmScopeMissing(
                f"{self.model.__name__} queried outside a firm scope; use firm_scope(firm)."
            )
        return qs.filter(firm_id=firm_id)


class FirmOwnedModel(models.Model):
    """Every tenant-owned row: a `firm` foreign key (column `firm_id`), a scoped default
    manager, and — through `projects.tenancy.rls` — a forced row-level-security policy."""

    firm = models.ForeignKey("projects.Firm", on_delete=models.CASCADE, related_name="+")

    objects = FirmScopedManager()
    # The loudly named escape hatch: no application filter. The database still applies its
    # policy, so this is for maintenance inside an explicit firm scope or bypass.
    dangerously_unscoped_objects = models.Manager()

    class Meta:
        abstract = True
        # Named explicitly: Django would otherwise pick the first manager created, which
        # for a subclass that redefines `objects` is the unscoped one.
        default_manager_name = "objects"
        base_manager_name = "dangerously_unscoped_objects"

    def save(self, *args: Any, **kwargs: Any) -> None:
        scoped = current_firm_id()
        if scoped is not None and self.firm_id is not None and self.firm_id != scoped:
            # The database refuses this too (WITH CHECK); failing here gives a clearer error.
            raise FirmScopeMissing("Refusing to write a row of another firm.")
        super().save(*args, **kwargs)
