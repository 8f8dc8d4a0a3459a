"""Strict input: request bodies take exactly the JSON types their schema names, and say so.

DRF is lenient by default — a CharField takes the number 7 as "7", an IntegerField takes "7",
unknown body fields are dropped, an empty query parameter counts as absent. The API promises
what its schema says instead, so a client's mistake is a 400 naming the field, not a guess:
- `StrictInputSerializer`: unknown body fields are errors (as they are in a profile), and its
  schema says `additionalProperties: false`;
- `Text`, `Email`, `Url`: JSON strings only; `Whole`: JSON integers only (not true/false);
- `QueryWhole`: a query parameter of digits only (DRF would take "1.0").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

UNKNOWN_FIELD = "Not a field of this request."


class StrictInputSerializer(serializers.Serializer):
    def to_internal_value(self, data: Any) -> Any:
        unknown: dict[str, list[str]] = {}
        if isinstance(data, Mapping):
            unknown = {str(name): [UNKNOWN_FIELD] for name in data if name not in self.fields}
        try:
            value = super().to_internal_value(data)
        except ValidationError as error:
            detail = error.detail if isinstance(error.detail, dict) else {}
            raise ValidationError({**unknown, **detail}) from None
        if unknown:
            raise ValidationError(unknown)
        return value


class _Typed:
    """Refuse values of the wrong JSON type before DRF coerces them."""

    accepted: tuple[type, ...] = (str,)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, self.accepted):
            self.fail("invalid")  # type: ignore[attr-defined]
        return super().to_internal_value(data)  # type: ignore[misc]


class Text(_Typed, serializers.CharField):
    pass


class Email(_Typed, serializers.EmailField):
    pass


class Url(_Typed, serializers.URLField):
    pass


class Whole(_Typed, serializers.IntegerField):
    accepted = (int,)


class QueryWhole(serializers.IntegerField):
    DIGITS = re.compile(r"^[0-9]{1,19}$")

    def to_internal_value(self, data: Any) -> int:
        if not isinstance(data, str) or not self.DIGITS.match(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictInputExtension(OpenApiSerializerExtension):
    target_class = StrictInputSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["additionalProperties"] = False
        return schema
