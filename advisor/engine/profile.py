"""The product profile (DESIGN §4.1): its schema, its validation and the resolved `Profile`.

`PROFILE_FIELDS` is the single description of every field (type, default, choices, range, label,
help) — the Django side builds forms and the founder wizard from it. `validate_profile` reports
every problem at once, per field, in words a consultant can pass on to a founder.

Strictness, decided here: bools must be JSON true/false (not 0/1, not "yes"); numbers must be
JSON numbers (never strings, never NaN or infinity); a whole-number field takes an int or a
number with nothing after the point (3 or 3.0, as JSON Schema's "integer" does) and refuses 3.5
and true/false; null is accepted only where the contract says "or null". The contract gives only
lower bounds; upper bounds far beyond any real product (see thresholds.py) keep results finite.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from advisor.engine import thresholds as t
from advisor.engine.numbers import json_number, to_decimal
from advisor.engine.pricebook import PriceBook

ALL = "__all__"
SOURCES = ("client", "default", "consultant")


class ProfileError(ValueError):
    """An invalid profile; `.errors` maps each field (or `__all__`) to its messages."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors: dict[str, list[str]] = {key: list(value) for key, value in errors.items()}
        super().__init__(
            "; ".join(f"{key}: {msg}" for key, msgs in self.errors.items() for msg in msgs)
        )

    def lines(self) -> list[str]:
        """One `field: message` line per problem, in field order."""
        return [f"{key}: {msg}" for key, msgs in self.errors.items() for msg in msgs]


@dataclass(frozen=True)
class FieldSpec:
    """One profile field. `type` is one of string, enum, bool, int, number."""

    name: str
    type: str
    label: str
    help: str
    default: Any = None
    choices: tuple[str, ...] = ()
    choice_labels: Mapping[str, str] = field(default_factory=dict)
    min: int | Decimal | None = None
    max: int | Decimal | None = None
    nullable: bool = False
    required: bool = False
    # Where the default comes from when it is not a constant (the price book's default model).
    default_from: str | None = None
    # Fields no rule or formula reads (name, use_case) are not listed as assumptions.
    read_by_engine: bool = True

    def to_dict(self) -> dict[str, Any]:
        def plain(value: Any) -> Any:
            return json_number(value) if isinstance(value, Decimal) else value

        return {
            "name": self.name,
            "type": self.type,
            "label": self.label,
            "help": self.help,
            "default": plain(self.default),
            "default_from": self.default_from,
            "choices": list(self.choices),
            "choice_labels": dict(self.choice_labels),
            "min": plain(self.min),
            "max": plain(self.max),
            "nullable": self.nullable,
            "required": self.required,
        }


def _enum(name: str, label: str, help: str, default: str, **choices: str) -> FieldSpec:
    return FieldSpec(
        name=name,
        type="enum",
        label=label,
        help=help,
        default=default,
        choices=tuple(choices),
        choice_labels=choices,
    )


def _bool(name: str, label: str, help: str) -> FieldSpec:
    return FieldSpec(name=name, type="bool", label=label, help=help, default=False)


def _int(name: str, label: str, help: str, default: int | None, lo: int, hi: int, **kw: Any):
    return FieldSpec(
        name=name, type="int", label=label, help=help, default=default, min=lo, max=hi, **kw
    )


def _num(name: str, label: str, help: str, default: Any, lo: Any, hi: Any, **kw: Any):
    return FieldSpec(
        name=name,
        type="number",
        label=label,
        help=help,
        default=None if default is None else Decimal(default),
        min=Decimal(lo),
        max=Decimal(hi),
        **kw,
    )


PROFILE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        name="name",
        type="string",
        label="Product name",
        help="What the product is called.",
        required=True,
        max=t.MAX_NAME_LENGTH,
        read_by_engine=False,
    ),
    FieldSpec(
        name="use_case",
        type="string",
        label="What the product does",
        help="In a few sentences: who asks what, and what a good answer looks like.",
        default="",
        max=t.MAX_USE_CASE_LENGTH,
        read_by_engine=False,
    ),
    _enum(
        "stage",
        "Product stage",
        "How far the product is: an idea, a prototype, a first release (MVP), growing, at scale.",
        "prototype",
        idea="Idea",
        prototype="Prototype",
        mvp="MVP",
        growth="Growth",
        scale="Scale",
    ),
    _bool(
        "query_distribution_known",
        "We know what users ask",
        "Do you know what users actually ask, and where the model fails today?",
    ),
    _enum(
        "knowledge_change",
        "How often the facts change",
        "How often the facts your answers depend on change.",
        "static",
        static="Never (static)",
        yearly="Yearly",
        quarterly="Quarterly",
        monthly="Monthly",
        weekly="Weekly",
        daily="Daily",
        realtime="Continuously (real time)",
    ),
    _bool(
        "knowledge_varies_by_user",
        "Answers depend on the user's own data",
        "Do answers depend on the user's or the account's own data?",
    ),
    _bool(
        "citations_required",
        "Users must see sources",
        "Must users see the sources an answer came from?",
    ),
    _enum(
        "auditability",
        "Who must verify answers",
        "Who must be able to check where an answer came from.",
        "none",
        none="No one",
        internal="Our own team",
        regulated="A regulator or auditor",
    ),
    _enum(
        "output_format",
        "Output format",
        "How rigid the output must be.",
        "free_text",
        free_text="Free text",
        light_structure="Light structure (headings, lists)",
        strict_schema="Strict schema (e.g. JSON another system parses)",
    ),
    _enum(
        "style_requirement",
        "Tone or dialect",
        "A tone or dialect the answers must have.",
        "none",
        none="None",
        brand_voice="Brand voice",
        specialized_dialect="Specialised dialect",
    ),
    _enum(
        "domain_jargon",
        "Domain language",
        "How foreign the domain's language is to a general model.",
        "general",
        general="General",
        specialized="Specialised",
        highly_specialized="Highly specialised",
    ),
    _int(
        "latency_p95_budget_ms",
        "Latency budget (p95, ms)",
        "The slowest answer you can accept for 95% of requests, in milliseconds; empty for none.",
        None,
        1,
        t.MAX_LATENCY_MS,
        nullable=True,
    ),
    _int(
        "base_model_p95_ms",
        "Base model latency (p95, ms)",
        "The base model's own p95 latency for this workload, in milliseconds.",
        800,
        1,
        t.MAX_LATENCY_MS,
    ),
    _enum(
        "hallucination_tolerance",
        "Tolerance for wrong answers",
        "How much harm a confident wrong answer does.",
        "medium",
        low="Low (a wrong answer does real harm)",
        medium="Medium",
        high="High",
    ),
    _int(
        "queries_per_month",
        "Queries a month",
        "How many questions the product answers in a month today (month 0).",
        10_000,
        0,
        t.MAX_QUERIES_PER_MONTH,
    ),
    _num(
        "monthly_growth_pct",
        "Monthly growth (%)",
        "Compound growth of volume per month, in percent.",
        0,
        0,
        t.MAX_GROWTH_PCT,
    ),
    _int(
        "input_tokens",
        "Prompt tokens per query",
        "Tokens sent per query, instructions and examples included.",
        500,
        0,
        t.MAX_TOKENS_PER_QUERY,
    ),
    _int(
        "few_shot_tokens",
        "Example tokens per query",
        "Part of the prompt tokens that are worked examples a fine-tuned model would not need.",
        0,
        0,
        t.MAX_TOKENS_PER_QUERY,
    ),
    _int(
        "output_tokens",
        "Answer tokens per query",
        "Tokens in a typical answer.",
        300,
        0,
        t.MAX_TOKENS_PER_QUERY,
    ),
    _int(
        "corpus_tokens",
        "Private knowledge (tokens)",
        "Size of the private knowledge answers draw on, in tokens; 0 for none.",
        0,
        0,
        t.MAX_CORPUS_TOKENS,
    ),
    _num(
        "corpus_updates_per_month",
        "Knowledge updates a month",
        "How many times a month that knowledge changes.",
        0,
        0,
        t.MAX_UPDATES_PER_MONTH,
    ),
    _num(
        "corpus_changed_fraction",
        "Share changed per update",
        "Share of the knowledge re-embedded at each update, from 0 to 1.",
        1,
        0,
        1,
    ),
    _int(
        "retrieved_tokens",
        "Retrieved tokens per query",
        "Context retrieval adds to each prompt.",
        2000,
        0,
        t.MAX_TOKENS_PER_QUERY,
    ),
    _int(
        "labelled_examples",
        "Labelled examples",
        "Curated input/output pairs available for training.",
        0,
        0,
        t.MAX_EXAMPLES,
    ),
    _int(
        "tokens_per_example",
        "Tokens per example",
        "Average size of one training example, in tokens.",
        1000,
        1,
        t.MAX_TOKENS_PER_QUERY,
    ),
    _enum(
        "hosting",
        "Where models may run",
        "A provider's hosted API, or models you run yourselves.",
        "hosted_api",
        hosted_api="Hosted API",
        self_hosted="Self-hosted",
    ),
    FieldSpec(
        name="model",
        type="string",
        label="Base model",
        help="The model the costs are priced for; one of the price book's chat models.",
        default_from="price_book.default_model",
    ),
    FieldSpec(
        name="embedding_model",
        type="string",
        label="Embedding model",
        help="The embedding model retrieval is priced for; one of the price book's.",
        default_from="price_book.default_embedding_model",
    ),
    _enum(
        "team_ml_maturity",
        "Team's ML experience",
        "The team's capacity to run training and evaluation.",
        "some",
        none="None",
        some="Some",
        strong="Strong",
    ),
    _num(
        "budget_monthly_usd",
        "Monthly budget (USD)",
        "The most the product may cost in any month; empty for no limit.",
        None,
        0,
        t.MAX_MONEY_USD,
        nullable=True,
    ),
    _num(
        "budget_one_off_usd",
        "One-off budget (USD)",
        "The most the build may cost up front; empty for no limit.",
        None,
        0,
        t.MAX_MONEY_USD,
        nullable=True,
    ),
    _num(
        "engineer_day_rate_usd",
        "Engineer day rate (USD)",
        "What a day of engineering costs.",
        800,
        0,
        t.MAX_MONEY_USD,
    ),
    _int(
        "horizon_months",
        "Horizon (months)",
        "How many months the cost comparison covers, 1 to 60.",
        24,
        t.MIN_HORIZON_MONTHS,
        t.MAX_HORIZON_MONTHS,
    ),
)
FIELDS_BY_NAME: dict[str, FieldSpec] = {spec.name: spec for spec in PROFILE_FIELDS}
_FIELD_NAMES = tuple(spec.name for spec in PROFILE_FIELDS)
_READ_BY_ENGINE = tuple(spec.name for spec in PROFILE_FIELDS if spec.read_by_engine)


@dataclass(frozen=True)
class Profile:
    """A validated profile: every field resolved, and where each value came from."""

    name: str
    use_case: str
    stage: str
    query_distribution_known: bool
    knowledge_change: str
    knowledge_varies_by_user: bool
    citations_required: bool
    auditability: str
    output_format: str
    style_requirement: str
    domain_jargon: str
    latency_p95_budget_ms: int | None
    base_model_p95_ms: int
    hallucination_tolerance: str
    queries_per_month: int
    monthly_growth_pct: Decimal
    input_tokens: int
    few_shot_tokens: int
    output_tokens: int
    corpus_tokens: int
    corpus_updates_per_month: Decimal
    corpus_changed_fraction: Decimal
    retrieved_tokens: int
    labelled_examples: int
    tokens_per_example: int
    hosting: str
    model: str
    embedding_model: str
    team_ml_maturity: str
    budget_monthly_usd: Decimal | None
    budget_one_off_usd: Decimal | None
    engineer_day_rate_usd: Decimal
    horizon_months: int
    # field name -> "client" | "default" | "consultant"
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def _from_checked(cls, values: dict[str, Any], sources: dict[str, str]) -> Profile:
        """The profile of complete, validated values — equal to `cls(**values, sources=...)`.

        Skips the generated `__init__`, whose 34 frozen `object.__setattr__` calls are most of
        the cost of validation on the engine's hot path; the instance stays frozen.
        """
        profile = object.__new__(cls)
        profile.__dict__.update(values)
        profile.__dict__["sources"] = sources
        return profile

    def value(self, name: str) -> Any:
        return getattr(self, name)

    def source(self, name: str) -> str:
        return self.sources.get(name, "default")

    @property
    def client_fields(self) -> frozenset[str]:
        return frozenset(k for k, v in self.sources.items() if v == "client")

    @property
    def default_fields(self) -> frozenset[str]:
        return frozenset(k for k, v in self.sources.items() if v == "default")

    @property
    def consultant_fields(self) -> frozenset[str]:
        return frozenset(k for k, v in self.sources.items() if v == "consultant")

    def to_dict(self) -> dict[str, Any]:
        """Every resolved value, JSON-ready, in schema order."""
        values = self.__dict__  # the fields' values (no field is a property)
        return {
            name: json_number(value) if (value := values[name]).__class__ is Decimal else value
            for name in _FIELD_NAMES
        }

    def given_values(self) -> dict[str, Any]:
        """Only the values given (by the client or a consultant): what `validate_profile` read."""
        return {
            spec.name: _plain(getattr(self, spec.name))
            for spec in PROFILE_FIELDS
            if self.source(spec.name) != "default"
        }

    def assumptions(self) -> list[dict[str, Any]]:
        """Inputs the result rests on that the client did not give (DESIGN §4.2)."""
        sources, values = self.sources, self.__dict__
        return [
            {
                "field": name,
                "value": json_number(value)
                if (value := values[name]).__class__ is Decimal
                else value,
                "source": source,
            }
            for name in _READ_BY_ENGINE
            if (source := sources.get(name, "default")) != "client"
        ]


def _plain(value: Any) -> Any:
    return json_number(value) if type(value) is Decimal else value


def validate_profile(
    data: Mapping[str, Any],
    price_book: PriceBook,
    *,
    consultant_fields: Collection[str] = (),
) -> Profile:
    """Check a profile document and resolve its defaults; `ProfileError` lists every problem.

    `consultant_fields` names the given fields a consultant set rather than the client; they are
    listed as assumptions (source "consultant"). Naming a field that is not in the schema is a
    programming error (ValueError); naming one absent from `data` leaves it a default.
    """
    stray = [name for name in consultant_fields if name not in FIELDS_BY_NAME]
    if stray:
        raise ValueError(f"consultant_fields names unknown fields: {', '.join(sorted(stray))}")
    if not isinstance(data, Mapping):
        raise ProfileError({ALL: ["the profile must be a JSON object of field names and values"]})
    profile = _valid_profile(data, price_book, consultant_fields)
    if profile is not None:
        return profile

    # Something is wrong: check every field again, this time collecting what and where.
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}

    for key in data:
        if key not in FIELDS_BY_NAME:
            close = difflib.get_close_matches(str(key), list(FIELDS_BY_NAME), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            errors.setdefault(str(key), []).append(f"is not a profile field{hint}")

    consultant = set(consultant_fields)
    for spec in PROFILE_FIELDS:
        if spec.name in data:
            sources[spec.name] = "consultant" if spec.name in consultant else "client"
            message, value = _check(spec, data[spec.name], price_book)
            if message:
                errors.setdefault(spec.name, []).append(message)
            else:
                values[spec.name] = value
        elif spec.required:
            errors.setdefault(spec.name, []).append("is required")
        else:
            sources[spec.name] = "default"
            values[spec.name] = _default(spec, price_book)

    for name, message in _cross_field_errors(values):
        errors.setdefault(name, []).append(message)

    if errors:
        order = {spec.name: i for i, spec in enumerate(PROFILE_FIELDS)}
        raise ProfileError(
            dict(sorted(errors.items(), key=lambda kv: order.get(kv[0], len(order))))
        )
    return Profile._from_checked(values, sources)


# The fast path below: defaults in schema order (model and embedding model come from the book),
# and for the commonest kinds of field a check of the usual valid value in one expression.
_SLOW = object()  # "not the usual valid value": ask `_check`
_CONSTANT_DEFAULTS: dict[str, Any] = {spec.name: spec.default for spec in PROFILE_FIELDS}
_ALL_DEFAULT_SOURCES: dict[str, str] = {spec.name: "default" for spec in PROFILE_FIELDS}
_REQUIRED = tuple(spec.name for spec in PROFILE_FIELDS if spec.required)


def _quick_check(spec: FieldSpec) -> Callable[[Any], Any] | None:
    """A check that returns a valid value of the usual type unchanged and `_SLOW` for anything
    else (which `_check` then decides); None for a field that always goes to `_check`."""
    if spec.type == "enum":
        choices = frozenset(spec.choices)
        return lambda raw: raw if raw.__class__ is str and raw in choices else _SLOW
    if spec.type == "bool":
        return lambda raw: raw if raw is True or raw is False else _SLOW
    if spec.type == "int":
        lo, hi = spec.min, spec.max
        return lambda raw: raw if raw.__class__ is int and lo <= raw <= hi else _SLOW
    if spec.type == "number":
        return _quick_number(spec.min, spec.max)
    return None


def _quick_number(lo: Any, hi: Any) -> Callable[[Any], Any]:
    def quick(raw: Any) -> Any:
        # A JSON int or float, made Decimal as `to_decimal` does (a float by its shortest repr).
        if raw.__class__ is int:
            number = Decimal(raw)
        elif raw.__class__ is float:
            number = Decimal(repr(raw))
        else:
            return _SLOW
        return number if number.is_finite() and lo <= number <= hi else _SLOW

    return quick


_QUICK_CHECKS = {spec.name: (spec, _quick_check(spec)) for spec in PROFILE_FIELDS}


def _valid_profile(
    data: Mapping[str, Any], price_book: PriceBook, consultant_fields: Collection[str]
) -> Profile | None:
    """The profile when `data` is valid, else None (and `validate_profile` finds the errors).

    Accepts exactly what the full check accepts, and resolves the same values in the same
    (schema) order; it only skips collecting messages, which a valid profile has none of.
    """
    values = dict(_CONSTANT_DEFAULTS)
    values["model"] = price_book.default_model
    values["embedding_model"] = price_book.default_embedding_model
    sources = dict(_ALL_DEFAULT_SOURCES)  # updating a key keeps its place: schema order
    for key, raw in data.items():
        entry = _QUICK_CHECKS.get(key)
        if entry is None:
            return None  # not a profile field
        spec, quick = entry
        value = _SLOW if quick is None else quick(raw)
        if value is _SLOW:
            message, value = _check(spec, raw, price_book)
            if message:
                return None
        values[key] = value
        sources[key] = "client"
    for name in _REQUIRED:
        if name not in data:
            return None
    for name in consultant_fields:
        if name in data:
            sources[name] = "consultant"

    if _cross_field_errors(values):
        return None
    return Profile._from_checked(values, sources)


def _cross_field_errors(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, message) for each check across fields that fails; a field missing from `values`
    (it had an error of its own) is not checked against the others."""
    found = []
    few_shot, prompt = values.get("few_shot_tokens"), values.get("input_tokens")
    if few_shot is not None and prompt is not None and few_shot > prompt:
        found.append(
            (
                "few_shot_tokens",
                f"must not be more than input_tokens ({prompt}): examples are part of the prompt",
            )
        )
    volume, growth = values.get("queries_per_month"), values.get("monthly_growth_pct")
    horizon = values.get("horizon_months")
    if volume and growth and horizon:
        reached = volume * (1 + growth / 100) ** (horizon - 1)
        if reached > t.MAX_QUERIES_REACHED:
            found.append(
                (
                    "monthly_growth_pct",
                    f"grows {volume:,} queries a month past {t.MAX_QUERIES_REACHED:,} within "
                    f"{horizon} months: lower the growth or the horizon",
                )
            )
    return found


def _default(spec: FieldSpec, price_book: PriceBook) -> Any:
    if spec.name == "model":
        return price_book.default_model
    if spec.name == "embedding_model":
        return price_book.default_embedding_model
    return spec.default


# Fields whose upper bound is part of the contract (the others' is only a sanity limit).
_BOUNDED_BY_CONTRACT = frozenset({"horizon_months", "corpus_changed_fraction"})


def _range_words(spec: FieldSpec) -> str:
    lo, hi = spec.min, spec.max
    if spec.name in _BOUNDED_BY_CONTRACT:
        return f"from {_fmt(lo)} to {_fmt(hi)}"
    return f"of {_fmt(lo)} or more"


def _fmt(value: Any) -> str:
    return str(json_number(value)) if isinstance(value, Decimal) else str(value)


def _describe(spec: FieldSpec) -> str:
    """What a valid value looks like, e.g. "must be a whole number of 0 or more"."""
    if spec.type == "bool":
        text = "must be true or false"
    elif spec.type == "enum":
        text = "must be one of: " + ", ".join(spec.choices)
    elif spec.type == "int":
        text = f"must be a whole number {_range_words(spec)}"
    elif spec.type == "number":
        text = f"must be a number {_range_words(spec)}"
    else:
        text = "must be text"
    if spec.nullable:
        text += ", or null for none"
    return text


def _check(spec: FieldSpec, raw: Any, price_book: PriceBook) -> tuple[str | None, Any]:
    """(message, None) when `raw` is invalid for `spec`, else (None, resolved value)."""
    if raw is None:
        return (None, None) if spec.nullable else (_describe(spec), None)
    if spec.type == "bool":
        return (None, raw) if isinstance(raw, bool) else (_describe(spec), None)
    if spec.type == "enum":
        ok = isinstance(raw, str) and raw in spec.choices
        return (None, raw) if ok else (_describe(spec), None)
    if spec.type == "string":
        return _check_string(spec, raw, price_book)
    if type(raw) is int and spec.type == "int":
        # The common case, checked without a detour through Decimal.
        if raw < spec.min:
            return _describe(spec), None
        if raw > spec.max:
            return _out_of_bounds(spec), None
        return None, raw
    number = _as_number(raw)
    if number is None:
        return _describe(spec), None
    if spec.type == "int":
        if number != number.to_integral_value():
            return _describe(spec), None
        number = int(number)
    if spec.min is not None and number < spec.min:
        return _describe(spec), None
    if spec.max is not None and number > spec.max:
        return _out_of_bounds(spec), None
    return None, number


def _out_of_bounds(spec: FieldSpec) -> str:
    if spec.name in _BOUNDED_BY_CONTRACT:
        return _describe(spec)
    return f"must be at most {_fmt(spec.max)}"


def _as_number(raw: Any) -> Decimal | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal):
        return None
    number = to_decimal(raw)
    return number if number.is_finite() else None


def _check_string(spec: FieldSpec, raw: Any, price_book: PriceBook) -> tuple[str | None, Any]:
    if not isinstance(raw, str):
        return _describe(spec), None
    if spec.name == "model":
        chat = price_book.chat_models()
        if raw not in chat:
            return f"must be a chat model of price book {price_book.key}: {', '.join(chat)}", None
        return None, raw
    if spec.name == "embedding_model":
        embedding = price_book.embedding_models()
        if raw not in embedding:
            names = ", ".join(embedding)
            return f"must be an embedding model of price book {price_book.key}: {names}", None
        return None, raw
    text = raw.strip()
    if spec.required and not text:
        return "must not be blank", None
    if spec.max is not None and len(text) > spec.max:
        return f"must be at most {spec.max} characters", None
    return None, text
