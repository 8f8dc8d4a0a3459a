"""The consultant's profile editor: one Django form built from the engine's field specs, so
every field of DESIGN §4.1 appears with its label, help, choices and range.

Every field may be left "not given": the engine then uses its default and the assumption
register says so. That is why booleans are a yes/no/not-given choice, not a checkbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms

from advisor.engine import PROFILE_FIELDS, FieldSpec, PriceBook

NOT_GIVEN = ""


def _default_text(spec: FieldSpec) -> str:
    if spec.default_from:
        return "price book default"
    if spec.default is None:
        return "none"
    if isinstance(spec.default, bool):
        return "yes" if spec.default else "no"
    if spec.choice_labels and spec.default in spec.choice_labels:
        return spec.choice_labels[spec.default]
    return str(spec.default)


def _field_for(spec: FieldSpec, price_book: PriceBook) -> forms.Field:
    common: dict[str, Any] = {
        "label": spec.label,
        "help_text": spec.help,
        "required": spec.required,
    }
    empty = (NOT_GIVEN, f"Not given (default: {_default_text(spec)})")
    if spec.name == "model":
        return forms.ChoiceField(
            choices=[empty, *[(m, m) for m in price_book.chat_models()]], **common
        )
    if spec.name == "embedding_model":
        return forms.ChoiceField(
            choices=[empty, *[(m, m) for m in price_book.embedding_models()]], **common
        )
    if spec.type == "enum":
        return forms.ChoiceField(choices=[empty, *spec.choice_labels.items()], **common)
    if spec.type == "bool":
        return forms.ChoiceField(choices=[empty, ("true", "Yes"), ("false", "No")], **common)
    if spec.type == "int":
        return forms.IntegerField(
            min_value=spec.min, max_value=spec.max, widget=forms.NumberInput(), **common
        )
    if spec.type == "number":
        return forms.DecimalField(
            min_value=spec.min,
            max_value=spec.max,
            widget=forms.NumberInput(attrs={"step": "any"}),
            **common,
        )
    widget = forms.Textarea(attrs={"rows": 3}) if spec.name == "use_case" else forms.TextInput()
    max_length = int(spec.max) if spec.max is not None else None
    return forms.CharField(max_length=max_length, widget=widget, **common)


class ProfileForm(forms.Form):
    """Initial data: the latest version's profile. `to_profile()` gives back only given fields."""

    def __init__(self, *args: Any, price_book: PriceBook, **kwargs: Any) -> None:
        initial = kwargs.pop("profile", None) or {}
        kwargs.setdefault("initial", {k: _initial(v) for k, v in initial.items()})
        super().__init__(*args, **kwargs)
        self.specs = {spec.name: spec for spec in PROFILE_FIELDS}
        for spec in PROFILE_FIELDS:
            self.fields[spec.name] = _field_for(spec, price_book)

    def to_profile(self) -> dict[str, Any]:
        profile: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            spec = self.specs[name]
            if value in (None, NOT_GIVEN):
                continue
            if spec.type == "bool":
                profile[name] = value == "true"
            elif isinstance(value, Decimal):
                profile[name] = int(value) if value == value.to_integral_value() else float(value)
            else:
                profile[name] = value
        return profile

    def apply_engine_errors(self, errors: Mapping[str, list[str]]) -> None:
        for field, messages in errors.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """Fields in the sections the review page also uses."""
        sections = [
            ("Product", ["name", "use_case", "stage", "query_distribution_known"]),
            (
                "Knowledge",
                [
                    "knowledge_change", "knowledge_varies_by_user", "citations_required",
                    "auditability", "corpus_tokens", "corpus_updates_per_month",
                    "corpus_changed_fraction", "retrieved_tokens",
                ],
            ),
            (
                "Behaviour and latency",
                [
                    "output_format", "style_requirement", "domain_jargon",
                    "hallucination_tolerance", "latency_p95_budget_ms", "base_model_p95_ms",
                ],
            ),
            (
                "Volume and tokens",
                [
                    "queries_per_month", "monthly_growth_pct", "input_tokens", "few_shot_tokens",
                    "output_tokens", "labelled_examples", "tokens_per_example",
                ],
            ),
            (
                "Models, team and budget",
                [
                    "model", "embedding_model", "hosting", "team_ml_maturity",
                    "engineer_day_rate_usd", "budget_monthly_usd", "budget_one_off_usd",
                    "horizon_months",
                ],
            ),
        ]  # fmt: skip
        placed = {name for _, names in sections for name in names}
        rest = [name for name in self.fields if name not in placed]
        if rest:
            sections.append(("Other", rest))
        return [
            (title, [self[name] for name in names if name in self.fields])
            for title, names in sections
        ]


def _initial(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def consultant_fields_for(
    *, previous: Mapping[str, Any] | None, previous_consultant: list[str], new: Mapping[str, Any]
) -> list[str]:
    """Fields the consultant set: those they changed or added now, plus those they had set
    before and left as they were. Untouched founder answers stay the founder's."""
    previous = previous or {}
    changed = {k for k, v in new.items() if k not in previous or previous[k] != v}
    kept = {k for k in previous_consultant if k in new and previous.get(k) == new[k]}
    return sorted(changed | kept)
