"""A form renderer that draws the common widgets in Python instead of through Django's widget
templates.

Rendering `{{ form.field }}` goes through a template (and `attrs.html` included from it) per
widget, and per option of a select: on the review page that was several milliseconds of a
request for a handful of inputs (docs/PERFORMANCE.md). The widget's own `get_context` still
decides everything (name, value, id, required, min, max, the selected options); only the last
step, turning that context into markup, is done here, with the markup of Django's templates
byte for byte (`tests/projects/test_form_renderer.py` compares them). Any other template goes
to Django's renderer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape


def _attrs(attrs: Mapping[str, Any]) -> str:
    # django/forms/widgets/attrs.html
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {conditional_escape(name)}")
        else:
            out.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(out)


def _input(widget: Mapping[str, Any]) -> str:
    # django/forms/widgets/input.html
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(str(value))}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


def _textarea(widget: Mapping[str, Any]) -> str:
    # django/forms/widgets/textarea.html
    value = widget["value"]
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{conditional_escape(value) if value else ''}</textarea>"
    )


def _option(option: Mapping[str, Any]) -> str:
    # django/forms/widgets/select_option.html
    return (
        f'<option value="{conditional_escape(str(option["value"]))}"'
        f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>"
    )


def _select(widget: Mapping[str, Any]) -> str:
    # django/forms/widgets/select.html, whitespace included (the renderer strips only the ends)
    out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _ in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option["template_name"] != "django/forms/widgets/select_option.html":
                raise _NotFast
            out.append(f"\n  {_option(option)}\n")  # the option template ends in a newline
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


class _NotFast(Exception):
    """A widget context this module does not draw: Django's template draws it."""


FAST: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "django/forms/widgets/text.html": _input,
    "django/forms/widgets/number.html": _input,
    "django/forms/widgets/email.html": _input,
    "django/forms/widgets/url.html": _input,
    "django/forms/widgets/password.html": _input,
    "django/forms/widgets/hidden.html": _input,
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/select.html": _select,
}


class FastWidgetRenderer(DjangoTemplates):
    """Django's default renderer, with the widgets above drawn in Python."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        draw = FAST.get(template_name)
        widget = context.get("widget") if draw else None
        if draw is not None and widget is not None:
            try:
                return draw(widget)
            except _NotFast:
                pass
        return super().render(template_name, context, request)


# One instance for every form that uses it: a renderer builds its template engine once.
fast_widget_renderer = FastWidgetRenderer()
