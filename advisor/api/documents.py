"""The documents the API passes through untouched — the profile (DESIGN §4.1), the assessment
(§4.2) and a frozen report — as marker serializers with their JSON Schemas.

The engine validates profiles (one description of every field: `PROFILE_FIELDS`), so the API
never re-implements that validation in a DRF serializer; these classes exist so the OpenAPI
schema can name and describe the documents (`schema.py` maps them to the schemas below).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from advisor.engine import OPTIONS, PROFILE_FIELDS

VERDICTS = list(OPTIONS)
CONFIDENCE = ["high", "medium", "low"]


class ProfileDocument(serializers.Serializer):
    """A product profile (DESIGN §4.1); validated by the engine, per field."""


class AssessmentDocument(serializers.Serializer):
    """The engine's assessment (DESIGN §4.2), exactly as `manage.py advise` prints it."""


class ReportDocument(serializers.Serializer):
    """A frozen revision's report content."""


# What Python's str.strip() removes (the engine strips text before checking it), spelled out:
# JSON Schema's \\s is ECMAScript's, which is a different set.
_SPACE = (
    "\\t\\n\\u000b\\u000c\\r\\u001c-\\u001f \\u0085\\u00a0\\u1680\\u2000-\\u200a"
    "\\u2028\\u2029\\u202f\\u205f\\u3000"
)


def stripped_length_pattern(low: int, high: int | None) -> str:
    """A pattern for "once stripped, from `low` (0 or 1) to `high` characters long": exactly
    what the engine accepts, so the schema neither promises more nor refuses more than it does.
    """
    char, anything = f"[^{_SPACE}]", r"[\s\S]"
    between = "*" if high is None else f"{{0,{max(high - 2, 0)}}}"
    text = f"{char}({anything}{between}{char})?"
    if low == 0:
        text = f"({text})?"
    return f"^[{_SPACE}]*{text}[{_SPACE}]*$"


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def profile_schema() -> dict[str, Any]:
    """JSON Schema of a profile, built from the engine's own field descriptions."""
    properties: dict[str, Any] = {}
    for spec in PROFILE_FIELDS:
        schema: dict[str, Any]
        if spec.type == "bool":
            schema = {"type": "boolean"}
        elif spec.type == "enum":
            schema = {"type": "string", "enum": list(spec.choices)}
        elif spec.type in {"int", "number"}:
            schema = {"type": "integer" if spec.type == "int" else "number"}
            if spec.min is not None:
                schema["minimum"] = _plain(spec.min)
            if spec.max is not None:
                schema["maximum"] = _plain(spec.max)
        else:
            schema = {"type": "string"}
            if spec.max is not None or spec.required:
                schema["pattern"] = stripped_length_pattern(1 if spec.required else 0, spec.max)
        if spec.nullable:
            schema["nullable"] = True
        description = f"{spec.label}. {spec.help}".strip()
        if spec.default_from:
            description += " Default: the price book's default; must be one of its models."
        elif not spec.required and spec.default is not None:
            description += f" Default: {_plain(spec.default)!r}."
        schema["description"] = description
        properties[spec.name] = schema
    return {
        "type": "object",
        "description": "A product profile (DESIGN §4.1). Every field is optional except "
        "`name`; unknown fields, wrong types and out-of-range values are errors, reported per "
        "field. `few_shot_tokens` may not exceed `input_tokens`.",
        "properties": properties,
        "required": [spec.name for spec in PROFILE_FIELDS if spec.required],
        "additionalProperties": False,
    }


_NUMBER = {"type": "number"}
_NULLABLE_NUMBER = {"type": "number", "nullable": True}
_STRINGS = {"type": "array", "items": {"type": "string"}}
_LOW_HIGH = {
    "type": "object",
    "required": ["low", "high"],
    "properties": {"low": _NUMBER, "high": _NUMBER},
}


def _per_option(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": VERDICTS,
        "properties": dict.fromkeys(VERDICTS, schema),
    }


def assessment_schema() -> dict[str, Any]:
    """JSON Schema of an assessment (DESIGN §4.2): the contract's fields are required and
    typed; the engine may add more (it documents them in docs/ENGINE.md)."""
    option_cost = {
        "type": "object",
        "required": [
            "one_off_usd",
            "training_usd_per_run",
            "training_runs",
            "monthly",
            "total_usd",
            "cost_per_query_usd",
        ],
        "properties": {
            "one_off_usd": _NUMBER,
            "training_usd_per_run": _NUMBER,
            "training_runs": _NUMBER,
            "monthly": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": [
                        "month",
                        "queries",
                        "inference_usd",
                        "retrieval_usd",
                        "training_usd",
                        "engineering_usd",
                        "total_usd",
                    ],
                    "properties": {
                        "month": {"type": "integer", "minimum": 0},
                        "queries": _NUMBER,
                        "inference_usd": _NUMBER,
                        "retrieval_usd": _NUMBER,
                        "training_usd": _NUMBER,
                        "engineering_usd": _NUMBER,
                        "total_usd": _NUMBER,
                    },
                },
            },
            "total_usd": _NUMBER,
            "cost_per_query_usd": _NULLABLE_NUMBER,
            "cost_per_1k_queries_usd": _NULLABLE_NUMBER,
            "peak_monthly_usd": _NUMBER,
            "ranges": {"type": "object", "additionalProperties": _LOW_HIGH},
        },
    }
    rule = {
        "type": "object",
        "required": ["id", "title", "fired", "effect", "inputs", "rationale", "evidence"],
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "fired": {"type": "boolean"},
            "effect": {"type": "string"},
            "inputs": {"type": "object", "additionalProperties": True},
            "rationale": {"type": "string"},
            "evidence": _STRINGS,
        },
    }
    return {
        "type": "object",
        "description": "The assessment (DESIGN §4.2): verdict, staging, rule trace with "
        "evidence, costs per option over the horizon, latency, roadmap. Money is US dollars "
        "rounded to cents.",
        "required": [
            "schema_version",
            "engine_version",
            "price_book",
            "as_of",
            "verdict",
            "start_with",
            "confidence",
            "signals",
            "rules",
            "blockers",
            "risks",
            "components",
            "assumptions",
            "costs",
            "latency",
            "roadmap",
        ],
        "properties": {
            "schema_version": {"type": "integer"},
            "engine_version": {"type": "string"},
            "price_book": {"type": "string", "description": "slug@version"},
            "as_of": {"type": "string", "format": "date"},
            "verdict": {"type": "string", "enum": VERDICTS},
            "start_with": {"type": "string", "enum": VERDICTS},
            "confidence": {"type": "string", "enum": CONFIDENCE},
            "signals": {
                "type": "object",
                "required": ["knowledge", "behaviour"],
                "properties": {
                    "knowledge": {"type": "integer"},
                    "behaviour": {"type": "integer"},
                },
            },
            "rules": {"type": "array", "items": rule},
            "blockers": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["option", "reason", "rule"],
                    "properties": {
                        "option": {"type": "string", "enum": VERDICTS},
                        "reason": {"type": "string"},
                        "rule": {"type": "string"},
                    },
                },
            },
            "risks": {"type": "array", "items": {"type": "object"}},
            "components": {"type": "array", "items": {"type": "object"}},
            "assumptions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["field", "value", "source"],
                    "properties": {
                        "field": {"type": "string"},
                        "value": {"nullable": True},
                        "source": {"type": "string", "enum": ["client", "default", "consultant"]},
                    },
                },
            },
            "costs": {
                "type": "object",
                "required": ["horizon_months", "options", "break_even"],
                "properties": {
                    "horizon_months": {"type": "integer", "minimum": 1},
                    "options": _per_option(option_cost),
                    "break_even": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["option", "versus", "month"],
                            "properties": {
                                "option": {"type": "string", "enum": VERDICTS},
                                "versus": {"type": "string", "enum": VERDICTS},
                                "month": {"type": "integer", "nullable": True},
                            },
                        },
                    },
                },
            },
            "latency": _per_option(
                {
                    "type": "object",
                    "required": ["p95_ms_low", "p95_ms_high", "meets_budget"],
                    "properties": {
                        "p95_ms_low": {"type": "integer"},
                        "p95_ms_high": {"type": "integer"},
                        "meets_budget": {"type": "boolean", "nullable": True},
                    },
                }
            ),
            "roadmap": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": [
                        "stage",
                        "title",
                        "approach",
                        "duration_days_low",
                        "duration_days_high",
                        "cost_usd",
                        "exit_criteria",
                        "deliverables",
                    ],
                    "properties": {
                        "stage": {"type": "integer"},
                        "title": {"type": "string"},
                        "approach": {"type": "string", "enum": VERDICTS},
                        "duration_days_low": {"type": "integer"},
                        "duration_days_high": {"type": "integer"},
                        "cost_usd": _NUMBER,
                        "exit_criteria": _STRINGS,
                        "deliverables": _STRINGS,
                    },
                },
            },
        },
    }


def report_schema(assessment_ref: dict[str, Any]) -> dict[str, Any]:
    """JSON Schema of a frozen revision's report content (advisor.report_content)."""
    return {
        "type": "object",
        "description": "The report as approved: the engine's assessment untouched, the "
        "effective result after the consultant's overrides, the overrides with their "
        "justifications, the narrative, the cited evidence, and the revision's number and "
        "approval.",
        "required": [
            "schema",
            "firm",
            "client",
            "engagement",
            "profile_version",
            "revision",
            "assessment",
            "effective",
            "overrides",
            "narrative",
            "evidence",
        ],
        "properties": {
            "schema": {"type": "integer"},
            "firm": {"type": "object"},
            "client": {"type": "object", "properties": {"name": {"type": "string"}}},
            "engagement": {"type": "object", "properties": {"title": {"type": "string"}}},
            "profile_version": {"type": "integer"},
            "revision": {
                "type": "object",
                "required": ["number", "approved_at"],
                "properties": {
                    "number": {"type": "integer", "minimum": 1},
                    "approved_at": {"type": "string"},
                    "approved_by": {"type": "string"},
                },
            },
            "assessment": assessment_ref,
            "effective": {
                "type": "object",
                "required": ["verdict", "start_with"],
                "properties": {
                    "verdict": {"type": "string", "enum": VERDICTS},
                    "start_with": {"type": "string", "enum": VERDICTS},
                },
            },
            "overrides": {"type": "array", "items": {"type": "object"}},
            "narrative": {"type": "string"},
            "evidence": {"type": "array", "items": {"type": "object"}},
        },
    }


@extend_schema_field(AssessmentDocument)
class AssessmentField(serializers.JSONField):
    """An assessment, passed through as the engine made it."""


@extend_schema_field({"type": "object", "additionalProperties": True})
class ObjectField(serializers.JSONField):
    """A JSON object passed through as stored."""
