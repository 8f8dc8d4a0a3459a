"""Price books: per-model token prices with their sources, and the cost model's defaults.

A price book is versioned and never edited in place (DESIGN §7); an assessment names it as
`slug@version`. The default books ship as JSON files beside this module, so the engine works with
no database; the Django side stores further books and hands them in through `PriceBook.from_dict`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

from advisor.engine.numbers import json_number, to_decimal

OPTIONS = ("prompt_only", "rag", "fine_tuning", "hybrid")
CHAT_PRICE_KEYS = ("input", "output", "fine_tuned_input", "fine_tuned_output", "training")
EMBEDDING_PRICE_KEYS = ("embedding",)
MODEL_KINDS = ("chat", "embedding")


class PriceBookError(ValueError):
    """A price book document that does not have the shape the engine needs."""


class UnknownPriceBook(LookupError):
    """No shipped price book has that slug."""

    def __init__(self, slug: str) -> None:
        self.slug = slug
        known = ", ".join(available_price_books()) or "none"
        super().__init__(f"unknown price book {slug!r} (available: {known})")


@dataclass(frozen=True)
class Price:
    """One token price, with where it came from, when it was checked and when it applies."""

    usd_per_1m_tokens: Decimal
    source: str
    checked: date | None = None
    effective: date | None = None


@dataclass(frozen=True)
class ModelEntry:
    """A model of the book: its kind, prices and the provider's wind-down dates if announced."""

    name: str
    kind: str
    label: str
    prices: Mapping[str, Price]
    fine_tunable: bool = False
    fine_tuning_closes: date | None = None
    shutdown: date | None = None

    def price(self, key: str) -> Decimal:
        return self.prices[key].usd_per_1m_tokens


@dataclass(frozen=True)
class Span:
    """A figure the article gives as a range, with the point the cost model uses."""

    low: Decimal
    point: Decimal
    high: Decimal
    source: str = ""


@dataclass(frozen=True)
class CostDefaults:
    """Assumptions of the cost model that belong to a price book rather than to a client."""

    epochs: int
    initial_training_runs: int
    retraining_runs_per_year: Decimal
    vector_hosting_usd_per_month: Span
    build_days: Mapping[str, Span]
    maintenance_days_per_month: Mapping[str, Decimal]
    lora_run_usd: Span
    peft_65b_run_usd: Span
    serving_usd_per_instance_month: Span
    tokens_per_instance_month: int
    sources: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PriceBook:
    slug: str
    version: int
    name: str
    currency: str
    default_model: str
    default_embedding_model: str
    models: Mapping[str, ModelEntry]
    defaults: CostDefaults

    @property
    def key(self) -> str:
        """How an assessment names the book it used: `slug@version`."""
        return f"{self.slug}@{self.version}"

    def chat_models(self) -> list[str]:
        return [name for name, entry in self.models.items() if entry.kind == "chat"]

    def embedding_models(self) -> list[str]:
        return [name for name, entry in self.models.items() if entry.kind == "embedding"]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PriceBook:
        """Build a book from its JSON document; `PriceBookError` names what is wrong."""
        try:
            return _book_from_dict(data)
        except PriceBookError:
            raise
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            raise PriceBookError(f"malformed price book: {exc!r}") from exc

    def to_dict(self) -> dict[str, Any]:
        """The JSON document `from_dict` reads (round-trips)."""
        d = self.defaults
        return {
            "slug": self.slug,
            "version": self.version,
            "name": self.name,
            "currency": self.currency,
            "default_model": self.default_model,
            "default_embedding_model": self.default_embedding_model,
            "models": {name: _model_to_dict(entry) for name, entry in self.models.items()},
            "defaults": {
                "epochs": d.epochs,
                "initial_training_runs": d.initial_training_runs,
                "retraining_runs_per_year": json_number(d.retraining_runs_per_year),
                "vector_hosting_usd_per_month": _span_to_dict(d.vector_hosting_usd_per_month),
                "build_days": {
                    **{option: _span_to_dict(span) for option, span in d.build_days.items()},
                    **_source_entry(d.sources.get("build_days")),
                },
                "maintenance_days_per_month": {
                    **{
                        option: json_number(days)
                        for option, days in d.maintenance_days_per_month.items()
                    },
                    **_source_entry(d.sources.get("maintenance_days_per_month")),
                },
                "self_hosted": {
                    "lora_run_usd": _span_to_dict(d.lora_run_usd),
                    "peft_65b_run_usd": _span_to_dict(d.peft_65b_run_usd),
                    "serving_usd_per_instance_month": _span_to_dict(
                        d.serving_usd_per_instance_month
                    ),
                    "tokens_per_instance_month": d.tokens_per_instance_month,
                    **_source_entry(d.sources.get("self_hosted")),
                },
            },
        }


def available_price_books() -> list[str]:
    """Slugs of the books shipped with the engine."""
    folder = resources.files("advisor.engine") / "data" / "price_books"
    return sorted(p.name[: -len(".json")] for p in folder.iterdir() if p.name.endswith(".json"))


def load_price_book(slug: str = "openai-2024") -> PriceBook:
    """A shipped price book by slug; `UnknownPriceBook` if there is none."""
    return _load_price_book(slug)


@lru_cache(maxsize=16)
def _load_price_book(slug: str) -> PriceBook:
    # Books are immutable values, so one parsed copy per slug serves every caller.
    if slug not in available_price_books():
        raise UnknownPriceBook(slug)
    path = resources.files("advisor.engine") / "data" / "price_books" / f"{slug}.json"
    return PriceBook.from_dict(json.loads(path.read_text(encoding="utf-8")))


# --- parsing ------------------------------------------------------------------------------------


def _date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(value)


# Far above any real price or figure; keeps the cost model's arithmetic finite and exact.
MAX_BOOK_FIGURE = Decimal(10**9)


def _positive_decimal(value: Any, what: str) -> Decimal:
    number = to_decimal(value)
    if not number.is_finite() or number < 0 or number > MAX_BOOK_FIGURE:
        raise PriceBookError(f"{what} must be a number from 0 to {MAX_BOOK_FIGURE:,}")
    return number


def _span(data: Mapping[str, Any], what: str) -> Span:
    low = _positive_decimal(data["low"], f"{what}.low")
    high = _positive_decimal(data["high"], f"{what}.high")
    point = _positive_decimal(data.get("point", (low + high) / 2), f"{what}.point")
    if not low <= point <= high:
        raise PriceBookError(f"{what} must have low <= point <= high")
    return Span(low=low, point=point, high=high, source=str(data.get("source", "")))


def _book_from_dict(data: Mapping[str, Any]) -> PriceBook:
    if not isinstance(data, Mapping):
        raise PriceBookError("a price book is a JSON object")
    models: dict[str, ModelEntry] = {}
    for name, raw in data["models"].items():
        kind = raw["kind"]
        if kind not in MODEL_KINDS:
            raise PriceBookError(f"model {name}: kind must be one of {', '.join(MODEL_KINDS)}")
        needed = CHAT_PRICE_KEYS if kind == "chat" else EMBEDDING_PRICE_KEYS
        prices = {
            key: Price(
                usd_per_1m_tokens=_positive_decimal(p["usd_per_1m_tokens"], f"{name}.{key}"),
                source=str(p.get("source", "")),
                checked=_date(p.get("checked")),
                effective=_date(p.get("effective")),
            )
            for key, p in raw["prices"].items()
        }
        missing = [key for key in needed if key not in prices]
        if missing:
            raise PriceBookError(f"model {name}: missing prices {', '.join(missing)}")
        models[name] = ModelEntry(
            name=name,
            kind=kind,
            label=str(raw.get("label", name)),
            prices=prices,
            fine_tunable=bool(raw.get("fine_tunable", kind == "chat")),
            fine_tuning_closes=_date(raw.get("fine_tuning_closes")),
            shutdown=_date(raw.get("shutdown")),
        )
    raw_defaults = data["defaults"]
    build = raw_defaults["build_days"]
    maintenance = raw_defaults["maintenance_days_per_month"]
    hosted = raw_defaults["self_hosted"]
    sources = {
        key: str(section["source"])
        for key, section in (
            ("build_days", build),
            ("maintenance_days_per_month", maintenance),
            ("self_hosted", hosted),
        )
        if section.get("source")
    }
    defaults = CostDefaults(
        epochs=int(raw_defaults.get("epochs", 3)),
        initial_training_runs=int(raw_defaults.get("initial_training_runs", 3)),
        retraining_runs_per_year=_positive_decimal(
            raw_defaults.get("retraining_runs_per_year", 4), "retraining_runs_per_year"
        ),
        vector_hosting_usd_per_month=_span(
            raw_defaults["vector_hosting_usd_per_month"], "vector_hosting_usd_per_month"
        ),
        build_days={option: _span(build[option], f"build_days.{option}") for option in OPTIONS},
        maintenance_days_per_month={
            option: _positive_decimal(maintenance[option], f"maintenance.{option}")
            for option in OPTIONS
        },
        lora_run_usd=_span(hosted["lora_run_usd"], "lora_run_usd"),
        peft_65b_run_usd=_span(hosted["peft_65b_run_usd"], "peft_65b_run_usd"),
        serving_usd_per_instance_month=_span(
            hosted["serving_usd_per_instance_month"], "serving_usd_per_instance_month"
        ),
        tokens_per_instance_month=int(hosted["tokens_per_instance_month"]),
        sources=sources,
    )
    if defaults.tokens_per_instance_month <= 0:
        raise PriceBookError("tokens_per_instance_month must be more than 0")
    book = PriceBook(
        slug=str(data["slug"]),
        version=int(data["version"]),
        name=str(data.get("name", data["slug"])),
        currency=str(data.get("currency", "USD")),
        default_model=str(data["default_model"]),
        default_embedding_model=str(data["default_embedding_model"]),
        models=models,
        defaults=defaults,
    )
    if book.default_model not in book.chat_models():
        raise PriceBookError(
            f"default_model {book.default_model!r} is not a chat model of the book"
        )
    if book.default_embedding_model not in book.embedding_models():
        raise PriceBookError(
            f"default_embedding_model {book.default_embedding_model!r} is not an embedding model"
        )
    return book


# --- serialising --------------------------------------------------------------------------------


def _source_entry(source: str | None) -> dict[str, str]:
    return {"source": source} if source else {}


def _span_to_dict(span: Span) -> dict[str, Any]:
    out: dict[str, Any] = {
        "low": json_number(span.low),
        "point": json_number(span.point),
        "high": json_number(span.high),
    }
    out.update(_source_entry(span.source))
    return out


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _model_to_dict(entry: ModelEntry) -> dict[str, Any]:
    return {
        "kind": entry.kind,
        "label": entry.label,
        "fine_tunable": entry.fine_tunable,
        "fine_tuning_closes": _iso(entry.fine_tuning_closes),
        "shutdown": _iso(entry.shutdown),
        "prices": {
            key: {
                "usd_per_1m_tokens": json_number(price.usd_per_1m_tokens),
                "source": price.source,
                "checked": _iso(price.checked),
                "effective": _iso(price.effective),
            }
            for key, price in entry.prices.items()
        },
    }
