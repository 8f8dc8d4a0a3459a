"""Forms of the review workspace: overrides, narrative, review requests, what-if, delivery."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from advisor.engine import OPTIONS, PriceBook
from advisor.models import OverrideKind
from advisor.report_content import OPTION_LABELS
from projects.form_renderer import fast_widget_renderer
from projects.models import Firm, Membership, User

OPTION_CHOICES = [(o, OPTION_LABELS[o]) for o in OPTIONS]


class ReviewForm(forms.Form):
    """The review page draws many inputs on every request: its forms draw them in Python."""

    default_renderer = fast_widget_renderer


class OverrideForm(ReviewForm):
    kind = forms.ChoiceField(label="What to override", choices=OverrideKind.choices)
    value = forms.CharField(label="New value", max_length=30)
    rule_id = forms.CharField(label="Rule", required=False, max_length=30)
    justification = forms.CharField(
        label="Justification",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "Required. It is kept, shown wherever the verdict shows, and goes into every export."
        ),
    )


class NarrativeForm(ReviewForm):
    narrative = forms.CharField(
        label="Narrative (Markdown)", required=False, widget=forms.Textarea(attrs={"rows": 16})
    )


class ReviewRequestForm(ReviewForm):
    reviewer = forms.ModelChoiceField(label="Reviewer", queryset=User.objects.none())

    def __init__(self, *args: Any, firm: Firm, exclude: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = Membership.objects.filter(
            firm=firm, role__in=["owner", "admin", "consultant"]
        ).values_list("user_id", flat=True)
        self.fields["reviewer"].queryset = User.objects.filter(pk__in=ids).exclude(pk=exclude.pk)
        self.fields["reviewer"].label_from_instance = lambda u: u.display_name


class DeliverForm(ReviewForm):
    email = forms.EmailField(
        label="Send the link to", required=False, help_text="Leave empty to copy the link yourself."
    )
    days = forms.IntegerField(label="Link valid for (days)", min_value=1, max_value=365, initial=30)


class WhatIfForm(ReviewForm):
    """The inputs a consultant may vary live. Empty means "as in the profile"."""

    queries_per_month = forms.IntegerField(label="Queries a month", min_value=0, required=False)
    monthly_growth_pct = forms.DecimalField(
        label="Monthly growth (%)", min_value=0, max_value=1000, required=False
    )
    input_tokens = forms.IntegerField(label="Input tokens", min_value=0, required=False)
    few_shot_tokens = forms.IntegerField(label="Few-shot tokens", min_value=0, required=False)
    output_tokens = forms.IntegerField(label="Output tokens", min_value=0, required=False)
    retrieved_tokens = forms.IntegerField(
        label="Retrieved context tokens", min_value=0, required=False
    )
    latency_p95_budget_ms = forms.IntegerField(
        label="Latency budget p95 (ms)", min_value=1, required=False
    )
    model = forms.ChoiceField(label="Model", required=False)
    scenario_name = forms.CharField(label="Save as", required=False, max_length=120)

    def __init__(self, *args: Any, price_book: PriceBook, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", "As in the profile")] + [
            (m, m) for m in price_book.chat_models()
        ]

    def changes(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if name == "scenario_name" or value in (None, ""):
                continue
            if isinstance(value, Decimal):
                value = int(value) if value == value.to_integral_value() else float(value)
            out[name] = value
        return out
