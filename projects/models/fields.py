"""Model fields of our own."""

from __future__ import annotations

from typing import Any

from django.db import models


class DocumentField(models.JSONField):
    """A JSON column that holds a whole document (an assessment, a profile, a delivered
    revision), tens of kilobytes each.

    On PostgreSQL, Django's `bulk_create` sends a batch as one array per column
    (`INSERT … SELECT * FROM UNNEST(…)`), and psycopg quotes every element of a text array
    with regular expressions — for large JSON documents that costs more than the insert
    itself (re-assessing a chunk of 200 spent about 11 ms an engagement in it;
    docs/PERFORMANCE.md). Having a `get_placeholder` is what makes Django keep to a plain
    multi-row VALUES list for a model with such a field, where each document is one
    parameter."""

    def get_placeholder(self, value: Any, compiler: Any, connection: Any) -> str:
        return "%s"
