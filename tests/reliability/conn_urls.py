"""Test-only URLs for tests/reliability/test_connection_reuse.py: the real ones, plus two probes.

- `/f/<firm>/conn-probe/` runs behind the real choke point (`firm_view`, so inside
  `firm_scope`, inside the ATOMIC_REQUESTS transaction) and reports what the connection shows:
  its backend, the firm setting before and inside the scope, and the clients it can see through
  the ORM and through raw SQL (row-level security alone). `?mode=` makes it fail after the
  scope is set: `raise` (an exception, after writing a row), `dberror` (a failed statement,
  after writing a row) or `500` (a 500 returned normally, so the request transaction commits).
  `/f/<firm>/conn-probe-autocommit/` is the same view outside any request transaction, where
  the scope's own atomic() is the outermost transaction (as in a Celery task).
- `/conn-probe/` runs outside any firm and any transaction: what the connection carries over
  from the request before.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

from config.urls import urlpatterns as real_urlpatterns
from projects.models import Client
from projects.tenancy.scope import FIRM_SETTING, current_firm_id
from projects.tenancy.views import firm_view

GHOST = "Ghost written before the failure"


def _backend() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_backend_pid(), backend_start::text, current_setting(%s, true)"
            " FROM pg_stat_activity WHERE pid = pg_backend_pid()",
            [FIRM_SETTING],
        )
        pid, started, firm_setting = cursor.fetchone()
    return {
        "pid": pid,
        "backend_start": started,
        "firm_setting": firm_setting,
        "context_firm": current_firm_id(),
    }


def _visible_client_names() -> list[str]:
    """Every client name the database lets this transaction see, with no WHERE clause."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name FROM {Client._meta.db_table} ORDER BY name")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


@firm_view()
def _in_scope(request: HttpRequest) -> HttpResponse:
    mode = request.GET.get("mode", "ok")
    inside = _backend()
    payload = {
        "firm": request.firm.slug,  # type: ignore[attr-defined]
        "before_scope": request.before_scope,  # type: ignore[attr-defined]
        "in_scope": inside,
        "orm_names": list(Client.objects.order_by("name").values_list("name", flat=True)),
        "rls_names": _visible_client_names(),
    }
    if mode in {"raise", "dberror"}:
        Client.objects.create(firm=request.firm, name=GHOST)  # type: ignore[attr-defined]
        if mode == "raise":
            raise RuntimeError("failure after the firm scope was set")
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")  # DataError: the transaction is aborted
    return JsonResponse(payload, status=500 if mode == "500" else 200)


def firm_probe(request: HttpRequest, firm_slug: str) -> HttpResponse:
    # Read before firm_view enters the scope: what this request inherited from the connection.
    request.before_scope = _backend()  # type: ignore[attr-defined]
    return _in_scope(request, firm_slug)


@transaction.non_atomic_requests
def firm_probe_autocommit(request: HttpRequest, firm_slug: str) -> HttpResponse:
    assert not connection.in_atomic_block
    return firm_probe(request, firm_slug)


@transaction.non_atomic_requests
def connection_probe(request: HttpRequest) -> HttpResponse:
    return JsonResponse(
        {
            **_backend(),
            "in_atomic_block": connection.in_atomic_block,
            "autocommit": connection.get_autocommit(),
            "rls_names": _visible_client_names(),
        }
    )


urlpatterns = [
    path("conn-probe/", connection_probe),
    path("f/<slug:firm_slug>/conn-probe/", firm_probe),
    path("f/<slug:firm_slug>/conn-probe-autocommit/", firm_probe_autocommit),
    *real_urlpatterns,
]
