"""The firm's library through the API: price-book versions and evidence, with filters."""

from __future__ import annotations

import pytest

from advisor.models import EvidenceEntry
from advisor.services.library import library_seed
from projects.tenancy.scope import firm_scope
from tests.api.conftest import url

pytestmark = pytest.mark.django_db


def test_price_books_list_the_firms_versions(firm, api):
    response = api.get(url(firm, "price-books/"))
    assert response.status_code == 200
    results = response.json()["results"]
    active = [book for book in results if book["is_active"]]
    assert [book["key"] for book in active] == ["openai-2024@1"]
    assert active[0]["data"]["default_model"] == "gpt-4o"
    only_active = api.get(url(firm, "price-books/"), {"active": "true"}).json()["results"]
    assert [book["key"] for book in only_active] == ["openai-2024@1"]
    inactive = api.get(url(firm, "price-books/"), {"active": "false"}).json()["results"]
    assert all(not book["is_active"] for book in inactive)
    by_slug = api.get(url(firm, "price-books/"), {"slug": "openai-2024"}).json()["results"]
    assert {book["slug"] for book in by_slug} == {"openai-2024"}
    assert api.get(url(firm, "price-books/"), {"active": "yes"}).status_code == 400


def test_evidence_lists_current_entries_with_search_and_retired_filter(firm, api):
    with firm_scope(firm):
        library_seed(firm=firm)
        EvidenceEntry.objects.filter(firm=firm, evidence_id="E-VECTOR").update(
            retired_at="2026-01-01T00:00:00Z"
        )
    everything = api.get(url(firm, "evidence/"), {"page_size": 100}).json()
    ids = [entry["id"] for entry in everything["results"]]
    assert "E-ADOPT" in ids and "E-VECTOR" in ids
    assert ids == sorted(ids)
    in_use = api.get(url(firm, "evidence/"), {"retired": "false", "page_size": 100}).json()
    assert "E-VECTOR" not in [entry["id"] for entry in in_use["results"]]
    retired = api.get(url(firm, "evidence/"), {"retired": "true"}).json()["results"]
    assert [(entry["id"], entry["retired"]) for entry in retired] == [("E-VECTOR", True)]
    found = api.get(url(firm, "evidence/"), {"search": "Stanford"}).json()["results"]
    assert [entry["id"] for entry in found] == ["E-REGLAB"]
    newest_first = api.get(url(firm, "evidence/"), {"ordering": "-evidence_id"}).json()
    assert newest_first["results"][0]["id"] == max(ids)
