"""Persistent database connections never carry one firm's scope into the next request.

The firm's row-level-security setting (`app.current_firm`) is transaction-local and the scope
resets it on the way out, but with `CONN_MAX_AGE > 0` one PostgreSQL session serves request
after request — so a setting left at session level, a transaction left open by a request that
raised, or a ContextVar left set in the serving thread would hand firm A's scope to whatever
runs next on that connection. This drives that situation for real:

- Django's own WSGI server (the one `runserver` uses), single-threaded like a gunicorn sync
  worker: every request is served by one thread, so by one connection, opened and closed by
  Django's request_started/request_finished handling as CONN_MAX_AGE says. (pytest-django's
  `live_server` serves each request in a new thread with a new connection, and the test
  `Client` never closes connections whatever CONN_MAX_AGE says: neither would prove reuse.)
- `transactional_db`: the server's connection must see committed rows, and each request must
  run in its own real transaction as in production — under the plain `db` fixture everything
  would be one test transaction and every request's ATOMIC_REQUESTS block a mere savepoint.
- Requests alternate between two firms through the real choke point (`firm_view`), some
  raising after the scope was set (after writing a row), some failing in the database, some
  returning a 500 normally (ATOMIC_REQUESTS commits those), some outside any request
  transaction, some through the API (whose choke point's scope is the transaction, with no
  request transaction around it); between any two, a probe outside every firm reads what the
  connection carries.

The test URLs are in tests/reliability/conn_urls.py.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.db import connections
from django.test import Client as DjangoClient
from django.test import override_settings

from projects.models import Client, Role
from projects.tenancy.scope import firm_scope
from tests.factories import ClientFactory, FirmFactory, MembershipFactory, UserFactory
from tests.reliability.conn_urls import GHOST
from tests.reliability.figures import report

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("test_urls"),
]

CONN_MAX_AGE = 600
ROUNDS = 12  # each round: both firms, every mode, a probe after each request
# (path suffix, query mode, fails?) — each one is a request in a firm's scope
MODES = [
    ("conn-probe/", "ok", False),
    ("conn-probe/", "raise", True),
    ("conn-probe/", "ok", False),
    ("conn-probe/", "500", True),
    ("conn-probe/", "dberror", True),
    ("conn-probe-autocommit/", "raise", True),
    ("conn-probe-autocommit/", "ok", False),
    # The API: no request transaction, its choke point's scope is the transaction.
    ("api", "clients", False),
]
NO_FIRM = (None, "")  # never set on this session / reset by a finished transaction


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Server:
    base_url: str
    cookie: str

    def get(self, path: str) -> tuple[int, str]:
        request = urllib.request.Request(self.base_url + path, headers={"Cookie": self.cookie})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


@contextmanager
def single_threaded_server(cookie: str, conn_max_age: int) -> Iterator[Server]:
    """Django's WSGI server in one background thread, with CONN_MAX_AGE (and health checks,
    as in production) set for the connections it opens: they read both from the shared
    settings dict when they connect."""
    db_settings = connections.settings["default"]
    saved = {key: db_settings[key] for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")}
    db_settings.update(CONN_MAX_AGE=conn_max_age, CONN_HEALTH_CHECKS=True)
    httpd = WSGIServer(("127.0.0.1", 0), _QuietHandler, allow_reuse_address=False)
    httpd.set_app(WSGIHandler())

    def serve() -> None:
        try:
            httpd.serve_forever(poll_interval=0.05)
        finally:
            connections.close_all()  # this thread's connection, before the test db is flushed

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        host, port = httpd.server_address[:2]
        yield Server(f"http://{host}:{port}", cookie)
    finally:
        httpd.shutdown()
        thread.join(timeout=10)
        httpd.server_close()
        db_settings.update(saved)


@pytest.fixture
def test_urls() -> Iterator[None]:
    with override_settings(ROOT_URLCONF="tests.reliability.conn_urls"):
        yield


@pytest.fixture
def two_firms() -> dict[str, Any]:
    """Two firms with two clients each, and one consultant who belongs to both (so the only
    thing that changes from request to request is the firm in the URL)."""
    user = UserFactory(email="both@firms.example")
    firms = {}
    for slug in ("alpha", "beta"):
        firm = FirmFactory(name=f"{slug.title()} Advisory", slug=slug)
        MembershipFactory(firm=firm, user=user, role=Role.CONSULTANT)
        names = sorted(f"{slug.title()} client {i}" for i in (1, 2))
        for name in names:
            ClientFactory(firm=firm, name=name)
        firms[slug] = {"firm": firm, "names": names}
    browser = DjangoClient()
    browser.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"
    return {"firms": firms, "cookie": cookie}


def connection_id(seen: dict[str, Any]) -> tuple[int, str]:
    """A PostgreSQL session: its backend pid and start time (a pid alone could be reused)."""
    return seen["pid"], seen["backend_start"]


def test_a_reused_connection_never_carries_a_firm_into_the_next_request(two_firms):
    firms = two_firms["firms"]
    every_name = {name for f in firms.values() for name in f["names"]}
    carry_overs: list[str] = []
    sessions: set[tuple[int, str]] = set()
    requests = failing = returned_500 = 0

    with single_threaded_server(two_firms["cookie"], CONN_MAX_AGE) as server:
        for round_ in range(ROUNDS):
            for slug in ("alpha", "beta") if round_ % 2 == 0 else ("beta", "alpha"):
                firm, own = firms[slug]["firm"], firms[slug]["names"]
                suffix, mode, fails = MODES[(round_ + (slug == "beta")) % len(MODES)]
                requests += 1
                where = f"round {round_}, {slug}, {suffix}?mode={mode}"
                if suffix == "api":
                    status, body = server.get(f"/api/v1/firms/{slug}/{mode}/")
                    assert status == 200, (where, body[:300])
                    names = sorted(item["name"] for item in json.loads(body)["results"])
                    if names != own:
                        carry_overs.append(f"{where}: the API listed {names}")
                elif mode in {"raise", "dberror"}:
                    status, body = server.get(f"/f/{slug}/{suffix}?mode={mode}")
                    # Django's 500 page: nothing of either firm in it.
                    failing += 1
                    assert status == 500, where
                    leaked = [name for name in every_name if name in body]
                    if leaked:
                        carry_overs.append(f"{where}: error page shows {leaked}")
                else:
                    status, body = server.get(f"/f/{slug}/{suffix}?mode={mode}")
                    returned_500 += mode == "500"
                    assert status == (500 if fails else 200), (where, body[:300])
                    seen = json.loads(body)
                    sessions.add(connection_id(seen["before_scope"]))
                    before, inside = seen["before_scope"], seen["in_scope"]
                    if before["firm_setting"] not in NO_FIRM or before["context_firm"] is not None:
                        carry_overs.append(f"{where}: started with {before}")
                    if inside["firm_setting"] != str(firm.pk) or inside["context_firm"] != firm.pk:
                        carry_overs.append(f"{where}: scope shows {inside}")
                    if seen["orm_names"] != own or seen["rls_names"] != own:
                        carry_overs.append(f"{where}: saw {seen['orm_names']} {seen['rls_names']}")

                # What the connection carries after that request, outside every firm.
                status, body = server.get("/conn-probe/")
                requests += 1
                assert status == 200, body[:300]
                after = json.loads(body)
                sessions.add(connection_id(after))
                if (
                    after["firm_setting"] not in NO_FIRM
                    or after["context_firm"] is not None
                    or after["rls_names"]  # RLS fails closed with no firm set
                    or after["in_atomic_block"]
                    or not after["autocommit"]  # a transaction left open
                ):
                    carry_overs.append(f"after {where}: the connection shows {after}")

    assert len(sessions) == 1, f"expected one reused connection, saw {len(sessions)}"
    assert carry_overs == [], "\n".join(carry_overs)
    # The failed requests' writes were rolled back with them; the 500s' were never made.
    for slug, data in firms.items():
        with firm_scope(data["firm"]):
            assert list(Client.objects.values_list("name", flat=True)) == data["names"], slug
            assert not Client.objects.filter(name=GHOST).exists()
    assert failing >= 8 and returned_500 >= 2  # every kind of failure ran, on both firms
    report(
        f"connection reuse: {requests} requests over 1 connection (CONN_MAX_AGE={CONN_MAX_AGE}),"
        f" 2 firms, {failing} raising + {returned_500} returning 500 -> 0 carry-overs"
    )


def test_without_conn_max_age_every_request_gets_a_new_connection(two_firms):
    """The control: the probe does tell connections apart, so "1 connection" above is reuse."""
    with single_threaded_server(two_firms["cookie"], 0) as server:
        seen = [json.loads(server.get("/conn-probe/")[1]) for _ in range(3)]
    assert len({connection_id(s) for s in seen}) == 3
