"""Prepare and check what `make test` needs; fail loudly, naming the service and how to start it.

- PostgreSQL at 127.0.0.1:5432: creates the application role (NOSUPERUSER NOBYPASSRLS, CREATEDB
  so pytest-django can create its test database) and its database when missing, connecting as
  the `postgres` superuser (trust auth on this machine; override with ADMIN_DATABASE_URL).
- Redis at 127.0.0.1:6379 (Celery tests and the shared cache).
- Debian's Chromium at /usr/bin/chromium (browser tests; Playwright's own download cannot work),
  unless `--no-browser` is given (`make bench` drives no browser).
"""

from __future__ import annotations

import os
import shutil
import socket
import sys

import psycopg
from psycopg import sql

ADMIN_URL = os.environ.get("ADMIN_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
APP_ROLE = os.environ.get("FORKCAST_DB_ROLE", "forkcast_app")
APP_PASSWORD = os.environ.get("FORKCAST_DB_PASSWORD", "forkcast_app")
APP_DB = os.environ.get("FORKCAST_DB_NAME", "forkcast")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

PG_START = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
REDIS_START = (
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no'
)


def fail(service: str, problem: str, how: str) -> None:
    print(
        f"\n{service} is not usable: {problem}\n  Start or install it with:\n    {how}\n",
        file=sys.stderr,
    )
    sys.exit(1)


def ensure_postgres() -> None:
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        fail("PostgreSQL (127.0.0.1:5432)", str(exc).strip().splitlines()[0], PG_START)
    with admin:
        row = admin.execute(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [APP_ROLE]
        ).fetchone()
        if row is None:
            admin.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} NOSUPERUSER NOBYPASSRLS CREATEDB").format(
                    sql.Identifier(APP_ROLE), sql.Literal(APP_PASSWORD)
                )
            )
            print(f"created PostgreSQL role {APP_ROLE} (no superuser, no BYPASSRLS)")
        elif row[0] or row[1]:
            # Row-level-security tests would prove nothing through such a role.
            admin.execute(
                sql.SQL("ALTER ROLE {} NOSUPERUSER NOBYPASSRLS").format(sql.Identifier(APP_ROLE))
            )
            print(f"removed SUPERUSER/BYPASSRLS from {APP_ROLE}")
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [APP_DB]).fetchone()
        if not exists:
            admin.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(APP_DB), sql.Identifier(APP_ROLE)
                )
            )
            print(f"created database {APP_DB}")


def ensure_redis() -> None:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=3) as conn:
            conn.sendall(b"PING\r\n")
            reply = conn.recv(64)
    except OSError as exc:
        fail("Redis (127.0.0.1:6379)", str(exc), REDIS_START)
    if not reply.startswith(b"+PONG"):
        fail("Redis (127.0.0.1:6379)", f"unexpected reply {reply!r}", REDIS_START)


def ensure_chromium() -> None:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        fail("Chromium (/usr/bin/chromium)", "not installed", "apt-get install -y chromium")


if __name__ == "__main__":
    ensure_postgres()
    ensure_redis()
    if "--no-browser" in sys.argv[1:]:
        print("services ready: PostgreSQL (role forkcast_app, no RLS bypass), Redis")
    else:
        ensure_chromium()
        print("services ready: PostgreSQL (role forkcast_app, no RLS bypass), Redis, Chromium")
