"""Forms for clients, contacts, engagements, sessions and follow-ups."""

from __future__ import annotations

from typing import Any

from django import forms

from projects.models import Client, Contact, Engagement, Firm, FollowUp, Membership, Session, User


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value: Any) -> Any:
        if hasattr(value, "strftime"):
            from django.utils import timezone

            if timezone.is_aware(value):
                value = timezone.localtime(value)
            return value.strftime("%Y-%m-%dT%H:%M")
        return value


class ClientForm(forms.ModelForm):
    website = forms.URLField(
        required=False, assume_scheme="https", help_text="e.g. https://example.com"
    )

    class Meta:
        model = Client
        fields = ("name", "website", "notes")
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ("name", "email", "title", "is_primary")
        labels = {"is_primary": "Primary contact (receives intake links)"}


class EngagementForm(forms.ModelForm):
    def __init__(self, *args: Any, firm: Firm, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.filter(firm=firm).order_by("name")
        member_ids = Membership.objects.filter(firm=firm).values_list("user_id", flat=True)
        self.fields["lead"].queryset = User.objects.filter(pk__in=member_ids).order_by("email")
        self.fields["lead"].label_from_instance = lambda u: f"{u.display_name} ({u.email})"

    class Meta:
        model = Engagement
        fields = ("client", "title", "lead", "summary", "start_date", "target_date")
        widgets = {
            "start_date": DateInput(),
            "target_date": DateInput(),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"lead": "Lead consultant"}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, target = data.get("start_date"), data.get("target_date")
        if start and target and target < start:
            self.add_error("target_date", "The target date is before the start.")
        return data


class SessionForm(forms.ModelForm):
    starts_at = forms.DateTimeField(
        label="Starts", widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"]
    )

    class Meta:
        model = Session
        fields = ("title", "starts_at", "duration_minutes", "location", "attendees", "agenda")
        labels = {"duration_minutes": "Duration (minutes)"}
        widgets = {
            "attendees": forms.Textarea(attrs={"rows": 3}),
            "agenda": forms.Textarea(attrs={"rows": 4}),
        }

    def clean_duration_minutes(self) -> int:
        minutes = self.cleaned_data["duration_minutes"]
        if not 5 <= minutes <= 600:
            raise forms.ValidationError("Between 5 minutes and 10 hours.")
        return minutes


class NotesForm(forms.Form):
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 12}))
    decisions = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One decision per line.",
    )


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ("text", "owner", "due_date")
        labels = {"text": "Follow-up", "owner": "Owner", "due_date": "Due"}
        widgets = {"due_date": DateInput()}


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Engagement._meta.get_field("status").choices)
