"""The fast form renderer draws every widget it knows exactly as Django's templates do."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from advisor.engine import load_price_book
from advisor.forms import DeliverForm, NarrativeForm, OverrideForm, WhatIfForm
from projects.form_renderer import FastWidgetRenderer

TRICKY = 'a "quoted" <b>tag</b> & it\'s'


class Everything(forms.Form):
    text = forms.CharField(label="Text", max_length=20, help_text="Some help")
    optional = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"placeholder": TRICKY})
    )
    number = forms.IntegerField(min_value=0, max_value=10)
    decimal = forms.DecimalField(required=False, min_value=0, decimal_places=2)
    email = forms.EmailField(required=False)
    url = forms.URLField(required=False, assume_scheme="https")
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True), required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "readonly": True}))
    choice = forms.ChoiceField(choices=[("", "—"), ("a", "A & B"), ("b", TRICKY)])
    grouped = forms.ChoiceField(
        required=False,
        choices=[("Group <1>", [("x", "X"), ("y", "Y")]), ("z", "Z")],
        widget=forms.Select(attrs={"disabled": False, "data-x": TRICKY}),
    )
    boolean = forms.BooleanField(required=False)  # a checkbox: left to Django's template


def both(form_class, *args, **kwargs):
    slow = form_class(*args, renderer=DjangoTemplates(), **kwargs)
    fast = form_class(*args, renderer=FastWidgetRenderer(), **kwargs)
    return slow, fast


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"text": TRICKY, "number": "11", "body": f"line\n{TRICKY}", "choice": "b", "grouped": "y",
         "decimal": "1.5", "hidden": TRICKY, "secret": TRICKY, "email": "x", "url": TRICKY},
        {"text": "", "number": "", "body": "", "choice": "nope"},
    ],
)  # fmt: skip
def test_every_widget_is_drawn_as_djangos_templates_draw_it(data):
    slow, fast = both(Everything, data, initial={"optional": TRICKY, "number": 3})
    if data is not None:  # bound and checked: errors mark the inputs (aria-invalid)
        assert slow.is_valid() == fast.is_valid()
    for name in Everything.base_fields:
        assert str(fast[name]) == str(slow[name]), name


def test_the_review_pages_forms_are_drawn_as_before():
    book = load_price_book()
    for slow, fast in [
        both(OverrideForm),
        both(OverrideForm, {"kind": "rule", "value": "x", "justification": "short"}),
        both(NarrativeForm, initial={"narrative": f"## Hi\n\n{TRICKY}"}),
        both(DeliverForm),
        both(DeliverForm, {"days": "0", "email": "nope"}),
        both(WhatIfForm, initial={"queries_per_month": 30000, "model": "gpt-4o"}, price_book=book),
        both(WhatIfForm, {"queries_per_month": "-1", "model": "x"}, price_book=book),
    ]:
        if slow.is_bound:
            assert slow.is_valid() == fast.is_valid()
        for name in slow.fields:
            assert str(fast[name]) == str(slow[name]), (type(slow).__name__, name)
    assert isinstance(OverrideForm().renderer, FastWidgetRenderer)
