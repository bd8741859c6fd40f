"""How long a sweep worker invocation may still start work: Lambda's remaining time minus a margin.

The margin is the time kept back to settle the batch (continuation items, dead-lettering, the summary
lines) and for calls already in flight: a call normally answers within botocore's 30 s read timeout.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

MARGIN_MS = 60_000  # of the worker's 900 s: work stops 60 s before Lambda would end the invocation


@dataclass(frozen=True)
class Deadline:
    remaining_ms: Callable[[], int]  # Lambda's context.get_remaining_time_in_millis
    margin_ms: int = MARGIN_MS

    def reached(self) -> bool:
        return self.remaining_ms() <= self.margin_ms

    def seconds_left(self) -> float:
        return round(self.remaining_ms() / 1000, 1)


NEVER = Deadline(remaining_ms=lambda: sys.maxsize, margin_ms=0)  # the CLI's local sweep has no timeout
