"""The chaos figures of every seed, printed at the end of the run.

Hooks, imported by tests/conftest.py: with pytest-xdist only the controller prints the summary, and it
loads the top conftest only; the reports bring each seed's figures (user_properties) from the workers.
"""

from __future__ import annotations

from typing import Any, cast

import pytest

_FIGURES: list[tuple[str, dict[str, Any]]] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call":
        _FIGURES.extend(
            (report.nodeid, cast("dict[str, Any]", value)) for name, value in report.user_properties if name == "chaos"
        )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _FIGURES:
        return
    terminalreporter.section("chaos figures per seed")
    for nodeid, figures in sorted(_FIGURES, key=lambda item: item[0]):
        seed = nodeid.rsplit("[", 1)[-1].rstrip("]")
        terminalreporter.write_line(f"seed {seed}: " + ", ".join(f"{key} {value}" for key, value in figures.items()))
