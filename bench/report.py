"""`make bench`, the measurements and their tables (markdown, ready for docs/benchmarks.md).

Besides wall time and AWS calls, each run records the process's CPU time and, inside it, the CPU spent in
moto answering requests (`MOTO_CPU`): the simulator's share, which AWS would not charge to the client.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from moto.core.botocore_stubber import BotocoreStubber


class MotoCpu:
    """CPU seconds spent inside moto's request handling, summed over every thread."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._lock = threading.Lock()

    @contextmanager
    def installed(self) -> Iterator[None]:
        original = BotocoreStubber.process_request

        def metered(stubber: BotocoreStubber, request: Any) -> Any:
            started = time.thread_time()  # this thread's CPU: the injected latency (a sleep) is not counted
            try:
                return original(stubber, request)
            finally:
                with self._lock:
                    self.seconds += time.thread_time() - started

        BotocoreStubber.process_request = metered  # type: ignore[method-assign,assignment]
        try:
            yield
        finally:
            BotocoreStubber.process_request = original  # type: ignore[method-assign]


MOTO_CPU = MotoCpu()


@dataclass
class Run:
    name: str
    latency_ms: float
    seconds: list[float] = field(default_factory=list)  # wall time of each account
    cpu_seconds: float = 0.0  # the whole process, every thread
    moto_cpu_seconds: float = 0.0  # of which moto answering requests
    calls: Counter[str] = field(default_factory=Counter)  # every account's, plus the once-per-sweep reading
    shared: int = 0  # workloads with a live share to the reviews account afterwards
    once_seconds: float = 0.0  # once per sweep (the planner reading the reviews side), shared by the accounts

    def per_account(self, value: float) -> float:
        return value / len(self.seconds)

    @property
    def wall(self) -> float:
        """Per account: its own sweep, plus its share of what the sweep does once (amortized)."""
        return statistics.fmean(self.seconds) + self.once_seconds / len(self.seconds)

    @property
    def error(self) -> float:
        """Standard error of the mean wall time per account."""
        return statistics.stdev(self.seconds) / len(self.seconds) ** 0.5 if len(self.seconds) > 1 else 0.0


def print_sweep(runs: list[Run], title: str) -> None:
    print(f"\n### Sweep: {title}\n")
    print("| run | latency/WA call | wall s/account | CPU s/account (of which moto) | AWS calls/account "
          "| wall vs original | calls vs original | shared |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for run in runs:
        base = next(other for other in runs if other.latency_ms == run.latency_ms)
        calls, base_calls = run.calls.total(), base.calls.total()
        cpu = f"{run.per_account(run.cpu_seconds):.2f} ({run.per_account(run.moto_cpu_seconds):.2f})"
        print(
            f"| {run.name} | {run.latency_ms:g} ms | {run.wall:.2f} ± {run.error:.2f} | {cpu} | "
            f"{run.per_account(calls):.0f} | {base.wall / run.wall:.1f}x | {calls / base_calls:.3f} | {run.shared} |"
        )
    _print_latency_share(runs)
    _print_calls(runs)


def _print_latency_share(runs: list[Run]) -> None:
    """What the injected latency adds to each run's wall time: latency run minus 0 ms run (derived)."""
    floor = {run.name: run for run in runs if run.latency_ms == 0}
    loaded = [run for run in runs if run.latency_ms and run.name in floor]
    if not loaded:
        return
    print("\nWall time the latency adds (latency run minus the 0 ms run of the same variant, s/account, derived):\n")
    for run in loaded:
        added, noise = run.wall - floor[run.name].wall, 2 * (run.error + floor[run.name].error)
        shown = f"{added:.2f} s" if abs(added) > noise else f"not measurable (|{added:.2f}| s < noise {noise:.2f} s)"
        print(f"- {run.name}: {shown}")


def _print_calls(runs: list[Run]) -> None:
    first = {run.name: run for run in reversed(runs)}  # one column per variant: calls do not vary with latency
    print("\nAWS calls per account, by operation:\n")
    names = list(first)
    operations = sorted(set().union(*(run.calls for run in first.values())))
    print("| operation | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    for operation in operations:
        cells = " | ".join(f"{first[name].per_account(first[name].calls[operation]):.0f}" for name in names)
        print(f"| {operation} | {cells} |")
