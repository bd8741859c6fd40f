"""Data out: a rich table for people, JSON or CSV for scripts and spreadsheets; progress goes to stderr."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

Row = Mapping[str, Any]


def stdout() -> Console:
    # Wide when not a terminal, so piped tables are not cut at 80 columns.
    console = Console(soft_wrap=False)
    return console if console.is_terminal else Console(width=200, soft_wrap=False)


def stderr() -> Console:
    return Console(stderr=True)


def table(title: str, columns: Sequence[str], rows: Sequence[Row], *, console: Console | None = None) -> None:
    view = Table(title=title, title_justify="left")
    for column in columns:
        view.add_column(column, overflow="fold")
    for row in rows:
        view.add_row(*(_cell(row.get(column)) for column in columns))
    (console or stdout()).print(view)


def as_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, indent=2, default=str) + "\n")


def as_csv(columns: Sequence[str], rows: Sequence[Row]) -> None:
    writer = csv.DictWriter(sys.stdout, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: _cell(row.get(column)) for column in columns})


def one_line(text: str, limit: int = 400) -> str:
    """An error as one line: whitespace collapsed (some endpoints answer in HTML), long text cut."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple | set | frozenset):
        return " ".join(str(item) for item in value)
    return str(value)


class Ticker:
    """Moves one progress bar: `advance()` per item done, `describe()` to say what is going on."""

    def __init__(self, bar: Progress, task: TaskID) -> None:
        self._bar, self._task = bar, task

    def advance(self, amount: float = 1) -> None:
        self._bar.advance(self._task, amount)

    def update(self, *, completed: float | None = None, description: str | None = None) -> None:
        self._bar.update(self._task, completed=completed, description=description)


@contextmanager
def progress(description: str, total: float | None) -> Iterator[Ticker]:
    """A progress bar on stderr, shown only on a terminal (scripts and pipes get clean output)."""
    console = stderr()
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    with bar:
        yield Ticker(bar, bar.add_task(description, total=total))
