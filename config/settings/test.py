"""Settings for `make test`: PostgreSQL through a role that cannot bypass row-level security."""

import os

import dj_database_url

from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES, with_prepared_statements

SECRET_KEY = "test-only-secret-key-not-for-deployment-0123456789abcdef"  # noqa: S105 (tests only)
DATABASES["default"] = dj_database_url.parse(
    os.environ.get("DATABASE_URL", "postgres://forkcast_app:forkcast_app@127.0.0.1:5432/forkcast"),
    conn_max_age=0,
)
DATABASES["default"]["ATOMIC_REQUESTS"] = True
with_prepared_statements(DATABASES["default"])
WHITENOISE_USE_FINDERS = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_FAILURE_LIMIT = 5
AXES_VERBOSE = False
