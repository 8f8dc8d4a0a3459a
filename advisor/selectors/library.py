"""Reads of a firm's library: price-book versions shaped for reading, readable diffs between
versions, and the evidence library (current entries, history, and what the engine is given).

Selectors never write: a firm that was never seeded simply has no rows yet (the pages seed it
through the service first; `evidence_for_engine` falls back to the shipped library).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, Subquery
from django.utils import timezone

from advisor.engine import Evidence, load_evidence
from advisor.engine.lifecycle import add_months
from advisor.engine.pricebook import CHAT_PRICE_KEYS
from advisor.models import AuditEvent, EvidenceEntry, PriceBookVersion
from advisor.services.library import (
    DEFAULT_FIELDS,
    NOT_FINE_TUNABLE_SOURCE,
    PRICE_LABELS,
    default_value,
)
from projects.models import Firm

# A lifecycle date this close is flagged: the default horizon is 24 months, but a year is
# the window in which a consultant must act on it.
LIFECYCLE_WARNING_MONTHS = 12
URL = re.compile(r"https?://[^\s;,)]+")


# --- formatting ---------------------------------------------------------------------------------


def format_usd(value: Any) -> str:
    """$2.50, $0.02, $0.015, $1,000.00: cents at least, more digits only when the price has them."""
    number = Decimal(str(value))
    if number == number.quantize(Decimal("0.01")):
        return f"${number:,.2f}"
    return f"${number.normalize():,f}"


def format_dollars(value: Any) -> str:
    """$300, $2,000, $0.50: whole dollars without cents (for budgets, not token prices)."""
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return f"${number:,.0f}"
    return format_usd(number)


def format_number(value: Any) -> str:
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return f"{number:,.0f}"
    return f"{number.normalize():,f}"


def _date(value: Any) -> date | None:
    if not value:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _day(value: Any) -> str:
    when = _date(value)
    return when.strftime("%-d %b %Y") if when else "—"


def split_source(source: str) -> tuple[str, str, str]:
    """(url, link text, remaining note) of a price or evidence source."""
    match = URL.search(source or "")
    if not match:
        return "", "", (source or "").strip()
    url = match.group(0).rstrip(".")
    text = re.sub(r"^https?://(www\.)?", "", url).rstrip("/")
    rest = (source[: match.start()] + source[match.end() :]).strip(" ;,")
    return url, text, rest


# --- price books shaped for reading -------------------------------------------------------------


@dataclass(frozen=True)
class PriceCell:
    key: str
    label: str
    amount: str
    source: str
    source_url: str
    source_text: str
    source_note: str
    checked: date | None
    effective: date | None
    placeholder: bool
    upcoming: bool


@dataclass(frozen=True)
class LifecycleDate:
    label: str
    when: date
    state: str  # past | soon | later


@dataclass(frozen=True)
class ModelRow:
    name: str
    label: str
    kind: str
    fine_tunable: bool
    is_default: bool
    prices: list[PriceCell]
    lifecycle: list[LifecycleDate]

    @property
    def flagged(self) -> bool:
        return any(d.state != "later" for d in self.lifecycle)


@dataclass(frozen=True)
class DefaultRow:
    label: str
    unit: str
    low: str = ""
    point: str = ""
    high: str = ""
    value: str = ""

    @property
    def is_span(self) -> bool:
        return not self.value

    @property
    def suffix(self) -> str:
        """What follows the figure when read aloud: "a month", "days", nothing for dollars."""
        if self.unit == "days":
            return "day" if self.value == "1" else "days"
        return "a month" if self.unit == "USD/month" else ""


@dataclass(frozen=True)
class DefaultGroup:
    title: str
    rows: list[DefaultRow]
    source: str = ""


@dataclass(frozen=True)
class BookView:
    version: PriceBookVersion
    name: str
    default_model: str
    default_embedding_model: str
    models: list[ModelRow]
    defaults: list[DefaultGroup]

    @property
    def chat_models(self) -> list[ModelRow]:
        return [m for m in self.models if m.kind == "chat"]

    @property
    def embedding_models(self) -> list[ModelRow]:
        return [m for m in self.models if m.kind == "embedding"]

    @property
    def flagged_models(self) -> list[ModelRow]:
        return [m for m in self.models if m.flagged]


def _lifecycle_state(when: date, today: date) -> str:
    if when <= today:
        return "past"
    if when <= add_months(today, LIFECYCLE_WARNING_MONTHS):
        return "soon"
    return "later"


def _model_row(name: str, raw: Mapping[str, Any], data: Mapping[str, Any], today: date) -> ModelRow:
    keys = CHAT_PRICE_KEYS if raw["kind"] == "chat" else ("embedding",)
    prices = []
    for key in keys:
        price = raw["prices"].get(key)
        if price is None:
            continue
        url, text, note = split_source(price.get("source", ""))
        effective = _date(price.get("effective"))
        prices.append(
            PriceCell(
                key=key,
                label=PRICE_LABELS[key],
                amount=format_usd(price["usd_per_1m_tokens"]),
                source=price.get("source", ""),
                source_url=url,
                source_text=text,
                source_note=note,
                checked=_date(price.get("checked")),
                effective=effective,
                placeholder=price.get("source") == NOT_FINE_TUNABLE_SOURCE,
                upcoming=bool(effective and effective > today),
            )
        )
    lifecycle = [
        LifecycleDate(label, when, _lifecycle_state(when, today))
        for label, when in (
            ("Fine-tuning closes", _date(raw.get("fine_tuning_closes"))),
            ("Shuts down", _date(raw.get("shutdown"))),
        )
        if when
    ]
    return ModelRow(
        name=name,
        label=raw.get("label") or name,
        kind=raw["kind"],
        fine_tunable=bool(raw.get("fine_tunable")),
        is_default=name in (data["default_model"], data["default_embedding_model"]),
        prices=prices,
        lifecycle=lifecycle,
    )


def _stem(key: str) -> str:
    return key.rsplit("__", 1)[0] if key.endswith(("__low", "__point", "__high")) else key


def _default_groups(data: Mapping[str, Any]) -> list[DefaultGroup]:
    groups: dict[str, list[DefaultRow]] = {}
    seen: set[str] = set()
    by_key = {spec.key: spec for spec in DEFAULT_FIELDS}
    for spec in DEFAULT_FIELDS:
        stem = _stem(spec.key)
        if stem in seen:
            continue
        seen.add(stem)
        money = spec.unit.startswith("USD")
        show = format_dollars if money else format_number
        if stem != spec.key:
            low, point, high = (
                show(default_value(data, by_key[f"{stem}__{end}"]))
                for end in ("low", "point", "high")
            )
            row = DefaultRow(
                label=spec.label.rsplit(" (", 1)[0],
                unit=spec.unit,
                low=low,
                point=point,
                high=high,
            )
        else:
            row = DefaultRow(
                label=spec.label, unit=spec.unit, value=show(default_value(data, spec))
            )
        groups.setdefault(spec.group, []).append(row)
    sources = {
        "Retrieval": data["defaults"]["vector_hosting_usd_per_month"].get("source", ""),
        "Build days": data["defaults"]["build_days"].get("source", ""),
        "Maintenance days a month": data["defaults"]["maintenance_days_per_month"].get(
            "source", ""
        ),
        "Self-hosted": data["defaults"]["self_hosted"].get("source", ""),
    }
    return [
        DefaultGroup(title=title, rows=rows, source=sources.get(title, ""))
        for title, rows in groups.items()
    ]


def price_book_view(*, version: PriceBookVersion, today: date | None = None) -> BookView:
    """A version shaped for reading: chat models first, each price with its source and dates,
    lifecycle dates flagged when past or within a year."""
    today = today or timezone.localdate()
    data = version.data
    models = [_model_row(name, raw, data, today) for name, raw in data["models"].items()]
    models.sort(key=lambda m: (m.kind != "chat", not m.is_default, m.name))
    return BookView(
        version=version,
        name=data.get("name", version.name),
        default_model=data["default_model"],
        default_embedding_model=data["default_embedding_model"],
        models=models,
        defaults=_default_groups(data),
    )


# --- diffs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffRow:
    section: str
    label: str
    before: str
    after: str
    kind: str  # added | removed | changed


def _flatten(data: Mapping[str, Any]) -> dict[tuple[str, str], str]:
    """Every figure a reader cares about, keyed by (section, label), as display text."""
    flat: dict[tuple[str, str], str] = {
        ("Book", "Name"): str(data.get("name", "")),
        ("Book", "Default chat model"): str(data["default_model"]),
        ("Book", "Default embedding model"): str(data["default_embedding_model"]),
    }
    for name, raw in data["models"].items():
        flat[(name, "Label")] = str(raw.get("label") or name)
        if raw["kind"] == "chat":
            flat[(name, "Fine-tunable")] = "yes" if raw.get("fine_tunable") else "no"
            flat[(name, "Fine-tuning closes")] = _day(raw.get("fine_tuning_closes"))
        flat[(name, "Shuts down")] = _day(raw.get("shutdown"))
        for key, price in raw["prices"].items():
            if price.get("source") == NOT_FINE_TUNABLE_SOURCE:
                continue
            label = PRICE_LABELS.get(key, key)
            flat[(name, f"{label} price")] = format_usd(price["usd_per_1m_tokens"])
            flat[(name, f"{label} source")] = str(price.get("source", ""))
            flat[(name, f"{label} checked")] = _day(price.get("checked"))
            flat[(name, f"{label} effective")] = _day(price.get("effective"))
    for spec in DEFAULT_FIELDS:
        money = spec.unit.startswith("USD")
        value = default_value(data, spec)
        flat[("Cost defaults", f"{spec.group} · {spec.label}")] = (
            format_usd(value) if money else format_number(value)
        )
    return flat


def price_book_diff(*, before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[DiffRow]:
    """What changed from one book document to the next, in reading order. A model that came or
    went is one row, not one row per price."""
    if before is None:
        return []
    old, new = _flatten(before), _flatten(after)
    rows: list[DiffRow] = []
    added = [n for n in after["models"] if n not in before["models"]]
    removed = [n for n in before["models"] if n not in after["models"]]
    for name in added:
        raw = after["models"][name]
        prices = ", ".join(
            f"{PRICE_LABELS.get(k, k).lower()} {format_usd(p['usd_per_1m_tokens'])}"
            for k, p in raw["prices"].items()
            if p.get("source") != NOT_FINE_TUNABLE_SOURCE
        )
        rows.append(
            DiffRow(name, "Model added", "", f"{raw.get('label') or name} ({prices})", "added")
        )
    for name in removed:
        rows.append(
            DiffRow(
                name, "Model retired", before["models"][name].get("label") or name, "", "removed"
            )
        )
    skip = set(added) | set(removed)
    for key in [*old, *(k for k in new if k not in old)]:
        if key[0] in skip:
            continue
        a, b = old.get(key, "—"), new.get(key, "—")
        if a != b:
            rows.append(DiffRow(key[0], key[1], a, b, "changed"))
    return rows


# --- price-book queries -------------------------------------------------------------------------


def price_book_active(*, firm: Firm) -> PriceBookVersion | None:
    """The active version, or None for a firm not seeded yet (use the service to seed)."""
    return PriceBookVersion.objects.filter(firm=firm, is_active=True).first()


def price_book_version_get(*, firm: Firm, pk: int) -> PriceBookVersion:
    """One version of the firm's; another firm's id raises DoesNotExist like a missing one."""
    return PriceBookVersion.objects.select_related("created_by").get(firm=firm, pk=pk)


def price_book_versions(*, firm: Firm) -> list[PriceBookVersion]:
    return list(
        PriceBookVersion.objects.filter(firm=firm)
        .select_related("created_by")
        .order_by("slug", "-version")
    )


def price_book_latest_version(*, firm: Firm, slug: str) -> int:
    top = (
        PriceBookVersion.objects.filter(firm=firm, slug=slug)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    return top or 0


def price_book_editable(*, firm: Firm, version: PriceBookVersion) -> bool:
    """A change may start from the book's latest version or from its active one."""
    return version.is_active or version.version == price_book_latest_version(
        firm=firm, slug=version.slug
    )


@dataclass(frozen=True)
class VersionItem:
    version: PriceBookVersion
    previous: PriceBookVersion | None
    diff: list[DiffRow] = field(default_factory=list)
    editable: bool = False


def price_book_history(*, firm: Firm) -> list[VersionItem]:
    """Every version of every book, newest first, each with its diff from the version before."""
    versions = price_book_versions(firm=firm)
    by_slug: dict[str, list[PriceBookVersion]] = {}
    for v in versions:
        by_slug.setdefault(v.slug, []).append(v)
    items = []
    for slug_versions in by_slug.values():
        latest = slug_versions[0].version
        for v in slug_versions:
            previous = next((p for p in slug_versions if p.version < v.version), None)
            items.append(
                VersionItem(
                    version=v,
                    previous=previous,
                    diff=price_book_diff(before=previous.data if previous else None, after=v.data),
                    editable=v.is_active or v.version == latest,
                )
            )
    items.sort(key=lambda item: (item.version.created_at, item.version.pk), reverse=True)
    return items


def price_book_version_item(*, firm: Firm, version: PriceBookVersion) -> VersionItem:
    previous = (
        PriceBookVersion.objects.filter(firm=firm, slug=version.slug, version__lt=version.version)
        .order_by("-version")
        .first()
    )
    return VersionItem(
        version=version,
        previous=previous,
        diff=price_book_diff(before=previous.data if previous else None, after=version.data),
        editable=price_book_editable(firm=firm, version=version),
    )


# --- evidence -----------------------------------------------------------------------------------


def _current_entries(firm: Firm):  # type: ignore[no-untyped-def]
    latest = (
        EvidenceEntry.objects.filter(firm=firm, evidence_id=OuterRef("evidence_id"))
        .order_by("-version")
        .values("version")[:1]
    )
    return EvidenceEntry.objects.filter(firm=firm, version=Subquery(latest))


def evidence_current(*, firm: Firm, search: str = "") -> list[EvidenceEntry]:
    """The latest version of every entry, retired ones included (flagged `is_retired`, with
    `retired_at`) and listed after the others; `search` matches id, title, claim and source."""
    entries = (
        _current_entries(firm)
        .select_related("created_by")
        .annotate(
            is_retired=ExpressionWrapper(Q(retired_at__isnull=False), output_field=BooleanField())
        )
    )
    search = search.strip()
    if search:
        entries = entries.filter(
            Q(evidence_id__icontains=search)
            | Q(title__icontains=search)
            | Q(claim__icontains=search)
            | Q(source__icontains=search)
        )
    return sorted(entries, key=lambda e: (e.is_retired, e.evidence_id))


def evidence_entry_get(*, firm: Firm, pk: int) -> EvidenceEntry:
    """One stored version by id; another firm's id raises DoesNotExist like a missing one."""
    return EvidenceEntry.objects.get(firm=firm, pk=pk)


def evidence_current_of(*, firm: Firm, evidence_id: str) -> EvidenceEntry:
    entry = (
        EvidenceEntry.objects.filter(firm=firm, evidence_id=evidence_id)
        .select_related("created_by")
        .order_by("-version")
        .first()
    )
    if entry is None:
        raise EvidenceEntry.DoesNotExist(evidence_id)
    return entry


def evidence_history(*, firm: Firm, evidence_id: str) -> list[EvidenceEntry]:
    """Every version of one entry, newest first."""
    return list(
        EvidenceEntry.objects.filter(firm=firm, evidence_id=evidence_id)
        .select_related("created_by")
        .order_by("-version")
    )


@dataclass(frozen=True)
class EvidenceVersionItem:
    entry: EvidenceEntry
    diff: list[DiffRow]
    note: str


EVIDENCE_FIELD_LABELS = {
    "title": "Title",
    "claim": "Claim",
    "source": "Source",
    "url": "Link",
    "date": "Published",
    "figures": "Figures",
}


def format_figures(figures: Iterable[Any]) -> str:
    return ", ".join(format_number(f) for f in figures or ())


def _evidence_diff(before: EvidenceEntry | None, after: EvidenceEntry) -> list[DiffRow]:
    if before is None:
        return []
    rows = []
    for name, label in EVIDENCE_FIELD_LABELS.items():
        a, b = getattr(before, name), getattr(after, name)
        if name == "figures":
            a, b = format_figures(a), format_figures(b)
        if a != b:
            rows.append(DiffRow(after.evidence_id, label, str(a or "—"), str(b or "—"), "changed"))
    return rows


def evidence_history_with_diffs(*, firm: Firm, evidence_id: str) -> list[EvidenceVersionItem]:
    """Newest first, each version with what it changed and the editor's note (from the audit
    log, where `evidence_change` records it)."""
    versions = evidence_history(firm=firm, evidence_id=evidence_id)
    notes = {
        event.data.get("version"): event.data.get("note", "")
        for event in AuditEvent.objects.filter(
            firm=firm, verb="evidence.changed", data__evidence_id=evidence_id
        )
    }
    items = []
    for index, entry in enumerate(versions):
        previous = versions[index + 1] if index + 1 < len(versions) else None
        items.append(
            EvidenceVersionItem(
                entry=entry, diff=_evidence_diff(previous, entry), note=notes.get(entry.version, "")
            )
        )
    return items


def evidence_for_engine(*, firm: Firm) -> list[Evidence]:
    """The firm's current, non-retired evidence as engine values, for grounding checks and
    reports. A firm whose library was never seeded gets the shipped library it would be seeded
    with."""
    entries = list(_current_entries(firm).filter(retired_at__isnull=True).order_by("evidence_id"))
    if not entries and not EvidenceEntry.objects.filter(firm=firm).exists():
        return load_evidence()
    return [
        Evidence.from_dict(
            {
                "id": e.evidence_id,
                "title": e.title,
                "claim": e.claim,
                "source": e.source,
                "date": e.date or None,
                "url": e.url or None,
                "figures": e.figures or [],
            }
        )
        for e in entries
    ]


def library_audit(*, firm: Firm, limit: int = 10) -> list[AuditEvent]:
    """Recent library changes, newest first."""
    return list(
        AuditEvent.objects.filter(firm=firm)
        .filter(Q(verb__startswith="price_book.") | Q(verb__startswith="evidence."))
        .select_related("actor")[:limit]
    )
