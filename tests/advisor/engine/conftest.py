"""Fixtures for the engine tests: the shipped price book and a profile runner. No database."""

import datetime

import pytest

from advisor.engine import assess, load_price_book, validate_profile

AS_OF = datetime.date(2025, 1, 1)


@pytest.fixture(scope="session")
def book():
    return load_price_book("openai-2024")


@pytest.fixture
def run(book):
    """Assess a profile built from keyword fields (name filled in), as of 2025-01-01."""

    def _run(price_book=None, **fields):
        return assess({"name": "Test product", **fields}, price_book or book, as_of=AS_OF)

    return _run


@pytest.fixture
def profile(book):
    def _profile(**fields):
        return validate_profile({"name": "Test product", **fields}, book)

    return _profile
