"""The API's one choke point: every route under /api/v1/firms/<firm>/ is a `FirmApiView`.

In order, for every request:
1. authenticate — an API key (`Authorization: Bearer …`) or the member's session (CSRF enforced
   on unsafe methods); none, or an unknown, revoked or expired key → 401;
2. resolve the firm from the `firm` URL kwarg and check the caller belongs to it — a key of that
   firm, or a member's session; an unknown firm, another firm's key and a non-member all get the
   same 404, with nothing of the other firm in the body (never 403);
3. check the method against the key's scope (read keys only read) or the member's role (viewers
   only read) → 403;
4. throttle per key (or per user) → 429 with Retry-After;
5. run the handler inside `firm_scope(firm)` — the scoped managers and PostgreSQL's row-level
   security both see the firm — in a savepoint of its own, so a failed write leaves nothing
   (a view that changes nothing, `writes = False`, has nothing to roll back and needs none);
6. render the response while still inside the scope (DRF would otherwise render after the view
   returned, outside it).

Unauthenticated requests get their 401 before the firm is looked at, so whether a firm exists
is never revealed to someone without credentials.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponseBase
from rest_framework import exceptions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.pagination import BasePagination
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from advisor.api.auth import ApiKeyAuthentication, request_api_key
from advisor.api.pagination import ApiPagination
from advisor.api.throttles import ApiKeyRateThrottle
from projects.models import ApiKeyScope, Firm, Membership, Role, User
from projects.models.firms import role_at_least
from projects.services.api_keys import api_key_touch
from projects.tenancy.scope import firm_scope

# Ids are bigints: larger ones in a query or body are refused as out of range (400).
MAX_ID = 2**63 - 1
# The role a member needs for unsafe methods, as on the HTML surface (firm_view's default).
WRITE_ROLE = Role.CONSULTANT


class FirmApiView(APIView):
    """Base of every firm API. Subclasses implement `get`/`post`/`patch`/`delete` and use
    `self.firm`; `writes = False` marks a POST that changes nothing (the evaluator), which read
    keys and viewers may call."""

    authentication_classes: ClassVar[list[type]] = [ApiKeyAuthentication, SessionAuthentication]
    permission_classes: ClassVar[list[type]] = [IsAuthenticated]
    throttle_classes: ClassVar[list[type]] = [ApiKeyRateThrottle]
    writes: ClassVar[bool] = True
    # No OPTIONS: the OpenAPI schema documents the API (and there is no CORS to pre-flight).
    http_method_names: ClassVar[list[str]] = ["get", "post", "patch", "delete", "head"]
    # Extra error statuses an operation can answer, for the schema: {"DELETE": [409]}.
    extra_error_statuses: ClassVar[dict[str, list[int]]] = {}

    firm: Firm | None = None
    membership: Membership | None = None

    # --- the choke point ----------------------------------------------------------------------

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        # No request-wide transaction (ATOMIC_REQUESTS): the firm's scope below is the
        # transaction, from authentication to the rendered response.
        return transaction.non_atomic_requests(super().as_view(**initkwargs))

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        slug = kwargs.get("firm", "")
        self.firm = Firm.objects.filter(slug=slug).first() if slug else None
        if self.firm is None:
            # Still authenticated first: the 401/404 order must not depend on the firm existing.
            return self._dispatch(request, *args, **kwargs)
        with firm_scope(self.firm):
            return self._dispatch(request, *args, **kwargs)

    def _dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # DRF's APIView.dispatch, with the handler in a savepoint and the render inside.
        self.args, self.kwargs = args, kwargs
        drf_request = self.initialize_request(request, *args, **kwargs)
        self.request = drf_request
        self.headers = self.default_response_headers
        try:
            self.initial(drf_request, *args, **kwargs)
            method = drf_request.method.lower()
            handler = (
                getattr(self, method, self.http_method_not_allowed)
                if method in self.http_method_names
                else self.http_method_not_allowed
            )
            if self.writes:
                with transaction.atomic():
                    response = handler(drf_request, *args, **kwargs)
            else:
                response = handler(drf_request, *args, **kwargs)
        except Exception as exc:
            response = self.handle_exception(exc)
        self.response = self.finalize_response(drf_request, response, *args, **kwargs)
        if hasattr(self.response, "render") and not self.response.is_rendered:
            self.response.render()
        return self.response

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)  # IsAuthenticated: 401 without credentials
        firm = self.firm
        if firm is None:
            raise exceptions.NotFound()
        writing = self.writes and request.method not in SAFE_METHODS
        key = request_api_key(request)
        if key is not None:
            if key.firm_id != firm.pk:
                raise exceptions.NotFound()
            if writing and key.scope != ApiKeyScope.WRITE:
                raise exceptions.PermissionDenied("This API key may only read.")
            api_key_touch(firm=firm, key=key)
            return
        membership = Membership.objects.filter(firm=firm, user=request.user).first()
        if membership is None:
            raise exceptions.NotFound()
        if writing and not role_at_least(membership.role, WRITE_ROLE):
            raise exceptions.PermissionDenied("Your role in this firm may only read.")
        self.membership = membership

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:
            # DRF's answer to an unknown `?format=`; a bad parameter is a 400 here.
            formats = ", ".join(r.format for r in self.get_renderers())
            raise exceptions.ValidationError({"format": [f"Choose one of: {formats}."]}) from None

    def finalize_response(
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response) and response.status_code >= 400:
            # Errors are JSON whatever the negotiated format (a report asked as PDF included).
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = "application/json"
        return response

    # --- helpers for handlers -----------------------------------------------------------------

    @property
    def acting_user(self) -> User | None:
        """The signed-in member, or None when a key is calling (keys act for the firm)."""
        user = self.request.user
        return user if isinstance(user, User) else None

    @property
    def api_key_name(self) -> str:
        key = request_api_key(self.request)
        return key.name if key is not None else ""

    def query(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        """The validated query parameters (400 with per-field errors otherwise)."""
        # A plain dict, not the QueryDict: DRF would read `?status=` as "not given"; an empty
        # value is refused like any other invalid one.
        serializer = serializer_class(data=self.request.query_params.dict())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def body(
        self, serializer_class: type[serializers.Serializer], *, partial: bool = False
    ) -> dict[str, Any]:
        """The validated request body (400 with per-field errors otherwise)."""
        serializer = serializer_class(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def paginated(
        self, items: Any, serializer_class: type[serializers.Serializer], **context: Any
    ) -> Response:
        paginator: BasePagination = getattr(self, "pagination_class", ApiPagination)()
        page = paginator.paginate_queryset(items, self.request, view=self)
        data = serializer_class(page, many=True, context={"view": self, **context}).data
        return paginator.get_paginated_response(data)
