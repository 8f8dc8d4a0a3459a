"""Authentication of API requests: `Authorization: Bearer <key>` with a per-firm API key.

Session authentication (DRF's, which enforces CSRF on unsafe methods) is the other way in, for
members already signed in. Which firm a key may act for is decided by the choke point
(`base.FirmApiView`), not here: this only says who is calling.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from projects.models import ApiKey
from projects.services.api_keys import api_key_get_by_secret

# What a 401 answers in `WWW-Authenticate`: the scheme clients should use.
AUTH_HEADER = 'Bearer realm="api"'


class ApiKeyPrincipal:
    """`request.user` for a request made with an API key: authenticated, but nobody's account.

    Keys act for their firm, not for the member who created them (who may have left): handlers
    pass services no user (`FirmApiView.acting_user` is None) and record the key by name.
    """

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, key: ApiKey) -> None:
        self.key = key

    def __str__(self) -> str:
        return f"API key “{self.key.name}”"


class ApiKeyAuthentication(BaseAuthentication):
    """Bearer API keys. A bearer header that does not name a usable key is a 401 (never a
    fall-through to the session): a client that sent a key meant to use it."""

    keyword = "bearer"

    def authenticate(self, request: Request) -> tuple[ApiKeyPrincipal, ApiKey] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the key as `Authorization: Bearer <key>`.")
            )
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Unknown API key.")) from None
        # The choke point resolved the URL's firm and entered its scope before authenticating.
        view = request.parser_context.get("view")
        key = api_key_get_by_secret(secret=secret, firm=getattr(view, "firm", None))
        if key is None:
            raise exceptions.AuthenticationFailed(_("Unknown API key."))
        if key.state == "revoked":
            raise exceptions.AuthenticationFailed(_("This API key was revoked."))
        if key.state == "expired":
            raise exceptions.AuthenticationFailed(_("This API key has expired."))
        return ApiKeyPrincipal(key), key

    def authenticate_header(self, request: Request) -> str:
        # Present, so DRF answers 401 (not 403) to requests without credentials.
        return AUTH_HEADER


def request_api_key(request: Any) -> ApiKey | None:
    """The API key a request authenticated with, or None for a session."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiKey) else None
