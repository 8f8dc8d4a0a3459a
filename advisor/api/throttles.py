"""Rate limits per API key (or per signed-in user for session requests).

DRF keeps the counters in Django's default cache: Redis, shared by every web node, when
`REDIS_URL` is set; per-process memory otherwise (the embedded default).
"""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from advisor.api.auth import request_api_key


class ApiKeyRateThrottle(SimpleRateThrottle):
    """`DEFAULT_THROTTLE_RATES["api"]` requests per key (e.g. "120/min")."""

    scope = "api"

    def get_rate(self) -> str | None:
        # Read on each request rather than once at import, so a changed setting applies.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        key = request_api_key(request)
        if key is not None:
            ident = f"key-{key.pk}"
        elif request.user is not None and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            return None  # refused before this (401); nothing to count
        return self.cache_format % {"scope": self.scope, "ident": ident}
