"""The model-lifecycle guard: blockers for closed models, risks within the horizon."""

import datetime

import pytest

from advisor.engine import PriceBook, evaluate, validate_profile
from advisor.engine.lifecycle import add_months

AS_OF = datetime.date(2025, 6, 15)


def book_with(book, model, **dates):
    data = book.to_dict()
    data["models"][model].update({k: v.isoformat() for k, v in dates.items()})
    return PriceBook.from_dict(data)


def assess_with(price_book, **fields):
    base = {"name": "x", "output_format": "strict_schema", "horizon_months": 12}
    profile = validate_profile({**base, **fields}, price_book)
    return evaluate(profile, price_book, as_of=AS_OF)


def test_no_dates_no_lifecycle_findings(book):
    a = assess_with(book)
    assert not [b for b in a.blockers if b.rule == "R-LIFECYCLE"]
    assert not [r for r in a.risks if r.rule == "R-LIFECYCLE"]


def test_fine_tuning_closed_before_as_of_blocks_tuned_options_not_the_verdict(book):
    closed = book_with(book, "gpt-4o", fine_tuning_closes=datetime.date(2025, 6, 15))
    a = assess_with(closed)
    blocked = {b.option for b in a.blockers if b.rule == "R-LIFECYCLE"}
    assert blocked == {"fine_tuning", "hybrid"}
    assert a.verdict == assess_with(book).verdict == "fine_tuning"


@pytest.mark.parametrize(
    ("closes", "risk"),
    [
        (datetime.date(2025, 6, 16), True),  # the day after as_of
        (datetime.date(2026, 6, 15), True),  # exactly at the 12-month horizon
        (datetime.date(2026, 6, 16), False),  # one day beyond
    ],
)
def test_fine_tuning_closing_within_horizon_is_a_risk(book, closes, risk):
    a = assess_with(book_with(book, "gpt-4o", fine_tuning_closes=closes))
    risks = [r for r in a.risks if r.rule == "R-LIFECYCLE"]
    assert bool(risks) is risk
    assert not [b for b in a.blockers if b.rule == "R-LIFECYCLE"]
    if risk:
        assert set(risks[0].options) == {"fine_tuning", "hybrid"}
        assert closes.isoformat() in risks[0].text


def test_shutdown_blocks_every_hosted_option(book):
    gone = book_with(book, "gpt-4o", shutdown=datetime.date(2025, 1, 1))
    a = assess_with(gone)
    assert {b.option for b in a.blockers if b.rule == "R-LIFECYCLE"} == {
        "prompt_only",
        "rag",
        "fine_tuning",
        "hybrid",
    }
    assert a.confidence == "low"  # R-DATA and the lifecycle both block the verdict
    # Self-hosted runs open weights: the hosted model's shutdown does not apply.
    self_hosted = assess_with(gone, hosting="self_hosted")
    assert not [b for b in self_hosted.blockers if b.rule == "R-LIFECYCLE"]


def test_embedding_shutdown_concerns_retrieval_options(book):
    soon = book_with(book, "text-embedding-3-small", shutdown=datetime.date(2025, 12, 1))
    a = assess_with(soon, hosting="self_hosted")
    risk = next(r for r in a.risks if r.rule == "R-LIFECYCLE")
    assert set(risk.options) == {"rag", "hybrid"}


def test_as_of_defaults_to_today(book):
    profile = validate_profile({"name": "x"}, book)
    assert evaluate(profile, book).as_of == datetime.date.today()


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (datetime.date(2025, 1, 31), 1, datetime.date(2025, 2, 28)),
        (datetime.date(2024, 1, 31), 1, datetime.date(2024, 2, 29)),
        (datetime.date(2025, 11, 15), 2, datetime.date(2026, 1, 15)),
        (datetime.date(2025, 6, 15), 60, datetime.date(2030, 6, 15)),
    ],
)
def test_add_months(start, months, end):
    assert add_months(start, months) == end
