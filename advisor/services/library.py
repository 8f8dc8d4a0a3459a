"""Writes to a firm's library: its versioned price books and its evidence entries.

Nothing here edits a price book in place: a change copies the base version's document, applies
one or more changes, validates the result with the engine (`PriceBook.from_dict`) and stores it
as the slug's next version. Evidence works the same way per entry; retiring only flags the
current version, so a retired entry can be restored and its history is never lost.

Errors are `ValidationError`s keyed by the form field that holds the bad value, so a form can
show them beside the input and keep what was typed. The key names are part of this module's
contract: `name`, `kind`, `label`, `fine_tuning_closes`, `shutdown`, `<price>_price`,
`<price>_source`, `<price>_checked`, `<price>_effective`, the `DEFAULT_FIELDS` keys, `note`.
See docs/LIBRARY.md for the decisions behind the rules.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from advisor.engine import PriceBook, PriceBookError, available_price_books, load_evidence
from advisor.engine import load_price_book as load_shipped_price_book
from advisor.engine.numbers import json_number
from advisor.engine.pricebook import CHAT_PRICE_KEYS, MAX_BOOK_FIGURE, MODEL_KINDS, OPTIONS
from advisor.models import EvidenceEntry, PriceBookVersion
from advisor.services.audit import audit_log
from advisor.services.price_books import DEFAULT_PRICE_BOOK
from advisor.services.reassessment import reassess_firm_on_commit
from projects.models import EngagementStatus, Firm, ProfileVersion, User

SEED_NOTE = "Forkcast's shipped defaults"
NOTE_MAX = 300

PRICE_LABELS = {
    "input": "Input",
    "output": "Output",
    "fine_tuned_input": "Fine-tuned input",
    "fine_tuned_output": "Fine-tuned output",
    "training": "Training",
    "embedding": "Embedding",
}
BASE_CHAT_PRICES = ("input", "output")
FINE_TUNING_PRICES = ("fine_tuned_input", "fine_tuned_output", "training")
# The engine needs every chat model's fine-tuning prices even when the model cannot be
# fine-tuned (the cost model still computes the option; the lifecycle guard blocks it). These
# placeholders keep that arithmetic defined and say so wherever a source is shown.
NOT_FINE_TUNABLE_SOURCE = "Not fine-tunable: placeholder so the cost model stays defined"

MODEL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,79}$")
EVIDENCE_ID = re.compile(r"^E-[A-Z0-9]+(?:-[A-Z0-9]+)*$")
EVIDENCE_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
MAX_FIGURES = 40
FIGURE_SPLIT = re.compile(r"[;,]\s*|\s+")
# "5,000" would split into 5 and 0 without a word; it is refused instead.
THOUSANDS = re.compile(r"\d,\d{3}(?!\d)")


# --- cost defaults: one spec for the service, the form and the diff ----------------------------


@dataclass(frozen=True)
class DefaultField:
    """One editable figure of a book's cost defaults: its form key and where it lives."""

    key: str
    path: tuple[str, ...]
    label: str
    group: str
    integer: bool = False
    minimum: Decimal = Decimal(0)
    maximum: Decimal = MAX_BOOK_FIGURE
    unit: str = ""


OPTION_NAMES = {
    "prompt_only": "Prompt-only",
    "rag": "RAG",
    "fine_tuning": "Fine-tuning",
    "hybrid": "Hybrid",
}
SPAN_ENDS = (("low", "low"), ("point", "point"), ("high", "high"))


def _span_fields(key: str, path: tuple[str, ...], label: str, group: str, unit: str) -> list:
    return [
        DefaultField(f"{key}__{end}", (*path, end), f"{label} ({word})", group, unit=unit)
        for end, word in SPAN_ENDS
    ]


def _default_fields() -> tuple[DefaultField, ...]:
    training = "Training"
    fields: list[DefaultField] = [
        DefaultField(
            key="epochs",
            path=("epochs",),
            label="Epochs per training run",
            group=training,
            integer=True,
            minimum=Decimal(1),
            maximum=Decimal(100),
        ),
        DefaultField(
            key="initial_training_runs",
            path=("initial_training_runs",),
            label="Initial training runs",
            group=training,
            integer=True,
            maximum=Decimal(100),
        ),
        DefaultField(
            key="retraining_runs_per_year",
            path=("retraining_runs_per_year",),
            label="Retraining runs a year",
            group=training,
            maximum=Decimal(365),
        ),
    ]
    fields += _span_fields(
        "vector_hosting",
        ("vector_hosting_usd_per_month",),
        "Vector hosting",
        "Retrieval",
        "USD/month",
    )
    for option in OPTIONS:
        fields += _span_fields(
            f"build_days__{option}",
            ("build_days", option),
            OPTION_NAMES[option],
            "Build days",
            "days",
        )
    fields += [
        DefaultField(
            key=f"maintenance__{option}",
            path=("maintenance_days_per_month", option),
            label=OPTION_NAMES[option],
            group="Maintenance days a month",
            maximum=Decimal(31),
            unit="days",
        )
        for option in OPTIONS
    ]
    for key, name, label, unit in (
        ("lora_run", "lora_run_usd", "7B LoRA run", "USD"),
        ("peft_65b_run", "peft_65b_run_usd", "65B PEFT run", "USD"),
        ("serving", "serving_usd_per_instance_month", "GPU serving", "USD/month"),
    ):
        fields += _span_fields(key, ("self_hosted", name), label, "Self-hosted", unit)
    fields.append(
        DefaultField(
            key="tokens_per_instance_month",
            path=("self_hosted", "tokens_per_instance_month"),
            label="Tokens one instance serves a month",
            group="Self-hosted",
            integer=True,
            minimum=Decimal(1),
        )
    )
    return tuple(fields)


DEFAULT_FIELDS: tuple[DefaultField, ...] = _default_fields()
DEFAULT_FIELDS_BY_KEY = {f.key: f for f in DEFAULT_FIELDS}
# The book-level settings that the defaults form also carries.
BOOK_SETTINGS = ("name", "default_model", "default_embedding_model")


def default_value(data: Mapping[str, Any], spec: DefaultField) -> Any:
    """The current value of one cost default in a book document."""
    node: Any = data["defaults"]
    for part in spec.path:
        node = node[part]
    return node


# --- changes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PriceInput:
    """One price as typed: the amount per 1M tokens, where it comes from, checked, effective."""

    usd_per_1m_tokens: Any
    source: str = ""
    checked: date | None = None
    effective: date | None = None


@dataclass(frozen=True)
class ModelInput:
    name: str
    kind: str
    label: str = ""
    prices: Mapping[str, PriceInput] = field(default_factory=dict)
    fine_tunable: bool = True
    fine_tuning_closes: date | None = None
    shutdown: date | None = None


@dataclass(frozen=True)
class AddModel:
    model: ModelInput


@dataclass(frozen=True)
class EditModel:
    """Replace a model's label, prices, fine-tunability and lifecycle dates (not its name or
    kind: profiles name models, and the defaults depend on the kind)."""

    model: ModelInput


@dataclass(frozen=True)
class RetireModel:
    name: str


@dataclass(frozen=True)
class ChangeDefaults:
    """New values keyed by `DEFAULT_FIELDS` keys or `BOOK_SETTINGS`; absent keys are kept."""

    values: Mapping[str, Any]


BookChange = AddModel | EditModel | RetireModel | ChangeDefaults


class _Errors:
    """Collects per-field messages; raises them all at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _number(value: Any, key: str, errors: _Errors, *, what: str = "a number") -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.add(key, f"Enter {what}.")
        return None
    if isinstance(value, bool):
        errors.add(key, "Enter a number, e.g. 2.50.")
        return None
    try:
        number = Decimal(value.strip()) if isinstance(value, str) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        errors.add(key, "Enter a number, e.g. 2.50.")
        return None
    if not number.is_finite():
        errors.add(key, "Enter a number, e.g. 2.50.")
        return None
    return number


def _price(key: str, price: PriceInput | None, errors: _Errors) -> dict[str, Any] | None:
    """A validated price in the engine's document shape, or None (errors recorded)."""
    price = price or PriceInput(None)
    ok = True
    amount = _number(
        price.usd_per_1m_tokens, f"{key}_price", errors, what="the price per 1M tokens"
    )
    if amount is None:
        ok = False
    elif amount < 0:
        errors.add(f"{key}_price", "A price cannot be negative.")
        ok = False
    elif amount > MAX_BOOK_FIGURE:
        errors.add(
            f"{key}_price", "That price is implausibly high; check the unit (per 1M tokens)."
        )
        ok = False
    source = (price.source or "").strip()
    if not source:
        errors.add(f"{key}_source", "Say where this price comes from (a URL or a document).")
        ok = False
    elif len(source) > 500:
        errors.add(f"{key}_source", "Keep the source under 500 characters.")
        ok = False
    if price.checked is None:
        errors.add(f"{key}_checked", "Give the date you checked this price.")
        ok = False
    elif price.checked > timezone.localdate():
        errors.add(f"{key}_checked", "The date checked cannot be in the future.")
        ok = False
    if price.effective is None:
        errors.add(f"{key}_effective", "Give the date this price takes effect.")
        ok = False
    if not ok or amount is None or price.checked is None or price.effective is None:
        return None
    return {
        "usd_per_1m_tokens": json_number(amount),
        "source": source,
        "checked": price.checked.isoformat(),
        "effective": price.effective.isoformat(),
    }


def _model_document(model: ModelInput, errors: _Errors) -> dict[str, Any] | None:
    """The engine's document for one model, or None (errors recorded)."""
    if model.kind not in MODEL_KINDS:
        errors.add("kind", "Choose chat or embedding.")
        return None
    label = (model.label or "").strip() or model.name
    if len(label) > 80:
        errors.add("label", "Keep the label under 80 characters.")
    chat = model.kind == "chat"
    fine_tunable = chat and model.fine_tunable
    needed = (
        (*BASE_CHAT_PRICES, *FINE_TUNING_PRICES)
        if fine_tunable
        else BASE_CHAT_PRICES
        if chat
        else ("embedding",)
    )
    prices = {key: _price(key, model.prices.get(key), errors) for key in needed}
    if chat and not fine_tunable and all(prices.values()):
        for key, base in (
            ("fine_tuned_input", "input"),
            ("fine_tuned_output", "output"),
            ("training", None),
        ):
            base_price = prices[base] if base else None
            prices[key] = {
                "usd_per_1m_tokens": base_price["usd_per_1m_tokens"] if base_price else 0,
                "source": NOT_FINE_TUNABLE_SOURCE,
                "checked": None,
                "effective": None,
            }
    closes = model.fine_tuning_closes if fine_tunable else None
    if closes and model.shutdown and closes > model.shutdown:
        errors.add(
            "fine_tuning_closes", "Fine-tuning cannot close after the model itself shuts down."
        )
    if errors.errors:
        return None
    return {
        "kind": model.kind,
        "label": label,
        "fine_tunable": fine_tunable,
        "fine_tuning_closes": closes.isoformat() if closes else None,
        "shutdown": model.shutdown.isoformat() if model.shutdown else None,
        "prices": {key: prices[key] for key in (*CHAT_PRICE_KEYS, "embedding") if key in prices},
    }


def _models_in_open_engagements(firm: Firm, name: str) -> int:
    """How many open engagements' latest profiles name this model (their re-assessment would
    fail validation if the model left the active book)."""
    latest = (
        ProfileVersion.objects.filter(firm=firm, engagement=OuterRef("engagement"))
        .order_by("-number")
        .values("pk")[:1]
    )
    versions = ProfileVersion.objects.filter(firm=firm, pk=Subquery(latest)).exclude(
        engagement__status=EngagementStatus.CLOSED
    )
    return sum(
        1
        for profile in versions.values_list("profile", flat=True)
        if isinstance(profile, dict)
        and name in (profile.get("model"), profile.get("embedding_model"))
    )


def _apply_defaults(data: dict[str, Any], values: Mapping[str, Any], errors: _Errors) -> None:
    for key in values:
        if key not in DEFAULT_FIELDS_BY_KEY and key not in BOOK_SETTINGS:
            errors.add(NON_FIELD_ERRORS, f"Unknown setting {key!r}.")
    if "name" in values:
        name = str(values["name"] or "").strip()
        if not name:
            errors.add("name", "Give the book a name.")
        elif len(name) > 120:
            errors.add("name", "Keep the name under 120 characters.")
        else:
            data["name"] = name
    for key, kind in (("default_model", "chat"), ("default_embedding_model", "embedding")):
        if key in values:
            chosen = str(values[key] or "")
            model = data["models"].get(chosen)
            if model is None or model["kind"] != kind:
                errors.add(key, f"Choose one of the book's {kind} models.")
            else:
                data[key] = chosen
    parsed: dict[str, Decimal] = {}
    for key, value in values.items():
        spec = DEFAULT_FIELDS_BY_KEY.get(key)
        if spec is None:
            continue
        number = _number(value, key, errors)
        if number is None:
            continue
        if spec.integer and number != number.to_integral_value():
            errors.add(key, "Enter a whole number.")
        elif number < spec.minimum:
            errors.add(key, f"Enter at least {json_number(spec.minimum)}.")
        elif number > spec.maximum:
            errors.add(key, f"Enter at most {json_number(spec.maximum):,}.")
        else:
            parsed[key] = number
    for key, number in parsed.items():
        spec = DEFAULT_FIELDS_BY_KEY[key]
        node = data["defaults"]
        for part in spec.path[:-1]:
            node = node[part]
        node[spec.path[-1]] = int(number) if spec.integer else json_number(number)
    # Ranges: low <= point <= high, checked on the result so a partial change is checked too.
    for spec in DEFAULT_FIELDS:
        if not spec.key.endswith("__point"):
            continue
        stem = spec.key[: -len("__point")]
        span = default_value(data, DEFAULT_FIELDS_BY_KEY[f"{stem}__low"])
        low = Decimal(str(span))
        point = Decimal(str(default_value(data, spec)))
        high = Decimal(str(default_value(data, DEFAULT_FIELDS_BY_KEY[f"{stem}__high"])))
        if not low <= point <= high:
            errors.add(spec.key, "Keep low ≤ point ≤ high.")


def _apply(firm: Firm, data: dict[str, Any], change: BookChange, errors: _Errors) -> str:
    """Apply one change to a book document in place; returns what it did, in words."""
    models = data["models"]
    if isinstance(change, AddModel):
        model = change.model
        name = (model.name or "").strip()
        if not MODEL_NAME.match(name):
            errors.add(
                "name",
                "Use the provider's model id: letters, digits and . _ : / - (up to 80).",
            )
        elif name in models:
            errors.add("name", f"The book already has a model named {name}.")
        document = _model_document(replace(model, name=name), errors)
        if document is not None and not errors.errors:
            models[name] = document
        return f"added model {name}"
    if isinstance(change, EditModel):
        model = change.model
        current = models.get(model.name)
        if current is None:
            errors.add(NON_FIELD_ERRORS, f"The book has no model named {model.name}.")
            return ""
        if model.kind != current["kind"]:
            errors.add("kind", "A model's kind cannot change; add a new model instead.")
            return ""
        document = _model_document(model, errors)
        if document is not None and not errors.errors:
            models[model.name] = document
        return f"changed model {model.name}"
    if isinstance(change, RetireModel):
        name = change.name
        if name not in models:
            errors.add(NON_FIELD_ERRORS, f"The book has no model named {name}.")
            return ""
        if name in (data["default_model"], data["default_embedding_model"]):
            errors.add(
                NON_FIELD_ERRORS,
                f"{name} is the book's default model; make another model the default first.",
            )
            return ""
        in_use = _models_in_open_engagements(firm, name)
        if in_use:
            who = "1 open engagement names" if in_use == 1 else f"{in_use} open engagements name"
            errors.add(
                NON_FIELD_ERRORS,
                f"{who} {name} in the latest profile; change those profiles or close the "
                "engagements first, or record a shutdown date instead.",
            )
            return ""
        del models[name]
        return f"retired model {name}"
    if isinstance(change, ChangeDefaults):
        _apply_defaults(data, change.values, errors)
        return "changed the cost defaults"
    raise TypeError(f"not a price-book change: {change!r}")


# --- seeding ------------------------------------------------------------------------------------


def library_seed(*, firm: Firm) -> None:
    """Give the firm the engine's shipped books and evidence it does not have yet. Idempotent.

    Each shipped book slug the firm has never had becomes its version 1 (the default book
    active when the firm has no active book); each shipped evidence id the firm has never had
    becomes version 1 of that entry. A firm's own changes are never touched.
    """
    have_slugs = set(
        PriceBookVersion.objects.filter(firm=firm).values_list("slug", flat=True).distinct()
    )
    has_active = PriceBookVersion.objects.filter(firm=firm, is_active=True).exists()
    for slug in available_price_books():
        if slug in have_slugs:
            continue
        book = load_shipped_price_book(slug)
        activate = not has_active and slug == DEFAULT_PRICE_BOOK
        try:
            # A savepoint: a concurrent request seeding the same firm wins the unique
            # constraint, and this one simply carries on with what it wrote.
            with transaction.atomic():
                PriceBookVersion.objects.create(
                    firm=firm,
                    slug=book.slug,
                    version=1,
                    name=book.name,
                    data={**book.to_dict(), "version": 1},
                    is_active=activate,
                    change_note=SEED_NOTE,
                )
        except IntegrityError:
            continue
        has_active = has_active or activate
    if not has_active:
        _activate_fallback(firm)
    have_ids = set(
        EvidenceEntry.objects.filter(firm=firm).values_list("evidence_id", flat=True).distinct()
    )
    missing = [item for item in load_evidence() if item.id not in have_ids]
    if missing:
        try:
            with transaction.atomic():
                EvidenceEntry.objects.bulk_create(
                    [
                        EvidenceEntry(
                            firm=firm,
                            evidence_id=item.id,
                            version=1,
                            title=item.title,
                            claim=item.claim,
                            source=item.source,
                            url=item.url or "",
                            date=item.date or "",
                            figures=[json_number(value) for value in item.figures],
                        )
                        for item in missing
                    ]
                )
        except IntegrityError:
            pass


def _activate_fallback(firm: Firm) -> None:
    """A firm with books but none active (only possible by hand): the default book's latest
    version, else the newest version of any book, becomes active."""
    if PriceBookVersion.objects.filter(firm=firm, is_active=True).exists():
        return
    versions = PriceBookVersion.objects.filter(firm=firm)
    chosen = (
        versions.filter(slug=DEFAULT_PRICE_BOOK).order_by("-version").first()
        or versions.order_by("-created_at", "-pk").first()
    )
    if chosen is not None:
        try:
            with transaction.atomic():
                versions.filter(pk=chosen.pk).update(is_active=True)
        except IntegrityError:
            pass


# --- price books --------------------------------------------------------------------------------


def _check_note(note: str, errors: _Errors) -> str:
    note = (note or "").strip()
    if not note:
        errors.add("note", "Say what changed and why; the note stays with the version.")
    elif len(note) > NOTE_MAX:
        errors.add("note", f"Keep the note under {NOTE_MAX} characters.")
    return note


def _locked_books(firm: Firm) -> list[PriceBookVersion]:
    # Every book row of the firm, locked: version numbers and the one active book are decided
    # by whoever holds the lock, so concurrent changes queue instead of colliding.
    return list(
        PriceBookVersion.objects.select_for_update()
        .filter(firm=firm)
        .order_by("slug", "-version")
        .only("pk", "slug", "version", "is_active")
    )


def _comparable(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "version"}


@transaction.atomic
def price_book_change(
    *,
    firm: Firm,
    base: PriceBookVersion,
    changes: BookChange | Sequence[BookChange],
    note: str,
    user: User | None,
) -> PriceBookVersion:
    """Write the next version of `base`'s book with the changes applied; `base` is untouched.

    The new version is active if `base` was (the firm's engagements are then re-assessed). A
    change must start from the book's latest version or its active one, so two people editing
    the same version cannot silently overwrite each other: the second is told to reload.
    """
    if base.firm_id != firm.pk:
        raise PriceBookVersion.DoesNotExist("The price book belongs to another firm.")
    change_list = [changes] if not isinstance(changes, Sequence) else list(changes)
    errors = _Errors()
    note = _check_note(note, errors)
    rows = _locked_books(firm)
    fresh = next((row for row in rows if row.pk == base.pk), None)
    if fresh is None:
        raise PriceBookVersion.DoesNotExist("No such price book version.")
    latest = max(row.version for row in rows if row.slug == base.slug)
    if fresh.version != latest and not fresh.is_active:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: (
                    f"{base.slug}@{base.version} is no longer current: version {latest} was saved "
                    "since. Open that version and make the change there."
                )
            }
        )
    # The stored document, not the caller's copy: what the new version is derived from.
    stored = PriceBookVersion.objects.get(firm=firm, pk=base.pk).data
    data = copy.deepcopy(stored)
    did = [_apply(firm, data, change, errors) for change in change_list]
    errors.raise_if_any()
    if _comparable(data) == _comparable(stored):
        raise ValidationError({NON_FIELD_ERRORS: "Nothing changed, so no new version was saved."})
    number = latest + 1
    data["version"] = number
    try:
        book = PriceBook.from_dict(data)
    except PriceBookError as error:
        raise ValidationError({NON_FIELD_ERRORS: f"The book would not be valid: {error}"}) from None
    was_active = fresh.is_active
    if was_active:
        # The one-active constraint is checked per statement: clear the old flag first.
        PriceBookVersion.objects.filter(firm=firm, is_active=True).update(is_active=False)
    version = PriceBookVersion.objects.create(
        firm=firm,
        slug=base.slug,
        version=number,
        name=book.name,
        data=book.to_dict(),
        is_active=was_active,
        change_note=note,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    what = "; ".join(filter(None, did))
    audit_log(
        firm=firm,
        verb="price_book.changed",
        summary=f"{version.key}: {what} — {note}",
        actor=user,
        data={
            "price_book": version.key,
            "based_on": base.key,
            "changes": did,
            "note": note,
            "active": was_active,
        },
    )
    if was_active:
        reassess_firm_on_commit(firm=firm, reason="price_book")
    return version


@transaction.atomic
def price_book_activate(
    *, firm: Firm, version: PriceBookVersion, user: User | None = None
) -> PriceBookVersion:
    """Make `version` the book the firm's assessments use; the firm's open engagements are
    re-assessed. Activating the active version changes nothing."""
    if version.firm_id != firm.pk:
        raise PriceBookVersion.DoesNotExist("The price book belongs to another firm.")
    rows = _locked_books(firm)
    fresh = next((row for row in rows if row.pk == version.pk), None)
    if fresh is None:
        raise PriceBookVersion.DoesNotExist("No such price book version.")
    if fresh.is_active:
        version.is_active = True
        return version
    previous = next((row for row in rows if row.is_active), None)
    PriceBookVersion.objects.filter(firm=firm, is_active=True).update(is_active=False)
    PriceBookVersion.objects.filter(firm=firm, pk=version.pk).update(is_active=True)
    version.is_active = True
    was = f"{previous.slug}@{previous.version}" if previous else "none"
    audit_log(
        firm=firm,
        verb="price_book.activated",
        summary=f"Activated {version.key} (was {was})",
        actor=user,
        data={"price_book": version.key, "previous": was},
    )
    reassess_firm_on_commit(firm=firm, reason="price_book")
    return version


# --- evidence -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _EvidenceFields:
    title: str
    claim: str
    source: str
    url: str
    date: str
    figures: list[int | float]


def _evidence_fields(
    *, title: str, claim: str, source: str, url: str, date: str, figures: Sequence[Any] | str
) -> _EvidenceFields:
    errors = _Errors()
    title, claim, source = (title or "").strip(), (claim or "").strip(), (source or "").strip()
    url, when = (url or "").strip(), (date or "").strip()
    if not title:
        errors.add("title", "Give the entry a short title.")
    elif len(title) > 200:
        errors.add("title", "Keep the title under 200 characters.")
    if not claim:
        errors.add("claim", "State the claim, with its figures, as the source makes it.")
    if not source:
        errors.add("source", "Name the source: who published it, and where.")
    elif len(source) > 300:
        errors.add("source", "Keep the source under 300 characters.")
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors.add("url", "Enter a full web address starting with https://.")
        if len(url) > 200:
            errors.add("url", "Keep the address under 200 characters.")
    if not when:
        errors.add("date", "Give the date it was published: YYYY, YYYY-MM or YYYY-MM-DD.")
    elif not EVIDENCE_DATE.match(when) or not _real_date(when):
        errors.add("date", "Use YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2024-11-20.")
    numbers: list[int | float] = []
    if isinstance(figures, str):
        if THOUSANDS.search(figures):
            errors.add(
                "figures", "Write 5000, not 5,000: commas separate one figure from the next."
            )
            figures = []
        else:
            figures = [part for part in FIGURE_SPLIT.split(figures.strip()) if part]
    if len(figures) > MAX_FIGURES:
        errors.add("figures", f"Keep to {MAX_FIGURES} figures.")
    for value in figures:
        bad = _Errors()
        number = _number(value, "figures", bad)
        if number is None:
            errors.add("figures", f"{value!r} is not a number.")
        elif abs(number) > MAX_BOOK_FIGURE:
            errors.add("figures", f"{value} is too large.")
        else:
            numbers.append(json_number(number))
    errors.raise_if_any()
    return _EvidenceFields(title, claim, source, url, when, numbers)


def _real_date(text: str) -> bool:
    parts = [int(p) for p in text.split("-")]
    try:
        date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return False
    return True


def _current_version(firm: Firm, evidence_id: str, *, lock: bool = False) -> EvidenceEntry:
    queryset = EvidenceEntry.objects.filter(firm=firm, evidence_id=evidence_id)
    if lock:
        queryset = queryset.select_for_update()
    entry = queryset.order_by("-version").first()
    if entry is None:
        raise EvidenceEntry.DoesNotExist(f"No evidence {evidence_id}.")
    return entry


def normalise_evidence_id(raw: str) -> str:
    return (raw or "").strip().upper()


@transaction.atomic
def evidence_add(
    *,
    firm: Firm,
    evidence_id: str,
    title: str,
    claim: str,
    source: str,
    url: str,
    date: str,
    figures: Sequence[Any] | str,
    user: User | None,
) -> EvidenceEntry:
    """Add a new entry as its version 1; ids are upper-case `E-…` and unique in the firm."""
    evidence_id = normalise_evidence_id(evidence_id)
    id_error = ""
    if not EVIDENCE_ID.match(evidence_id) or len(evidence_id) > 40:
        id_error = "Use an id like E-PRICING: E- then capital letters, digits and hyphens."
    elif EvidenceEntry.objects.filter(firm=firm, evidence_id=evidence_id).exists():
        retired = _current_version(firm, evidence_id).retired_at is not None
        id_error = f"{evidence_id} already exists" + (
            " (retired: restore it instead)." if retired else "; edit it to make a new version."
        )
    try:
        fields = _evidence_fields(
            title=title, claim=claim, source=source, url=url, date=date, figures=figures
        )
    except ValidationError as error:
        if id_error:
            error.error_dict.setdefault("evidence_id", []).append(ValidationError(id_error))
        raise
    if id_error:
        raise ValidationError({"evidence_id": id_error})
    try:
        with transaction.atomic():
            entry = EvidenceEntry.objects.create(
                firm=firm,
                evidence_id=evidence_id,
                version=1,
                created_by=user if user is not None and user.is_authenticated else None,
                **fields.__dict__,
            )
    except IntegrityError:
        raise ValidationError(
            {"evidence_id": f"{evidence_id} was just added by someone else."}
        ) from None
    audit_log(
        firm=firm,
        verb="evidence.added",
        summary=f"Added {evidence_id} “{entry.title}”",
        actor=user,
        data={"evidence_id": evidence_id, "version": 1},
    )
    return entry


@transaction.atomic
def evidence_change(
    *,
    firm: Firm,
    entry: EvidenceEntry,
    title: str,
    claim: str,
    source: str,
    url: str,
    date: str,
    figures: Sequence[Any] | str,
    user: User | None,
    note: str = "",
) -> EvidenceEntry:
    """Save a new version of the entry; `entry` is the version the edit started from and must
    still be the current one (else someone saved in between, and the editor must reload)."""
    if entry.firm_id != firm.pk:
        raise EvidenceEntry.DoesNotExist("The evidence belongs to another firm.")
    current = _current_version(firm, entry.evidence_id, lock=True)
    if current.version != entry.version:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: (
                    f"{entry.evidence_id} was changed while you edited it (now version "
                    f"{current.version}). Reload to see it, then make your change."
                )
            }
        )
    if current.retired_at is not None:
        raise ValidationError({NON_FIELD_ERRORS: "Restore this entry before editing it."})
    fields = _evidence_fields(
        title=title, claim=claim, source=source, url=url, date=date, figures=figures
    )
    note = (note or "").strip()[:NOTE_MAX]
    unchanged = all(getattr(current, name) == value for name, value in fields.__dict__.items())
    if unchanged:
        raise ValidationError({NON_FIELD_ERRORS: "Nothing changed, so no new version was saved."})
    changed = [name for name, value in fields.__dict__.items() if getattr(current, name) != value]
    new = EvidenceEntry.objects.create(
        firm=firm,
        evidence_id=current.evidence_id,
        version=current.version + 1,
        created_by=user if user is not None and user.is_authenticated else None,
        **fields.__dict__,
    )
    audit_log(
        firm=firm,
        verb="evidence.changed",
        summary=f"{new.evidence_id} v{new.version}: changed {', '.join(changed)}"
        + (f" — {note}" if note else ""),
        actor=user,
        data={
            "evidence_id": new.evidence_id,
            "version": new.version,
            "changed": changed,
            "note": note,
        },
    )
    return new


@transaction.atomic
def evidence_retire(*, firm: Firm, entry: EvidenceEntry, user: User | None) -> EvidenceEntry:
    """Retire the entry (its current version is flagged): rules' citations of it stay readable,
    but grounding no longer accepts it. Retiring a retired entry changes nothing."""
    if entry.firm_id != firm.pk:
        raise EvidenceEntry.DoesNotExist("The evidence belongs to another firm.")
    current = _current_version(firm, entry.evidence_id, lock=True)
    if current.retired_at is None:
        current.retired_at = timezone.now()
        current.save(update_fields=["retired_at"])
        audit_log(
            firm=firm,
            verb="evidence.retired",
            summary=f"Retired {current.evidence_id} “{current.title}”",
            actor=user,
            data={"evidence_id": current.evidence_id, "version": current.version},
        )
    return current


@transaction.atomic
def evidence_restore(*, firm: Firm, entry: EvidenceEntry, user: User | None) -> EvidenceEntry:
    """Bring a retired entry back as it was when retired."""
    if entry.firm_id != firm.pk:
        raise EvidenceEntry.DoesNotExist("The evidence belongs to another firm.")
    current = _current_version(firm, entry.evidence_id, lock=True)
    if current.retired_at is not None:
        current.retired_at = None
        current.save(update_fields=["retired_at"])
        audit_log(
            firm=firm,
            verb="evidence.restored",
            summary=f"Restored {current.evidence_id} “{current.title}”",
            actor=user,
            data={"evidence_id": current.evidence_id, "version": current.version},
        )
    return current
