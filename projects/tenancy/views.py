"""The one choke point of the HTML surface: resolves the firm from the URL, checks membership
and role, and runs the view inside the firm's scope.

Non-members and unknown firms get the same 404, so a firm's existence is not revealed. A member
whose role is too low for the method gets 403: safe methods need `read_role`, anything else
`write_role` (viewers never mutate).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from projects.models import Firm, Membership, Role
from projects.models.firms import role_at_least
from projects.tenancy.scope import firm_scope

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
View = Callable[..., HttpResponse]


def firm_view(
    *, read_role: str = Role.VIEWER, write_role: str = Role.CONSULTANT
) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(
            request: HttpRequest, firm_slug: str, *args: Any, **kwargs: Any
        ) -> HttpResponse:
            firm = Firm.objects.filter(slug=firm_slug).first()
            if firm is None:
                raise Http404("No such firm.")
            with firm_scope(firm):
                membership = (
                    Membership.objects.filter(firm=firm, user=request.user)
                    .select_related("user")
                    .first()
                )
                if membership is None:
                    raise Http404("No such firm.")
                required = read_role if request.method in SAFE_METHODS else write_role
                if not role_at_least(membership.role, required):
                    raise PermissionDenied("Your role in this firm does not allow this.")
                request.firm = firm  # type: ignore[attr-defined]
                request.membership = membership  # type: ignore[attr-defined]
                # Rendered here, inside the scope: the response is complete when it leaves.
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                    response.render()
                # One URL serves the full page and its HTMX fragment: caches must tell them apart.
                patch_vary_headers(response, ("HX-Request",))
                return response

        return wrapped

    return decorator
