"""The shipped price book and evidence library: §7's figures, sources, dates and loaders."""

import datetime
import json
from decimal import Decimal

import pytest

from advisor.engine import (
    Evidence,
    PriceBook,
    PriceBookError,
    UnknownPriceBook,
    available_price_books,
    load_evidence,
    load_price_book,
)


def test_default_price_book_holds_the_article_prices(book):
    assert (book.slug, book.version, book.currency) == ("openai-2024", 1, "USD")
    assert book.key == "openai-2024@1"
    assert book.default_model == "gpt-4o"
    assert book.default_embedding_model == "text-embedding-3-small"
    gpt4o = book.models["gpt-4o"]
    assert [
        gpt4o.price(k)
        for k in ("input", "output", "fine_tuned_input", "fine_tuned_output", "training")
    ] == [
        Decimal("2.50"),
        Decimal("10.00"),
        Decimal("3.75"),
        Decimal("15.00"),
        Decimal("25.00"),
    ]
    mini = book.models["gpt-4o-mini"]
    assert [
        mini.price(k)
        for k in ("input", "output", "fine_tuned_input", "fine_tuned_output", "training")
    ] == [
        Decimal("0.15"),
        Decimal("0.60"),
        Decimal("0.30"),
        Decimal("1.20"),
        Decimal("3.00"),
    ]
    assert book.models["text-embedding-3-small"].price("embedding") == Decimal("0.02")
    assert book.models["text-embedding-3-large"].price("embedding") == Decimal("0.13")
    assert book.chat_models() == ["gpt-4o", "gpt-4o-mini"]


def test_every_price_carries_source_checked_and_effective_dates(book):
    for model in book.models.values():
        assert model.kind in ("chat", "embedding")
        assert model.fine_tuning_closes is None or isinstance(
            model.fine_tuning_closes, datetime.date
        )
        for price in model.prices.values():
            assert price.source
            assert isinstance(price.checked, datetime.date)
            assert isinstance(price.effective, datetime.date)


def test_cost_defaults(book):
    d = book.defaults
    assert (d.epochs, d.initial_training_runs, d.retraining_runs_per_year) == (3, 3, 4)
    assert {o: d.build_days[o].point for o in d.build_days} == {
        "prompt_only": 2,
        "rag": 5,
        "fine_tuning": 15,
        "hybrid": 20,
    }
    for span in d.build_days.values():
        assert span.low <= span.point <= span.high
    assert (d.vector_hosting_usd_per_month.low, d.vector_hosting_usd_per_month.high) == (0, 300)
    assert (d.lora_run_usd.low, d.lora_run_usd.high) == (15, 17)  # E-LORA: 7B run $15-17
    assert (d.peft_65b_run_usd.low, d.peft_65b_run_usd.high) == (500, 5000)
    assert set(d.maintenance_days_per_month) == {"prompt_only", "rag", "fine_tuning", "hybrid"}


def test_price_book_round_trips(book):
    data = book.to_dict()
    json.dumps(data)
    assert PriceBook.from_dict(data) == book
    assert PriceBook.from_dict(json.loads(json.dumps(data))) == book


def test_unknown_price_book_is_a_clear_error():
    with pytest.raises(UnknownPriceBook, match=r"unknown price book 'nope'.*openai-2024"):
        load_price_book("nope")
    assert "openai-2024" in available_price_books()


def test_malformed_price_book_is_rejected(book):
    data = book.to_dict()
    del data["models"]["gpt-4o"]["prices"]["training"]
    with pytest.raises(PriceBookError, match="missing prices training"):
        PriceBook.from_dict(data)
    data = book.to_dict()
    data["default_model"] = "text-embedding-3-small"
    with pytest.raises(PriceBookError, match="not a chat model"):
        PriceBook.from_dict(data)
    with pytest.raises(PriceBookError):
        PriceBook.from_dict({"slug": "x"})


EVIDENCE_IDS = [
    "E-ADOPT",
    "E-HALLUC-DROP",
    "E-REGLAB",
    "E-AGRI",
    "E-LATENCY",
    "E-PRICE-GPT4O",
    "E-LORA",
    "E-VECTOR",
    "E-PROTO",
    "E-PHASED",
    "E-CONTEXT",
]


def test_evidence_library_has_the_eleven_seed_entries():
    evidence = load_evidence()
    assert [e.id for e in evidence] == EVIDENCE_IDS
    for e in evidence:
        assert e.title and e.claim and e.source and e.date
        assert e.url is None or e.url.startswith("https://")
    figures = {e.id: [float(f) for f in e.figures] for e in evidence}
    assert figures["E-ADOPT"] == [51, 31, 9]
    assert figures["E-HALLUC-DROP"] == [50, 13.9, 72]
    assert figures["E-REGLAB"] == [17, 33]
    assert figures["E-AGRI"] == [75, 81, 86]
    assert figures["E-LATENCY"][:2] == [10, 500]
    assert {25, 3.75, 15, 2.5, 10} <= set(figures["E-PRICE-GPT4O"])
    assert {15, 17, 500, 5000} <= set(figures["E-LORA"])
    assert figures["E-CONTEXT"] == [200000]
    assert next(e for e in evidence if e.id == "E-CONTEXT").date == "2024-09-19"


def test_evidence_round_trips_and_figures_appear_in_claims():
    for e in load_evidence():
        data = json.loads(json.dumps(e.to_dict()))
        assert Evidence.from_dict(data) == e
        for figure in e.figures:
            text = e.claim.replace(",", "")
            if figure == 200000:
                assert "200k" in text
            else:
                assert str(figure).rstrip("0").rstrip(".") in text or str(figure) in text


def test_load_evidence_returns_a_fresh_list():
    first = load_evidence()
    first.clear()
    assert len(load_evidence()) == 11
