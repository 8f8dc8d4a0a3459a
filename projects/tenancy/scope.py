"""The current firm, held for the length of a unit of work.

Two layers hold it at once:
- a ContextVar that the firm-scoped managers read, so application queries filter by firm and
  fail closed when none is set;
- on PostgreSQL, the transaction-local setting `app.current_firm` that row-level-security
  policies read, so a forgotten filter still returns nothing of another firm.

`set_config(..., true)` lasts until the end of the *outer* transaction, and a nested atomic()
is only a savepoint — so the scope resets the setting itself when it ends, and a rolled-back
savepoint takes the setting with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, transaction

_current_firm: ContextVar[int | None] = ContextVar("forkcast_current_firm", default=None)
_bypass: ContextVar[bool] = ContextVar("forkcast_rls_bypass", default=False)

FIRM_SETTING = "app.current_firm"
BYPASS_SETTING = "app.rls_bypass"


class FirmScopeMissing(RuntimeError):
    """A firm-owned table was queried with no firm in scope (fail closed)."""


def current_firm_id() -> int | None:
    return _current_firm.get()


def bypass_active() -> bool:
    return _bypass.get()


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _set_db(name: str, value: str) -> None:
    if _is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


@contextmanager
def firm_scope(firm: object) -> Iterator[int]:
    """Enter a firm's scope: pass a Firm or its id. Opens (or nests) a transaction."""
    firm_id = int(getattr(firm, "pk", firm))  # type: ignore[call-overload]
    outer = _current_firm.get()
    token = _current_firm.set(firm_id)
    # Outside any transaction, the scope's atomic() is the transaction, and its COMMIT ends the
    # transaction-local setting by itself.
    nested = connection.in_atomic_block
    try:
        with transaction.atomic():
            _set_db(FIRM_SETTING, str(firm_id))
            yield firm_id
            # Reached only when the block succeeded; on an exception the savepoint (or the
            # transaction) is rolled back, and the setting with it. A scope nested in another
            # (a task run eagerly inside a request) hands the outer firm back.
            if nested:
                _set_db(FIRM_SETTING, "" if outer is None else str(outer))
    finally:
        _current_firm.reset(token)


@contextmanager
def dangerously_unscoped(reason: str) -> Iterator[None]:
    """Read across firms. Only for resolving a firm from a secret token (invitation, intake or
    share link) or a user's own memberships; `reason` is there to be read in review.

    The database policy honours the bypass for reads only (USING, not WITH CHECK): nothing
    can be written while it is active, except in a firm's scope.
    """
    if not reason:
        raise ValueError("Say why the firm scope is bypassed.")
    outer = _bypass.get()
    token = _bypass.set(True)
    try:
        with transaction.atomic():
            _set_db(BYPASS_SETTING, "on")
            yield
            _set_db(BYPASS_SETTING, "on" if outer else "")
    finally:
        _bypass.reset(token)
