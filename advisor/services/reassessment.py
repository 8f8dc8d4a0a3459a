"""Re-assessment of a firm's open engagements after a price-book change (filled in by the
recommendations work)."""

from __future__ import annotations

from projects.models import Firm


def reassess_firm_on_commit(*, firm: Firm, reason: str) -> None:
    """Queue the re-assessment of the firm's open engagements once the transaction commits."""
