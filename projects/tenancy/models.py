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


class FirmScopedQuerySet(models.QuerySet):
    """A queryset made with no firm in scope raises when it is *used*, not when it is built, so
    lazy querysets (a form field's default choices, a module-level constant) can exist."""

    _scope_missing: str = ""

    def _guard(self) -> None:
        if self._scope_missing:
            raise FirmScopeMissing(self._scope_missing)

    def _clone(self) -> FirmScopedQuerySet:
        clone = super()._clone()
        clone._scope_missing = self._scope_missing
        return clone

    def _fetch_all(self) -> None:
        self._guard()
        super()._fetch_all()

    def iterator(self, *args: Any, **kwargs: Any) -> Any:
        self._guard()
        return super().iterator(*args, **kwargs)

    def count(self) -> int:
        self._guard()
        return super().count()

    def exists(self) -> bool:
        self._guard()
        return super().exists()

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._guard()
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        self._guard()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._guard()
        return super().delete()


class _FirmScopedManager(models.Manager):
    """`Model.objects`: only the current firm's rows; unusable when no firm is in scope."""

    def get_queryset(self) -> models.QuerySet:
        qs = super().get_queryset()
        if not app_filter_enabled() or bypass_active():
            return qs
        firm_id = current_firm_id()
        if firm_id is None:
            qs._scope_missing = (  # type: ignore[attr-defined]
                f"{self.model.__name__} queried outside a firm scope; use firm_scope(firm)."
            )
            return qs
        return qs.filter(firm_id=firm_id)


FirmScopedManager = _FirmScopedManager.from_queryset(FirmScopedQuerySet)


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
