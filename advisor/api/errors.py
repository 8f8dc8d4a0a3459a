"""The API's one error format, whatever went wrong:

    {"detail": "A sentence for people.", "code": "machine_code", "errors": {"field": ["msg"]}}

`errors` is always present: per-field messages for 400s (nested fields as `a.b`, list items as
`items.0.b`, problems with no single field under `non_field_errors`), `{}` otherwise.

The handler also maps the domain's own exceptions — the engine's `ProfileError`, Django's
`ValidationError` raised by services, `DoesNotExist` — so views need not translate them.
A 404's detail never echoes what was looked for: "missing" and "not yours" read the same.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings

from advisor.engine import ProfileError

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY  # "non_field_errors"
ENGINE_NON_FIELD = "__all__"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


class ErrorSerializer(serializers.Serializer):
    """The body of every error response (documented once, referenced by every operation)."""

    detail = serializers.CharField(help_text="What went wrong, in a sentence.")
    code = serializers.CharField(
        help_text="A stable machine-readable code: invalid, not_authenticated, "
        "authentication_failed, permission_denied, not_found, method_not_allowed, "
        "not_acceptable, unsupported_media_type, conflict, throttled, parse_error."
    )
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Per-field messages (400 only; empty otherwise). Nested fields are joined "
        "with dots; problems with no single field are under `non_field_errors`.",
    )


def profile_errors(error: ProfileError) -> dict[str, list[str]]:
    """The engine's per-field errors in the API's shape (its `__all__` is our non-field key)."""
    return {
        (NON_FIELD if field == ENGINE_NON_FIELD else field): list(messages)
        for field, messages in error.errors.items()
    }


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"a.b": [messages]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            name = NON_FIELD if key == ENGINE_NON_FIELD else str(key)
            for field, messages in _flatten(value, f"{prefix}.{name}" if prefix else name).items():
                flat.setdefault(field, []).extend(messages)
    elif isinstance(detail, list) and any(isinstance(item, Mapping | list) for item in detail):
        for index, value in enumerate(detail):
            if not value:
                continue
            field = f"{prefix}.{index}" if prefix else str(index)
            for name, messages in _flatten(value, field).items():
                flat.setdefault(name, []).extend(messages)
    elif isinstance(detail, list):
        flat[prefix or NON_FIELD] = [str(item) for item in detail]
    else:
        flat[prefix or NON_FIELD] = [str(detail)]
    return flat


def _code(exc: exceptions.APIException) -> str:
    code = getattr(exc.detail, "code", None)
    return str(code or exc.default_code)


def error_body(exc: exceptions.APIException) -> dict[str, Any]:
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        only = errors.get(NON_FIELD, [])
        detail = (
            only[0]
            if len(errors) == 1 and len(only) == 1
            else "Some fields are invalid: see `errors`."
        )
        return {"detail": detail, "code": "invalid", "errors": errors}
    detail = exc.detail
    if isinstance(detail, list | dict):
        # Only ValidationError carries structured detail in DRF; keep the shape regardless.
        return {"detail": "The request failed.", "code": _code(exc), "errors": _flatten(detail)}
    return {"detail": str(detail), "code": _code(exc), "errors": {}}


def _translate(exc: Exception) -> Exception:
    if isinstance(exc, ProfileError):
        return exceptions.ValidationError(profile_errors(exc))
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        # Never the lookup's own message: it could name what was looked for.
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    return exc


def exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]. Anything not mapped here is a 500 (raised on).

    Unlike DRF's own handler this does not mark the transaction for rollback: the choke point
    runs each handler in its own savepoint, which the exception has already rolled back, and
    the firm's scope must still be able to reset its setting on the way out.
    """
    exc = _translate(exc)
    if not isinstance(exc, exceptions.APIException):
        return None
    headers: dict[str, str] = {}
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    if isinstance(exc, exceptions.Throttled):
        # Always sent (at least a second) so clients can rely on it.
        headers["Retry-After"] = str(max(1, math.ceil(exc.wait or 1)))
    return Response(error_body(exc), status=exc.status_code, headers=headers)


@csrf_exempt
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Anything under /api/ that matches no route: the same JSON 404 as a missing object."""
    return JsonResponse(error_body(exceptions.NotFound()), status=404)
