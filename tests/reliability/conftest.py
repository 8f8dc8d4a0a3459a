"""Shared pieces of the reliability tests: the measured figures in the run's summary (the
cache is cleared before every test by tests/conftest.py)."""

from __future__ import annotations

from typing import Any

from tests.reliability.figures import print_figures


def pytest_terminal_summary(terminalreporter: Any) -> None:
    print_figures(terminalreporter)
