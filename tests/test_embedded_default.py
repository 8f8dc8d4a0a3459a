"""The embedded default that `make run` starts: SQLite, eager tasks, console e-mail and a seeded
demo firm — served by a real runserver process and logged into over HTTP."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def embedded_env(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    # Everything as `make run` has it, except the SQLite file, kept out of the working tree.
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'embedded.sqlite3'}"
    return env


def _manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_make_run_serves_the_seeded_demo_firm(embedded_env):
    assert _manage(embedded_env, "migrate", "--noinput").returncode == 0
    seeded = _manage(embedded_env, "seed_demo")
    assert seeded.returncode == 0, seeded.stderr
    assert "owner@northwind.example" in seeded.stdout and "forkcast-demo" in seeded.stdout
    assert _manage(embedded_env, "seed_demo").returncode == 0  # idempotent

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=embedded_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                health = opener.open(f"{base}/healthz", timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        assert b'"database": "ok"' in health

        login_page = opener.open(f"{base}/accounts/login/", timeout=10).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token,
                "username": "consultant@northwind.example",
                "password": "forkcast-demo",
            }
        ).encode()
        request = urllib.request.Request(
            f"{base}/accounts/login/", data=form, headers={"Referer": f"{base}/accounts/login/"}
        )
        landed = opener.open(request, timeout=10)
        body = landed.read().decode()
        assert landed.geturl().endswith("/f/northwind/")
        assert "Northwind Advisory" in body and "Chloe Dubois" in body
    finally:
        server.terminate()
        server.wait(timeout=10)
