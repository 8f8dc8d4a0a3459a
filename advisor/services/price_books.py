"""Which price book a firm's assessments use: its one active `PriceBookVersion`.

A firm that has never had a book (an existing firm before the library existed, or a new one) is
seeded from the engine's shipped defaults the first time it asks, so no data migration is needed.
"""

from __future__ import annotations

from advisor.engine import PriceBook
from advisor.models import PriceBookVersion
from projects.models import Firm

DEFAULT_PRICE_BOOK = "openai-2024"


def active_price_book(*, firm: Firm) -> PriceBookVersion:
    """The firm's active price-book version (the one each new Recommendation records)."""
    version = PriceBookVersion.objects.filter(firm=firm, is_active=True).first()
    if version is None:
        # Imported here: the library service imports the re-assessment service, which reads
        # this module; a top-level import would make the three a cycle.
        from advisor.services.library import library_seed

        library_seed(firm=firm)
        version = PriceBookVersion.objects.get(firm=firm, is_active=True)
    return version


def price_book_from_version(*, version: PriceBookVersion) -> PriceBook:
    """The engine's book for a stored version (validated when it was written)."""
    return PriceBook.from_dict(version.data)


def price_book_for_firm(*, firm: Firm) -> PriceBook:
    """The engine's book built from the firm's active version, seeding the firm if needed."""
    return price_book_from_version(version=active_price_book(firm=firm))
