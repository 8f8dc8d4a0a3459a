"""Security settings that CI must not forgive: CSP, headers, CSRF, /healthz, deploy checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


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
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 20 + "k2J9-production-like-secret-with-enough-entropy-0123456789",
        "ALLOWED_HOSTS": "forkcast.example.com",
        "DATABASE_URL": "postgres://forkcast_app:forkcast_app@127.0.0.1:5432/forkcast",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout + out.stderr


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
