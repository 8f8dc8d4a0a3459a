"""Row-level security for every table with a `firm_id` column, applied by `migrate`.

After every migrate (and flush) the post_migrate handler enables and forces RLS on each table
that has a `firm_id` column and (re)creates one policy on it, so a new firm-owned model is
covered without anyone remembering to write a migration for it. The policy fails closed: with
no firm set, `NULLIF(..., '')` is NULL and no row matches.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import connections
from django.db.models.signals import post_migrate

POLICY_NAME = "firm_isolation"
FIRM_MATCH = "firm_id = NULLIF(current_setting('app.current_firm', true), '')::bigint"
BYPASS = "current_setting('app.rls_bypass', true) = 'on'"


def firm_owned_tables() -> list[str]:
    tables = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        if any(getattr(f, "column", None) == "firm_id" for f in meta.local_concrete_fields):
            tables.append(meta.db_table)
    return sorted(set(tables))


def apply_policies(using: str = "default") -> list[str]:
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    existing = set(connection.introspection.table_names())
    tables = [t for t in firm_owned_tables() if t in existing]
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ALTER TABLE {qn(table)} ENABLE ROW LEVEL SECURITY")
            cursor.execute(f"ALTER TABLE {qn(table)} FORCE ROW LEVEL SECURITY")
            cursor.execute(f"DROP POLICY IF EXISTS {POLICY_NAME} ON {qn(table)}")
            # Reads: the firm in scope, or the named read-only bypass. Writes: the firm only.
            cursor.execute(
                f"CREATE POLICY {POLICY_NAME} ON {qn(table)} "
                f"USING ({FIRM_MATCH} OR {BYPASS}) WITH CHECK ({FIRM_MATCH})"
            )
    return tables


def _on_post_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    if getattr(sender, "name", None) == "projects":
        apply_policies(using)


def connect_signals() -> None:
    post_migrate.connect(_on_post_migrate, dispatch_uid="forkcast-rls")
