"""Security settings that CI must not forgive: CSP, headers, CSRF, /healthz, deploy checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_HOST = "forkcast.example.com"


def production_env(**extra: str) -> dict[str, str]:
    """The environment of a production-like process: config.settings.production and what it
    demands from the environment."""
    return {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 20 + "k2J9-production-like-secret-with-enough-entropy-0123456789",
        "ALLOWED_HOSTS": PRODUCTION_HOST,
        "DATABASE_URL": "postgres://forkcast_app:forkcast_app@127.0.0.1:5432/forkcast",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        **extra,
    }


@pytest.mark.django_db
def test_csp_forbids_inline_script_and_eval_and_framing(client):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    body = response.content.decode()
    # htmx is the vendored copy, configured for a CSP without eval or inline styles.
    assert "/static/django-htmx/" in body or "htmx" in body
    assert '"allowEval": false' in body and '"includeIndicatorStyles": false' in body
    assert "<script>" not in body and " style=" not in body


@pytest.mark.django_db
def test_firm_pages_carry_the_csrf_token_for_htmx_and_a_nonced_style(firm, owner_client):
    response = owner_client.get(f"/f/{firm.slug}/")
    body = response.content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in body
    nonce = response.wsgi_request.csp_nonce
    assert f'<style nonce="{nonce}">' in body
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_state_changing_posts_without_csrf_token_are_refused(firm, owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    for path in (
        f"/f/{firm.slug}/settings/invitations/",
        f"/f/{firm.slug}/settings/",
        "/firms/new/",
        "/accounts/logout/",
    ):
        assert client.post(path, {"email": "a@b.example", "name": "X"}).status_code == 403, path


@pytest.mark.django_db
def test_healthz_reports_the_database_without_auth(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_a_database_outage():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
    }
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client(HTTP_HOST='localhost').get('/healthz');"
        "print(r.status_code, r.json()['status'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert out.stdout.strip().endswith("503 error"), out.stderr[-2000:]


def test_check_deploy_is_clean_under_production_settings():
    # --fail-level WARNING: a deploy warning (no HSTS, insecure cookies, …) fails the run.
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout + out.stderr


# Run inside a process on config.settings.production: the settings it ended up with, and the
# headers of /healthz over HTTPS, over HTTP, and over HTTPS terminated at the proxy.
PRODUCTION_PROBE = """
import json
import django
django.setup()
from django.conf import settings
from django.test import Client
names = ["DEBUG", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
         "SECURE_SSL_REDIRECT", "X_FRAME_OPTIONS", "SECURE_REFERRER_POLICY"]
out = {"settings": {name: getattr(settings, name) for name in names},
       "frame_ancestors": settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["frame-ancestors"]}
client = Client(HTTP_HOST=%(host)r)
for name, extra in {"https": {"secure": True}, "http": {},
                    "proxied_https": {"HTTP_X_FORWARDED_PROTO": "https"}}.items():
    response = client.get("/healthz", **extra)
    body = response.json() if response["Content-Type"] == "application/json" else None
    out[name] = {"status": response.status_code, "headers": dict(response.headers), "body": body}
response = client.get("/accounts/login/")
out["http_page"] = {"status": response.status_code, "headers": dict(response.headers)}
print(json.dumps(out))
"""


@pytest.mark.django_db
def test_production_sends_hsts_and_framing_and_referrer_headers_over_https():
    db = connection.settings_dict  # the test database: /healthz answers 200
    database_url = (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    )
    out = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE % {"host": PRODUCTION_HOST}],
        cwd=ROOT,
        env=production_env(DATABASE_URL=database_url, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    prod = seen["settings"]
    # What production must keep: HSTS for at least a year, on subdomains, preloadable.
    assert prod["DEBUG"] is False and prod["SECURE_SSL_REDIRECT"] is True
    assert prod["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert prod["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and prod["SECURE_HSTS_PRELOAD"]
    assert prod["X_FRAME_OPTIONS"] == "DENY" and seen["frame_ancestors"] == ["'none'"]
    assert prod["SECURE_REFERRER_POLICY"] == "same-origin"
    hsts = f"max-age={prod['SECURE_HSTS_SECONDS']}; includeSubDomains; preload"
    for kind in ("https", "proxied_https"):  # direct, or TLS ended at the proxy
        response = seen[kind]
        headers = response["headers"]
        assert response["status"] == 200 and response["body"]["status"] == "ok", kind
        assert headers["Strict-Transport-Security"] == hsts, kind
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], kind
        assert headers["X-Frame-Options"] == prod["X_FRAME_OPTIONS"], kind
        assert headers["Referrer-Policy"] == prod["SECURE_REFERRER_POLICY"], kind
        assert headers["X-Content-Type-Options"] == "nosniff", kind
    # Plain HTTP is sent to HTTPS, without HSTS (a browser ignores it over HTTP anyway)...
    plain = seen["http_page"]
    assert plain["status"] == 301
    assert plain["headers"]["Location"] == f"https://{PRODUCTION_HOST}/accounts/login/"
    assert "Strict-Transport-Security" not in plain["headers"]
    # ...except /healthz, which a load balancer asks over plain HTTP and must get an answer.
    health = seen["http"]
    assert health["status"] == 200 and health["body"]["status"] == "ok"
    assert "Strict-Transport-Security" not in health["headers"]


@pytest.mark.django_db
def test_dev_settings_send_no_hsts_even_over_https(client):
    """HSTS on the embedded default would pin a developer's browser to HTTPS for localhost."""
    from config.settings import local

    dev = {
        name: getattr(local, name)
        for name in ("SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT")
        if hasattr(local, name)
    }
    assert not dev.get("SECURE_HSTS_SECONDS") and not dev.get("SECURE_SSL_REDIRECT")
    with override_settings(**dev):
        response = client.get("/healthz", secure=True)
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response
    assert response["X-Frame-Options"] == "DENY"  # the other headers are everywhere


def test_production_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production", "SECRET_KEY": ""}
    out = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode != 0 and "SECRET_KEY must be set" in out.stderr


@pytest.mark.django_db
def test_htmx_responses_vary_on_hx_request(firm, owner_client):
    response = owner_client.get(f"/f/{firm.slug}/settings/members/")
    assert "HX-Request" in response.get("Vary", "")
