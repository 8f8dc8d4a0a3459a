"""REST API settings (DRF and drf-spectacular), imported by base.py:

    from config.settings.api import *  # noqa: F403

They replace base.py's first REST_FRAMEWORK and SPECTACULAR_SETTINGS (keeping what those set).
The throttle rate is per API key (or per signed-in user), counted in the default cache — Redis
when REDIS_URL is set, so every web node shares the count.
"""

import os

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "advisor.api.schema.ForkcastAutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "advisor.api.auth.ApiKeyAuthentication",
        # Enforces CSRF on unsafe methods for signed-in members.
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["advisor.api.throttles.ApiKeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": os.environ.get("FORKCAST_API_RATE", "120/min")},
    "DEFAULT_PAGINATION_CLASS": "advisor.api.pagination.ApiPagination",
    "PAGE_SIZE": 25,
    "EXCEPTION_HANDLER": "advisor.api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # `?format=` stays DRF's renderer switch: the report route offers json, markdown and pdf
    # renderers under exactly those names (see docs/API.md).
    "URL_FORMAT_OVERRIDE": "format",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Forkcast API",
    "VERSION": "1.0.0",
    "DESCRIPTION": (
        "Forkcast's REST API for integrations: clients, engagements, profiles, "
        "recommendations and their reports, the firm's library, and the stateless evaluator. "
        "Every route acts inside one firm, named in the URL. Authenticate with a firm's API "
        "key (`Authorization: Bearer <key>`) or a member's session (with its CSRF token on "
        "writes). Errors share one body: `{detail, code, errors}` with per-field messages "
        "in `errors`. See docs/API.md."
    ),
    "SCHEMA_PATH_PREFIX": r"/api/v1/firms/\{firm\}",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "EngagementStatusEnum": "projects.models.engagements.EngagementStatus",
        "RecommendationStatusEnum": "advisor.models.recommendations.RecommendationStatus",
        "OptionEnum": ["prompt_only", "rag", "fine_tuning", "hybrid"],
        # Confidence and hallucination tolerance share their three values.
        "LevelEnum": ["high", "medium", "low"],
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No call to validator.swagger.io: the docs work offline and under our CSP.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}
