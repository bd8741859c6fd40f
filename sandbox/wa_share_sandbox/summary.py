"""The story's figures: one result per phase, the coverage verdict, and how they are shown.

Figures come from what the functions themselves reported where possible: their EMF metrics and JSON
log lines, read back from the log file the runner wrote (as one would read CloudWatch Logs).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from rich import box
from rich.console import Console
from rich.table import Table


@dataclass
class PhaseResult:
    number: int
    title: str  # what the phase shows, for its progress bar
    label: str  # one word, for the table
    workloads_created: int = 0
    events: int = 0  # events handed to the share function, or work items to the sweep worker
    shares_created: int = 0
    aws_calls: int = 0  # made by the functions
    throttled: int = 0  # Well-Architected calls answered with ThrottlingException (then retried)
    failures: int = 0  # events or work items given up (on-failure queue, dead-letter queue)
    latencies: list[float] = field(default_factory=list)  # seconds per function invocation
    metrics: Counter[str] = field(default_factory=Counter)  # EMF metrics the functions emitted
    notes: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)  # the phase's own facts (lost events, replay name…)

    def latency_ms(self, quantile: float) -> float | None:
        return None if not self.latencies else round(percentile(self.latencies, quantile) * 1000, 1)

    def as_dict(self) -> dict[str, Any]:
        return {
            "phase": self.number,
            "title": self.title,
            "label": self.label,
            "workloads_created": self.workloads_created,
            "events": self.events,
            "shares_created": self.shares_created,
            "aws_calls": self.aws_calls,
            "throttled": self.throttled,
            "failures": self.failures,
            "invocations": len(self.latencies),
            "latency_ms": {"p50": self.latency_ms(0.5), "p99": self.latency_ms(0.99)},
            "metrics": dict(sorted(self.metrics.items())),
            "details": self.details,
            "notes": self.notes,
        }


@dataclass
class CoverageCheck:
    """The sandbox's own check of the story's end state, read from the simulated accounts: every eligible
    workload shared exactly once with each reviews account (not the functions' coverage metrics)."""

    reviews: tuple[str, ...]
    eligible: int = 0
    covered: int = 0  # exactly one live share with each reviews account
    gaps: list[str] = field(default_factory=list)  # eligible workloads not covered exactly once, and why
    not_coverable: dict[str, int] = field(default_factory=dict)  # account name -> workloads (no member role)
    owned_by_reviews: int = 0

    @property
    def complete(self) -> bool:
        return self.covered == self.eligible and not self.gaps

    def as_dict(self) -> dict[str, Any]:
        return {
            "complete": self.complete,
            "reviews_accounts": list(self.reviews),
            "eligible": self.eligible,
            "covered": self.covered,
            "gaps": self.gaps,
            "not_coverable": self.not_coverable,
            "owned_by_reviews": self.owned_by_reviews,
        }


class Progress(Protocol):
    def grow(self, amount: int) -> None: ...

    def advance(self, amount: int = 1) -> None: ...


class Reporter(Protocol):
    def phase(self, number: int, title: str) -> AbstractContextManager[Progress]: ...

    def finished(self, result: PhaseResult) -> None: ...


class QuietReporter:
    """No progress display (--output json, tests)."""

    @contextmanager
    def phase(self, number: int, title: str) -> Iterator[Progress]:  # noqa: ARG002 - nothing to show
        yield self

    def grow(self, amount: int) -> None:
        pass

    def advance(self, amount: int = 1) -> None:
        pass

    def finished(self, result: PhaseResult) -> None:
        pass


def percentile(values: Iterable[float], quantile: float) -> float:
    """Nearest-rank percentile: always one of the measured values."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    rank = max(1, math.ceil(quantile * len(ordered)))
    return ordered[rank - 1]


def read_log(path: Path, offset: int) -> list[dict[str, Any]]:
    """The JSON lines the functions wrote from `offset` on (anything else, such as a warning, is skipped)."""
    with path.open("rb") as stream:  # offsets are byte positions
        stream.seek(offset)
        lines = stream.read().decode("utf-8", errors="replace").splitlines()
    records = []
    for line in lines:
        if line.startswith("{"):
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return [record for record in records if isinstance(record, dict)]


def emf_totals(records: Iterable[dict[str, Any]]) -> Counter[str]:
    """Sum every metric of the EMF documents among `records` (a value may be one number or a list)."""
    totals: Counter[str] = Counter()
    for record in records:
        directives = record.get("_aws", {}).get("CloudWatchMetrics", []) if isinstance(record.get("_aws"), dict) else []
        for directive in directives:
            for metric in directive.get("Metrics", []):
                value = record.get(metric.get("Name"))
                values = value if isinstance(value, list) else [value]
                totals[metric["Name"]] += int(sum(v for v in values if isinstance(v, int | float)))
    return totals


def render_table(console: Console, phases: list[PhaseResult], coverage: CoverageCheck) -> None:
    """One row per phase; narrow enough for an 80-column terminal or a CI log."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True, title="wa-share sandbox: the figures")
    headers = ("phase", "created", "events", "shared", "calls", "throttled", "failed", "p50 ms", "p99 ms")
    for index, header in enumerate(headers):
        table.add_column(header, justify="left" if index == 0 else "right", no_wrap=True)
    for phase in phases:
        p50, p99 = phase.latency_ms(0.5), phase.latency_ms(0.99)
        table.add_row(
            f"{phase.number} {phase.label}",
            *map(str, (phase.workloads_created, phase.events, phase.shares_created, phase.aws_calls)),
            *map(str, (phase.throttled, phase.failures)),
            "" if p50 is None else f"{p50:.0f}",
            "" if p99 is None else f"{p99:.0f}",
        )
    table.add_section()
    table.add_row(
        f"{len(phases) + 1} coverage",
        "",
        "",
        f"{coverage.covered}/{coverage.eligible}",
        "",
        "",
        str(len(coverage.gaps)),
    )
    console.print(table)
    for line in (
        "created: new workloads · events: handed to the functions (sweep: accounts)",
        "shared: shares they created · calls: their AWS calls · failed: given up",
        "p50/p99: wall time per function invocation",
    ):
        console.print(line, style="dim", highlight=False)


def render_verdict(console: Console, coverage: CoverageCheck) -> None:
    reviews = ", ".join(coverage.reviews)
    for gap in coverage.gaps[:20]:
        console.print(f"  [red]✗[/] {gap}")
    if len(coverage.gaps) > 20:  # noqa: PLR2004 - the rest are in --output json
        console.print(f"  … and {len(coverage.gaps) - 20} more (--output json lists them all)")
    for account, count in sorted(coverage.not_coverable.items()):
        console.print(f"  [yellow]![/] {account}: {count} workloads not coverable: the member role is missing there")
    if coverage.complete:
        console.print(
            f"[green]✓ {coverage.covered} of {coverage.eligible} eligible workloads shared exactly once "
            f"with {reviews}[/]"
        )
    else:
        console.print(
            f"[red]✗ {coverage.covered} of {coverage.eligible} eligible workloads shared exactly once "
            f"with {reviews}: {len(coverage.gaps)} gaps[/]"
        )
