"""Settings of `make bench`: production settings on a database and Redis db of its own.

The benchmark measures what a deployment runs (DEBUG off, PostgreSQL as a role without RLS
bypass, Redis as broker and cache), on `forkcast_bench` and Redis db 13 so it never clashes with
the test suite or a developer's data. Only what a loopback benchmark cannot have is changed:
no HTTPS redirect, static files from the source folders (no collectstatic step), and an API
rate limit high enough that the load generator measures the evaluator, not the throttle.
"""

import os
import warnings

# Static files come from the source folders (WHITENOISE_USE_FINDERS), so there is no STATIC_ROOT.
warnings.filterwarnings("ignore", "No directory at", UserWarning)

BENCH_DATABASE_URL = "postgres://forkcast_app:forkcast_app@127.0.0.1:5432/forkcast_bench"
BENCH_REDIS_URL = "redis://127.0.0.1:6379/13"

# Read by base.py at import time, so they are set before it is imported.
os.environ.setdefault("DATABASE_URL", BENCH_DATABASE_URL)
os.environ.setdefault("REDIS_URL", BENCH_REDIS_URL)
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-deployment-0123456789abcdef")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("FORKCAST_API_RATE", "1000000/min")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from config.settings.production import *  # noqa: E402, F403

ROOT_URLCONF = "bench.urls"
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
