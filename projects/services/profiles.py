"""Profile versions: validated by the engine, numbered per engagement, never edited."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from advisor.engine import PROFILE_FIELDS, ProfileError, validate_profile
from advisor.services.price_books import price_book_for_firm
from projects.models import (
    Engagement,
    EngagementStatus,
    Firm,
    IntakeLink,
    ProfileSource,
    ProfileVersion,
    User,
)

FIELD_SPECS = {spec.name: spec for spec in PROFILE_FIELDS}

__all__ = ["ProfileError", "profile_diff", "profile_version_create"]


@transaction.atomic
def profile_version_create(
    *,
    firm: Firm,
    engagement: Engagement,
    data: Mapping[str, Any],
    source: str,
    submitted_by: User | None = None,
    intake_link: IntakeLink | None = None,
    consultant_fields: Collection[str] = (),
    unknown_fields: Collection[str] = (),
    note: str = "",
) -> ProfileVersion:
    """Validate `data` with the engine and store it as the engagement's next version.

    Raises `ProfileError` (per-field messages) on an invalid profile; nothing is stored then.
    Moves an engagement still in intake on to assessment, then drafts its recommendation in
    the same transaction — which puts it in review.
    """
    if engagement.firm_id != firm.pk:
        raise ValueError("The engagement belongs to another firm.")
    if source not in ProfileSource.values:
        raise ValueError(f"Unknown profile source {source!r}.")
    if intake_link is not None and intake_link.engagement_id != engagement.pk:
        raise ValueError("The intake link belongs to another engagement.")
    validate_profile(
        dict(data), price_book_for_firm(firm=firm), consultant_fields=consultant_fields
    )
    # Numbering under a row lock: two submissions at once still get 1 and 2.
    locked = Engagement.objects.select_for_update().get(firm=firm, pk=engagement.pk)
    last = (
        ProfileVersion.objects.filter(firm=firm, engagement=locked)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    version = ProfileVersion.objects.create(
        firm=firm,
        engagement=locked,
        number=(last or 0) + 1,
        profile=dict(data),
        consultant_fields=sorted(set(consultant_fields)),
        unknown_fields=sorted(set(unknown_fields)),
        source=source,
        submitted_by=submitted_by,
        intake_link=intake_link,
        note=note,
    )
    if locked.status == EngagementStatus.INTAKE:
        locked.status = EngagementStatus.ASSESSMENT
        locked.save(update_fields=["status", "updated_at"])
    # The assessment is synchronous and fast (DESIGN §2.3): the draft exists when this returns.
    from advisor.services.recommendations import recommendation_assess

    recommendation_assess(firm=firm, profile_version=version, user=submitted_by)
    engagement.status = Engagement.objects.get(firm=firm, pk=engagement.pk).status
    return version


@dataclass(frozen=True)
class DiffRow:
    field: str
    label: str
    before: str
    after: str
    kind: str  # added | removed | changed


def _shown(name: str, value: Any, given: bool) -> str:
    spec = FIELD_SPECS.get(name)
    if not given:
        if spec is None:
            return "—"
        if spec.default_from:
            return "not given (the price book's default)"
        if spec.default in (None, ""):
            return "not given"
        return f"not given (default: {_shown(name, spec.default, True)})"
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if spec is not None and spec.choice_labels and value in spec.choice_labels:
        return spec.choice_labels[value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def profile_diff(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[DiffRow]:
    """A readable diff between two versions' profiles, in field order, with labels and choices
    spelled out. The first version diffs against nothing: every given field is "added"."""
    before = before or {}
    order = [spec.name for spec in PROFILE_FIELDS]
    names = order + sorted((set(before) | set(after)) - set(order))
    rows = []
    for name in names:
        in_before, in_after = name in before, name in after
        if not in_before and not in_after:
            continue
        if in_before and in_after and before[name] == after[name]:
            continue
        kind = "changed" if in_before and in_after else ("added" if in_after else "removed")
        spec = FIELD_SPECS.get(name)
        rows.append(
            DiffRow(
                field=name,
                label=spec.label if spec else name,
                before=_shown(name, before.get(name), in_before),
                after=_shown(name, after.get(name), in_after),
                kind=kind,
            )
        )
    return rows
