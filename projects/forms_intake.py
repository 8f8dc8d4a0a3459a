"""Forms of the consultant's side of the intake. (The founder's wizard is built from
`projects.wizard`, not from Django forms: its answers are kept raw until submitted.)"""

from __future__ import annotations

from typing import Any

from django import forms


class IntakeLinkForm(forms.Form):
    email = forms.EmailField(
        label="Founder's e-mail",
        help_text="The link goes to this address and works for the firm's link lifetime.",
        widget=forms.EmailInput(
            attrs={"autocomplete": "off", "placeholder": "founder@startup.com"}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own id namespace: the panel sits on the engagement page beside other forms.
        kwargs.setdefault("auto_id", "intake_%s")
        super().__init__(*args, **kwargs)
