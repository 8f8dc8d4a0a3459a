"""Shared pieces of the reliability tests: the measured figures in the run's summary, and the
cache (rate limits, lockouts, throttles) cleared around every test."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from tests.reliability.figures import print_figures


@pytest.fixture(autouse=True)
def _fresh_counters() -> Any:
    cache.clear()
    yield
    cache.clear()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    print_figures(terminalreporter)
