"""The form that creates an API key in the firm's settings."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import forms
from django.utils import timezone

from projects.models import ApiKeyScope

EXPIRY_CHOICES = [
    ("", "Never"),
    ("30", "In 30 days"),
    ("90", "In 90 days"),
    ("365", "In a year"),
]


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What will use it, e.g. “CRM sync”. Shown in this list only.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    scope = forms.ChoiceField(
        label="Access",
        choices=ApiKeyScope.choices,
        initial=ApiKeyScope.READ,
        help_text="Read keys fetch reports and call the evaluator; write keys also push "
        "clients, engagements and profiles.",
    )
    expires = forms.ChoiceField(label="Expires", choices=EXPIRY_CHOICES, required=False)

    def expires_at(self) -> datetime | None:
        days = self.cleaned_data.get("expires")
        return timezone.now() + timedelta(days=int(days)) if days else None
