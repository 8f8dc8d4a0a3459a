"""Firm settings → API keys: list, create (the secret shown once), revoke. Owners and admins.

The secret is rendered in the response to the POST that made it and nowhere else: it is not
stored, not put in the session or a message, and a reload cannot show it again.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from projects.forms import apply_errors
from projects.forms_api_keys import ApiKeyForm
from projects.models import ApiKey, Role
from projects.services.api_keys import api_key_create, api_key_list, api_key_revoke
from projects.tenancy.views import firm_view

TEMPLATE = "projects/api_keys.html"


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "tab": "api-keys",
        "keys": list(api_key_list(firm=request.firm)),
        "form": ApiKeyForm(),
        **extra,
    }


def _page(request: HttpRequest, status: int = 200, **extra: Any) -> HttpResponse:
    template = f"{TEMPLATE}#panel" if request.htmx else TEMPLATE
    return render(request, template, _context(request, **extra), status=status)


@firm_view(read_role=Role.ADMIN, write_role=Role.ADMIN)
def api_keys(request: HttpRequest) -> HttpResponse:
    return _page(request)


@never_cache
@require_POST
@firm_view(read_role=Role.ADMIN, write_role=Role.ADMIN)
def api_key_new(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST)
    if form.is_valid():
        try:
            key, secret = api_key_create(
                firm=request.firm,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                created_by=request.user,
                expires_at=form.expires_at(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _page(request, new_key=key, new_secret=secret)
    return _page(request, status=200 if request.htmx else 400, form=form)


@require_POST
@firm_view(read_role=Role.ADMIN, write_role=Role.ADMIN)
def api_key_revoke_view(request: HttpRequest, api_key_id: int) -> HttpResponse:
    try:
        key = api_key_revoke(firm=request.firm, key_id=api_key_id, user=request.user)
    except ApiKey.DoesNotExist:
        raise Http404("No such API key.") from None
    messages.info(request, f"The key “{key.name}” is revoked: it no longer opens the API.")
    if request.htmx:
        return _page(request)
    return redirect("projects:api-keys", firm_slug=request.firm.slug)
