"""What every part of the benchmark shares: a figure, interleaved timing, percentiles."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Figure:
    """One measured figure and its target. `op` says how value compares with target."""

    name: str
    value: float
    target: float | None
    op: str = "<="  # "<=", ">=", "==" or "" (reported, no target)
    unit: str = "x"
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool | None:
        if self.target is None or not self.op:
            return None
        if self.op == "<=":
            return self.value <= self.target
        if self.op == ">=":
            return self.value >= self.target
        return self.value == self.target

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "passed": self.passed}


def percentile(samples: list[float], pct: float) -> float:
    """The pct-th percentile (nearest rank), as load tools report it."""
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def interleaved(
    calls: dict[str, Callable[[], object]], *, rounds: int, per_round: int, warmup: int = 2
) -> dict[str, list[float]]:
    """Time each call `per_round` times per round, the calls taking turns round after round,
    so drift on a shared machine (another job, a frequency change) hits every side alike.
    Returns every single call's duration in seconds, by name."""
    for _ in range(warmup):
        for fn in calls.values():
            for _ in range(per_round):
                fn()
    samples: dict[str, list[float]] = {name: [] for name in calls}
    clock = time.perf_counter
    for _ in range(rounds):
        for name, fn in calls.items():
            bucket = samples[name]
            for _ in range(per_round):
                start = clock()
                fn()
                bucket.append(clock() - start)
    return samples


def p50_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000
