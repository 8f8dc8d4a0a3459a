"""The isolation matrix reports its number of attempts in the run's summary."""

from __future__ import annotations

from typing import Any

from tests.reliability.figures import print_figures


def pytest_terminal_summary(terminalreporter: Any) -> None:
    print_figures(terminalreporter)
