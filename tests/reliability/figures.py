"""The figures the isolation and reliability tests measure, gathered while they run and printed
in pytest's terminal summary (so they show in the normal `make test` output, not only with
`-s`). docs/RELIABILITY.md quotes them. Both tests/reliability/ and tests/tenancy/ report here;
whichever conftest's hook runs first prints the lot, once."""

from __future__ import annotations

from typing import Any

FIGURES: list[str] = []
_printed: list[bool] = []


def report(line: str) -> None:
    FIGURES.append(line)


def print_figures(terminalreporter: Any) -> None:
    if not FIGURES or _printed:
        return
    _printed.append(True)
    terminalreporter.section("reliability figures")
    for line in FIGURES:
        terminalreporter.write_line(line)
