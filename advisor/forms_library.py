"""Forms of the library: a price-book model (add or edit), retiring one, a book's cost defaults,
and an evidence entry.

Most checking lives in `advisor.services.library`, which reports errors under these forms' field
names, so one submission shows every problem at once, each beside its input. Prices are text
inputs for that reason: the service, not the form, says what is wrong with them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from advisor.services.library import (
    BASE_CHAT_PRICES,
    DEFAULT_FIELDS,
    FINE_TUNING_PRICES,
    NOT_FINE_TUNABLE_SOURCE,
    NOTE_MAX,
    PRICE_LABELS,
    AddModel,
    ChangeDefaults,
    EditModel,
    ModelInput,
    PriceInput,
    default_value,
)

# The service's message for a missing detail of one price, and what to say once instead.
COMMON_MISSING = {
    "source": (
        "Say where this price comes from",
        "Give the source of these prices here, or one per price below.",
    ),
    "checked": (
        "Give the date you checked",
        "Give the date you checked these prices, here or per price below.",
    ),
    "effective": (
        "Give the date this price takes effect",
        "Give the date these prices take effect, here or per price below.",
    ),
}

PRICE_SECTIONS = (
    ("chat-only", "Prices per 1M tokens", BASE_CHAT_PRICES),
    ("ft-only", "Fine-tuning prices per 1M tokens", FINE_TUNING_PRICES),
    ("embedding-only", "Embedding price per 1M tokens", ("embedding",)),
)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _money_input(placeholder: str = "") -> forms.TextInput:
    return forms.TextInput(
        attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": placeholder}
    )


def note_field(help_text: str) -> forms.CharField:
    return forms.CharField(
        label="Change note",
        max_length=NOTE_MAX,
        required=False,  # the service requires it, so its message sits with the others
        help_text=help_text,
        widget=forms.TextInput(attrs={"placeholder": "e.g. OpenAI list price update, March"}),
    )


class PriceBookModelForm(forms.Form):
    """Add a model to a book (`model=None`) or edit one (`model` = its current document)."""

    name = forms.CharField(
        label="Model id",
        max_length=80,
        required=False,
        help_text="Exactly as the provider's API names it, e.g. gpt-4.1-mini.",
    )
    kind = forms.ChoiceField(
        label="Kind",
        choices=[("chat", "Chat (generates answers)"), ("embedding", "Embedding (for RAG)")],
        initial="chat",
        widget=forms.RadioSelect,
    )
    label = forms.CharField(label="Display name", max_length=80, required=False)
    fine_tunable = forms.BooleanField(
        label="The provider offers fine-tuning for this model", required=False, initial=True
    )
    fine_tuning_closes = forms.DateField(
        label="Stops new fine-tuning jobs",
        required=False,
        widget=_date_input(),
        help_text="If the provider has announced it.",
    )
    shutdown = forms.DateField(
        label="Shuts down",
        required=False,
        widget=_date_input(),
        help_text="If the provider has announced it.",
    )
    common_source = forms.CharField(
        label="Source for every price",
        max_length=500,
        required=False,
        help_text="A pricing page URL or a document; used where a price has no source of its own.",
    )
    common_checked = forms.DateField(
        label="Checked on", required=False, widget=_date_input(), help_text="For every price."
    )
    common_effective = forms.DateField(
        label="Takes effect", required=False, widget=_date_input(), help_text="For every price."
    )
    note = note_field("Required. It is kept with the new version of the book.")

    def __init__(
        self, *args: Any, model_name: str | None = None, model: Mapping | None = None, **kwargs
    ) -> None:
        self.model_name = model_name
        self.model_doc = model
        initial = kwargs.pop("initial", {}) or {}
        if model is not None:
            initial.update(_model_initial(model))
        else:
            initial.setdefault("common_checked", timezone.localdate())
        super().__init__(*args, initial=initial, **kwargs)
        for key, label in PRICE_LABELS.items():
            self.fields[f"{key}_price"] = forms.CharField(
                label=f"{label} price", required=False, max_length=30, widget=_money_input("0.00")
            )
            self.fields[f"{key}_source"] = forms.CharField(
                label=f"{label} source", required=False, max_length=500
            )
            self.fields[f"{key}_checked"] = forms.DateField(
                label=f"{label} checked", required=False, widget=_date_input()
            )
            self.fields[f"{key}_effective"] = forms.DateField(
                label=f"{label} effective", required=False, widget=_date_input()
            )
        if model is not None:
            # Name and kind identify the model; they are shown, not edited.
            for name in ("name", "kind", "common_source", "common_checked", "common_effective"):
                del self.fields[name]

    @property
    def editing(self) -> bool:
        return self.model_doc is not None

    @property
    def kind_value(self) -> str:
        if self.model_doc is not None:
            return self.model_doc["kind"]
        return str(self["kind"].value() or "chat")

    def price_sections(self) -> list[dict[str, Any]]:
        """The price inputs grouped for the template; each section says which kind it is for."""
        sections = []
        for css, title, keys in PRICE_SECTIONS:
            if self.editing and (
                (css == "embedding-only") != (self.kind_value == "embedding")
                or (css == "ft-only" and self.kind_value != "chat")
            ):
                continue
            rows = [
                {
                    "key": key,
                    "label": PRICE_LABELS[key],
                    "price": self[f"{key}_price"],
                    "source": self[f"{key}_source"],
                    "checked": self[f"{key}_checked"],
                    "effective": self[f"{key}_effective"],
                }
                for key in keys
            ]
            sections.append({"css": css, "title": title, "rows": rows})
        return sections

    def add_service_errors(self, error: ValidationError) -> None:
        """Put the service's errors on the form. When the same detail is missing from several
        prices and the "for every price" field is blank, say it once there, not on every row."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        errors = {key: list(messages) for key, messages in error.message_dict.items()}
        if not self.editing:
            for part, (missing, message) in COMMON_MISSING.items():
                common = f"common_{part}"
                keys = [
                    key
                    for key, messages in errors.items()
                    if key.endswith(f"_{part}")
                    and key != common
                    and all(m.startswith(missing) for m in messages)
                ]
                if len(keys) >= 2 and not self.cleaned_data.get(common):
                    for key in keys:
                        del errors[key]
                    errors[common] = [message]
        for key, messages in errors.items():
            self.add_error(key if key in self.fields else None, messages)

    def _price(self, key: str) -> PriceInput:
        data = self.cleaned_data
        return PriceInput(
            usd_per_1m_tokens=data.get(f"{key}_price", ""),
            source=data.get(f"{key}_source") or data.get("common_source") or "",
            checked=data.get(f"{key}_checked") or data.get("common_checked"),
            effective=data.get(f"{key}_effective") or data.get("common_effective"),
        )

    def to_change(self) -> AddModel | EditModel:
        data = self.cleaned_data
        kind = self.kind_value
        model = ModelInput(
            name=self.model_name if self.editing else (data.get("name") or "").strip(),
            kind=kind,
            label=data.get("label", ""),
            prices={key: self._price(key) for key in PRICE_LABELS},
            fine_tunable=bool(data.get("fine_tunable")) and kind == "chat",
            fine_tuning_closes=data.get("fine_tuning_closes"),
            shutdown=data.get("shutdown"),
        )
        return EditModel(model) if self.editing else AddModel(model)


def _model_initial(model: Mapping[str, Any]) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "label": model.get("label", ""),
        "fine_tunable": bool(model.get("fine_tunable")),
        "fine_tuning_closes": _iso_date(model.get("fine_tuning_closes")),
        "shutdown": _iso_date(model.get("shutdown")),
    }
    for key, price in model["prices"].items():
        if price.get("source") == NOT_FINE_TUNABLE_SOURCE:
            continue  # a placeholder, not a price anyone typed
        initial[f"{key}_price"] = _plain(price["usd_per_1m_tokens"])
        initial[f"{key}_source"] = price.get("source", "")
        initial[f"{key}_checked"] = _iso_date(price.get("checked"))
        initial[f"{key}_effective"] = _iso_date(price.get("effective"))
    return initial


def _iso_date(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def _plain(value: Any) -> str:
    text = f"{value}"
    return text[:-2] if text.endswith(".0") else text


class RetireModelForm(forms.Form):
    note = note_field("Required: why the book no longer prices this model.")


class DefaultsForm(forms.Form):
    """A book's name, default models and cost defaults. Only fields whose value changed are
    passed on, so the new version's diff shows exactly what the person meant to change."""

    name = forms.CharField(label="Book name", max_length=120, required=False)
    default_model = forms.ChoiceField(label="Default chat model")
    default_embedding_model = forms.ChoiceField(label="Default embedding model")
    note = note_field("Required. It is kept with the new version of the book.")

    def __init__(self, *args: Any, book: Mapping[str, Any], **kwargs: Any) -> None:
        initial = {
            "name": book.get("name", ""),
            "default_model": book["default_model"],
            "default_embedding_model": book["default_embedding_model"],
        }
        for spec in DEFAULT_FIELDS:
            initial[spec.key] = _plain(default_value(book, spec))
        super().__init__(*args, initial=initial, **kwargs)
        models = book["models"]
        self.fields["default_model"].choices = [
            (n, f"{m.get('label') or n} ({n})") for n, m in models.items() if m["kind"] == "chat"
        ]
        self.fields["default_embedding_model"].choices = [
            (n, m.get("label") or n) for n, m in models.items() if m["kind"] == "embedding"
        ]
        for spec in DEFAULT_FIELDS:
            self.fields[spec.key] = forms.CharField(
                label=spec.label, required=False, max_length=30, widget=_money_input()
            )

    def groups(self) -> list[dict[str, Any]]:
        """Fields grouped as the page shows them: ranges as one row of low / point / high."""
        groups: dict[str, list[dict[str, Any]]] = {}
        for spec in DEFAULT_FIELDS:
            rows = groups.setdefault(spec.group, [])
            stem, _, end = spec.key.rpartition("__")
            if end in ("low", "point", "high"):
                if end == "low":
                    rows.append(
                        {
                            "label": spec.label.rsplit(" (", 1)[0],
                            "unit": spec.unit,
                            "span": [
                                {"field": self[f"{stem}__{e}"], "end": word}
                                for e, word in SPAN_WORDS
                            ],
                        }
                    )
                continue
            rows.append({"label": spec.label, "unit": spec.unit, "field": self[spec.key]})
        return [
            {"title": title, "rows": rows, "has_spans": any("span" in row for row in rows)}
            for title, rows in groups.items()
        ]

    def to_change(self) -> ChangeDefaults:
        changed = {
            name: self.cleaned_data.get(name)
            for name in self.changed_data
            if name != "note" and name in self.fields
        }
        return ChangeDefaults(changed)


SPAN_WORDS = (("low", "Low"), ("point", "Point (used)"), ("high", "High"))


class EvidenceForm(forms.Form):
    evidence_id = forms.CharField(
        label="Id",
        max_length=40,
        required=False,
        help_text="E- then capital letters, digits and hyphens, e.g. E-PRICE-CLAUDE. Rules "
        "and reports cite it; it cannot change later.",
    )
    title = forms.CharField(label="Title", max_length=200, required=False)
    claim = forms.CharField(
        label="Claim",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the source says, with its figures, in one or two sentences.",
    )
    source = forms.CharField(
        label="Source",
        max_length=300,
        required=False,
        help_text="Who published it and where, e.g. Menlo Ventures, 2024 State of GenAI report.",
    )
    url = forms.CharField(label="Link", max_length=200, required=False)
    date = forms.CharField(
        label="Published",
        max_length=20,
        required=False,
        help_text="YYYY, YYYY-MM or YYYY-MM-DD.",
        widget=forms.TextInput(attrs={"placeholder": "2024-11-20"}),
    )
    figures = forms.CharField(
        label="Figures",
        max_length=400,
        required=False,
        help_text="The numbers in the claim, separated by commas (no thousands separators): "
        "the grounding check matches a draft's numbers against them.",
        widget=forms.TextInput(attrs={"placeholder": "51, 31, 9"}),
    )
    note = forms.CharField(
        label="Change note",
        max_length=NOTE_MAX,
        required=False,
        help_text="Why it changed; kept in the entry's history.",
    )

    def __init__(self, *args: Any, entry: Any = None, **kwargs: Any) -> None:
        self.entry = entry
        initial = kwargs.pop("initial", {}) or {}
        if entry is not None:
            initial.update(
                {
                    "title": entry.title,
                    "claim": entry.claim,
                    "source": entry.source,
                    "url": entry.url,
                    "date": entry.date,
                    "figures": ", ".join(_plain(f) for f in entry.figures or ()),
                }
            )
        super().__init__(*args, initial=initial, **kwargs)
        if entry is not None:
            del self.fields["evidence_id"]
        else:
            del self.fields["note"]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        kwargs = {name: data.get(name, "") for name in ("title", "claim", "source", "url", "date")}
        # As typed: the service splits the text, so its errors come with the others.
        kwargs["figures"] = data.get("figures", "")
        return kwargs
