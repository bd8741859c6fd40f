"""What is left of a Lambda invocation: one clock for every function (Lambda's remaining time).

The share function asks whether a step's worst case still fits (`fits`, see budget.py); the sweep worker
stops starting work a margin before the end (`reached`): the margin is the time kept back to settle the
batch (continuation items, dead-lettering, the summary lines) and for calls already in flight. Without a
Lambda context (tests, the CLI's local sweep) there is no limit.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wa_share.runtime.budget import worst_call_seconds

MARGIN_MS = 60_000  # of the worker's 900 s: work stops 60 s before Lambda would end the invocation


@dataclass(frozen=True)
class Deadline:
    remaining_ms: Callable[[], int] | None = None  # Lambda's context.get_remaining_time_in_millis
    margin_ms: int = MARGIN_MS

    @classmethod
    def of(cls, context: Any) -> Deadline:
        remaining = getattr(context, "get_remaining_time_in_millis", None)
        return cls(remaining if callable(remaining) else None)

    def _left_ms(self) -> int:
        return sys.maxsize if self.remaining_ms is None else self.remaining_ms()

    def reached(self) -> bool:
        return self._left_ms() <= self.margin_ms

    def seconds_left(self) -> float:
        return round(self._left_ms() / 1000, 1)

    def fits(self, calls: int) -> bool:
        """Whether `calls` AWS calls, each at its worst (every retry timing out), end before Lambda does."""
        return self._left_ms() >= calls * worst_call_seconds() * 1000


NEVER = Deadline()
