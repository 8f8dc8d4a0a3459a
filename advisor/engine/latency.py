"""The latency model: each option's p95 as a range, and whether it meets the client's budget.

Retrieval adds 10-500 ms per query (E-LATENCY); a fine-tuned model adds nothing beyond the base
model. `meets_budget` is judged on the high end: a p95 budget is a hard limit, so an option meets
it only if it does so at retrieval's worst case — the same line R-LATENCY draws.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from advisor.engine import thresholds as t
from advisor.engine.pricebook import OPTIONS
from advisor.engine.profile import Profile

RETRIEVAL_OPTIONS = frozenset({"rag", "hybrid"})


class OptionLatency(NamedTuple):
    option: str
    p95_ms_low: int
    p95_ms_high: int
    meets_budget: bool | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "p95_ms_low": self.p95_ms_low,
            "p95_ms_high": self.p95_ms_high,
            "meets_budget": self.meets_budget,
        }


def estimate_latency(profile: Profile) -> dict[str, OptionLatency]:
    """p95 range per option; `meets_budget` is None when the client set no budget."""
    base = profile.base_model_p95_ms
    budget = profile.latency_p95_budget_ms
    direct = (base, base)
    retrieved = (base + t.RAG_OVERHEAD_MS_LOW, base + t.RAG_OVERHEAD_MS_HIGH)
    out = {}
    for option in OPTIONS:
        low, high = retrieved if option in RETRIEVAL_OPTIONS else direct
        out[option] = _make_latency((option, low, high, None if budget is None else high <= budget))
    return out


# The named tuple's generated `__new__` is a Python function taking the fields one by one;
# `_make` builds the same tuple from an iterable (four per assessment).
_make_latency = OptionLatency._make
