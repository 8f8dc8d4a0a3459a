"""The stateless evaluator: the same JSON as `manage.py advise` for the same profile, price book
and date; per-field errors; nothing stored."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from advisor.engine import load_price_book
from advisor.models import PriceBookVersion
from projects.tenancy.scope import firm_scope
from tests.api.conftest import counts, url

pytestmark = pytest.mark.django_db
EXAMPLES = sorted(
    (Path(__file__).resolve().parents[2] / "advisor/engine/data/examples").glob("*.json")
)
AS_OF = "2026-01-15"


def advise(path: Path, *args: str) -> dict:
    out = StringIO()
    call_command("advise", str(path), *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_the_evaluator_gives_exactly_what_the_cli_gives(firm, read_api, example):
    assert EXAMPLES, "the engine's example profiles are the shared fixtures"
    profile = json.loads(example.read_text())
    response = read_api.post(url(firm, f"evaluate?as_of={AS_OF}"), profile)
    assert response.status_code == 200, response.content
    assert response.json() == advise(example, "--as-of", AS_OF)


def test_the_same_on_a_seeded_firm_whose_active_book_is_the_default(firm, api, tmp_path):
    api.get(url(firm, "price-books/"))  # seeds the library, as the web app's pages do
    with firm_scope(firm):
        assert PriceBookVersion.objects.get(is_active=True).key == "openai-2024@1"
    profile = {"name": "Catalog bot", "corpus_tokens": 500_000, "knowledge_change": "daily"}
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(profile))
    response = api.post(url(firm, f"evaluate?as_of={AS_OF}"), profile)
    assert response.json() == advise(path, "--as-of", AS_OF)


def test_the_firms_active_price_book_is_used(firm, api):
    book = load_price_book("openai-2024").to_dict()
    book["models"]["gpt-4o"]["prices"]["input"]["usd_per_1m_tokens"] = 5
    with firm_scope(firm):
        PriceBookVersion.objects.create(
            firm=firm,
            slug="negotiated",
            version=3,
            name="Negotiated",
            data={**book, "slug": "negotiated", "version": 3},
            is_active=True,
        )
    response = api.post(url(firm, "evaluate"), {"name": "Bot"})
    assert response.status_code == 200
    assert response.json()["price_book"] == "negotiated@3"
    default = api.post(url(firm, "evaluate"), {"name": "Bot"})  # same firm, same answer
    assert default.json() == response.json()


def test_the_evaluator_stores_nothing(firm, api, work):
    before = counts(firm)
    for profile in ({"name": "A"}, {"name": "B", "stage": "scale"}, {"stage": "nope"}):
        api.post(url(firm, "evaluate"), profile)
    assert counts(firm) == before


def test_a_firm_never_seeded_stays_unseeded(firm, api):
    assert api.post(url(firm, "evaluate"), {"name": "A"}).status_code == 200
    assert counts(firm)["PriceBookVersion"] == 0


def test_an_invalid_profile_is_400_per_field_like_the_cli(firm, api):
    response = api.post(
        url(firm, "evaluate"), {"name": "", "few_shot_tokens": 900, "input_tokens": 100, "hst": 1}
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["name"] == ["must not be blank"]
    assert errors["hst"] == ["is not a profile field (did you mean hosting?)"]
    assert "few_shot_tokens" in errors
    not_an_object = api.post(url(firm, "evaluate"), [1])
    assert list(not_an_object.json()["errors"]) == ["non_field_errors"]


def test_as_of_is_echoed_and_validated(firm, api):
    response = api.post(url(firm, "evaluate?as_of=2030-06-01"), {"name": "A"})
    assert response.json()["as_of"] == "2030-06-01"
    bad = api.post(url(firm, "evaluate?as_of=June"), {"name": "A"})
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["as_of"]


def test_only_post(firm, api):
    response = api.get(url(firm, "evaluate"))
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def _negotiated(firm, version: int, input_price: float, *, active: bool) -> PriceBookVersion:
    book = load_price_book("openai-2024").to_dict()
    book["models"]["gpt-4o"]["prices"]["input"]["usd_per_1m_tokens"] = input_price
    with firm_scope(firm):
        return PriceBookVersion.objects.create(
            firm=firm,
            slug="negotiated",
            version=version,
            name="Negotiated",
            data={**book, "slug": "negotiated", "version": version},
            is_active=active,
        )


def test_activating_another_book_reaches_the_evaluator_at_once(firm, other_firm, api, api_for):
    # The evaluator keeps each version's book per process, but reads which one is active on
    # every call: a switch shows on the very next one, and each firm gets its own.
    from advisor.services.library import price_book_activate

    first = _negotiated(firm, 1, 5, active=True)
    dearer = _negotiated(firm, 2, 50, active=False)
    _negotiated(other_firm, 1, 0.5, active=True)
    profile = {"name": "Bot", "queries_per_month": 100_000}

    def total(client, of) -> tuple[str, float]:
        body = client.post(url(of, "evaluate"), profile).json()
        return body["price_book"], body["costs"]["options"]["prompt_only"]["total_usd"]

    before = total(api, firm)
    assert before[0] == first.key
    with firm_scope(firm):
        price_book_activate(firm=firm, version=dearer, user=None)
    after = total(api, firm)
    assert after[0] == dearer.key and after[1] > before[1]
    theirs = total(api_for(other_firm, "read"), other_firm)
    assert theirs[0] == "negotiated@1" and theirs[1] < before[1]


def test_a_key_of_the_urls_firm_is_read_without_bypassing_row_level_security(firm, api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api.post(url(firm, "evaluate"), {"name": "Bot"})  # the key's once-a-minute stamp
    with CaptureQueriesContext(connection) as captured:
        assert api.post(url(firm, "evaluate"), {"name": "Bot"}).status_code == 200
    statements = [q["sql"] for q in captured.captured_queries]
    assert not any("rls_bypass" in sql for sql in statements), statements
    assert any("projects_apikey" in sql for sql in statements)
