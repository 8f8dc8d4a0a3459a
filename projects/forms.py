"""Forms of the projects app. Errors are per field and keep what the user typed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm

from projects.models import Firm, Role, User
from projects.models.firms import HEX_COLOUR


class SignupForm(UserCreationForm):
    full_name = forms.CharField(label="Full name", max_length=150)
    email = forms.EmailField(label="Work e-mail")

    class Meta:
        model = User
        fields = ("full_name", "email")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this e-mail already exists. Log in?")
        return email


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="E-mail", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )


class FirmCreateForm(forms.Form):
    name = forms.CharField(label="Firm name", max_length=120)


class FirmSettingsForm(forms.ModelForm):
    logo_upload = forms.FileField(
        label="Logo",
        required=False,
        help_text="PNG, JPEG, GIF or WebP, up to 200 KB.",
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}
        ),
    )
    remove_logo = forms.BooleanField(label="Remove the current logo", required=False)
    accent_colour = forms.CharField(
        label="Accent colour",
        validators=[HEX_COLOUR],
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text="Used for primary buttons and on client-facing pages.",
    )

    class Meta:
        model = Firm
        fields = ("name", "display_name", "accent_colour", "intake_link_days")
        labels = {"intake_link_days": "Intake links stay valid for (days)"}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Left out of a post, the firm keeps its current lifetime.
        self.fields["intake_link_days"].required = False


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail")
    role = forms.ChoiceField(
        label="Role",
        choices=[(r.value, r.label) for r in (Role.CONSULTANT, Role.VIEWER, Role.ADMIN)],
        initial=Role.CONSULTANT,
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("full_name",)


def apply_errors(form: forms.Form, error: Any) -> None:
    """Put a service's ValidationError onto the form, field by field where it names fields."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
