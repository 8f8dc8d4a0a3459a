"""Large documents are stored compressed with lz4 on PostgreSQL (migration 0004), and read back
exactly as written."""

from __future__ import annotations

import pytest
from django.db import connection

from advisor.models import Recommendation
from projects.tenancy.scope import firm_scope

pytestmark = pytest.mark.django_db


def test_a_drafts_assessment_is_stored_with_lz4_and_reads_back_whole(firm, draft):
    with firm_scope(firm), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_compression(assessment), octet_length(assessment::text)"
            " FROM advisor_recommendation WHERE firm_id = %s AND id = %s",
            [firm.pk, draft.pk],
        )
        method, size = cursor.fetchone()
        stored = Recommendation.objects.get(pk=draft.pk).assessment
    assert size > 10_000  # large enough to be compressed out of line
    assert method == "lz4"
    assert stored == draft.assessment
