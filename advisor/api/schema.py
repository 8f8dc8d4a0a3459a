"""The OpenAPI schema's additions to drf-spectacular's introspection.

- every firm operation documents every status it can answer: 401, 404, 406 and 429 always;
  400 where there is a body or a query parameter; 403 on unsafe methods (a read-only key or
  role, or a session without its CSRF token); 415 where there is a body; and what a view
  declares in `extra_error_statuses` — each with the one error body (`Error`), and the
  headers clients rely on (`WWW-Authenticate` on 401, `Retry-After` on 429);
- the profile, assessment and report documents get their JSON Schemas (documents.py);
- `Authorization: Bearer <key>` is declared as the `bearerAuth` security scheme.

drf-spectacular finds the extensions when this module is imported; the REST_FRAMEWORK setting
`DEFAULT_SCHEMA_CLASS` names `ForkcastAutoSchema`, which imports it.
"""

from __future__ import annotations

import inspect
from typing import Any

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerExtension,
)
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent

from advisor.api.documents import assessment_schema, profile_schema, report_schema
from advisor.api.errors import ErrorSerializer

SAFE = {"GET", "HEAD", "OPTIONS"}

ERROR_DESCRIPTIONS = {
    400: "Invalid input: per-field messages in `errors`.",
    401: "No credentials, or an unknown, revoked or expired API key.",
    403: "The key is read-only, the member's role may only read, or a session request came "
    "without its CSRF token.",
    404: "No such firm, object or page — or not one the caller may see (the same answer).",
    406: "The `Accept` header asks for a format this operation does not produce.",
    409: "The request conflicts with the resource's state (see `detail`).",
    415: "The body is not `application/json`.",
    429: "Too many requests for this key: wait `Retry-After` seconds.",
}
ERROR_HEADERS = {
    401: {
        "WWW-Authenticate": {
            "description": "The scheme to authenticate with: `Bearer`.",
            "required": True,
            "schema": {"type": "string"},
        }
    },
    429: {
        "Retry-After": {
            "description": "Seconds to wait before the next request.",
            "required": True,
            "schema": {"type": "integer", "minimum": 1},
        }
    },
}


class ForkcastAutoSchema(AutoSchema):
    def get_description(self) -> str:
        # The handler's own docstring only: drf-spectacular would otherwise fall back to the
        # view class's, inherited from FirmApiView (which describes the machinery, not the route).
        handler = getattr(self.view, self.method.lower(), None)
        return inspect.cleandoc(handler.__doc__) if handler is not None and handler.__doc__ else ""

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        from advisor.api.base import FirmApiView  # the base imports the views' machinery

        if operation is None or not isinstance(self.view, FirmApiView):
            return operation
        error = self.resolve_serializer(ErrorSerializer, "response").ref
        statuses = {401, 404, 406, 429}
        if any(p.get("in") == "query" for p in operation.get("parameters", [])):
            statuses.add(400)
        if self.method not in SAFE:
            statuses.add(403)
        if "requestBody" in operation:
            statuses |= {400, 415}
        statuses |= set(self.view.extra_error_statuses.get(self.method, ()))
        responses = operation["responses"]
        for status in sorted(statuses):
            response: dict[str, Any] = {
                "description": ERROR_DESCRIPTIONS[status],
                "content": {"application/json": {"schema": error}},
            }
            if status in ERROR_HEADERS:
                response["headers"] = ERROR_HEADERS[status]
            responses.setdefault(str(status), response)
        operation["responses"] = dict(sorted(responses.items()))
        return operation


class _DocumentExtension(OpenApiSerializerExtension):
    component = ""

    def get_name(self, auto_schema: AutoSchema, direction: str) -> str:
        return self.component

    def schema(self, auto_schema: AutoSchema) -> dict[str, Any]:
        raise NotImplementedError

    def map_serializer(self, auto_schema: AutoSchema, direction: str) -> dict[str, Any]:
        return self.schema(auto_schema)


class ProfileExtension(_DocumentExtension):
    target_class = "advisor.api.documents.ProfileDocument"
    component = "Profile"  # "ProfileRequest" as a request body (split components)

    def schema(self, auto_schema: AutoSchema) -> dict[str, Any]:
        return profile_schema()


class AssessmentExtension(_DocumentExtension):
    target_class = "advisor.api.documents.AssessmentDocument"
    component = "Assessment"

    def schema(self, auto_schema: AutoSchema) -> dict[str, Any]:
        return assessment_schema()


class ReportExtension(_DocumentExtension):
    target_class = "advisor.api.documents.ReportDocument"
    component = "Report"

    def schema(self, auto_schema: AutoSchema) -> dict[str, Any]:
        from advisor.api.documents import AssessmentDocument

        assessment: ResolvedComponent = auto_schema.resolve_serializer(
            AssessmentDocument, "response"
        )
        return report_schema(assessment.ref)


class BearerKeyScheme(OpenApiAuthenticationExtension):
    target_class = "advisor.api.auth.ApiKeyAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A firm's API key (Settings → API keys, or `manage.py "
            "createapikey`), sent as `Authorization: Bearer <key>`. A key acts for its firm "
            "only; read keys may not write.",
        }
