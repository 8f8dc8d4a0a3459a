"""Small helpers for the review pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """`{{ mapping|get_item:key }}` — a dict lookup with a variable key."""
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None


@register.filter
def outcome_label(value: str) -> str:
    """An override's value in words: an option's name, or a rule outcome."""
    from advisor.report_content import OPTION_LABELS

    return OPTION_LABELS.get(value) or {"fired": "fired", "not_fired": "not fired"}.get(
        value, value
    )
