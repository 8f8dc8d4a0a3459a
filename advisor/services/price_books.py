"""Which price book a firm's assessments use."""

from __future__ import annotations

from advisor.engine import PriceBook, load_price_book
from projects.models import Firm

DEFAULT_PRICE_BOOK = "openai-2024"


def price_book_for_firm(*, firm: Firm) -> PriceBook:
    """The firm's active price book. Until firms keep their own (versioned) price books, every
    firm uses the engine's shipped default."""
    return load_price_book(DEFAULT_PRICE_BOOK)
