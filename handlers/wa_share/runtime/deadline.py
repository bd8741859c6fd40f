"""What is left of a Lambda invocation: one clock for every function (Lambda's remaining time), and the
share function's time budget.

The share function asks whether a step's worst case still fits (`fits`, the budget below); the sweep worker
stops starting work a margin before the end (`reached`): the margin is the time kept back to settle the
batch (continuation items, dead-lettering, the summary lines) and for calls already in flight. Without a
Lambda context (tests, the CLI's local sweep) there is no limit.

The budget is derived from the botocore configuration every call uses. One call's worst case is every attempt
timing out on connect and read, plus standard mode's backoff between attempts (2^n seconds, capped at 20). The
share itself (AssumeRole, ListWorkloadShares, one create or update per reviews account) must fit in the
function's timeout; acceptance and announcement each start only while their own worst case still fits in what
is left (`Deadline.fits`), so the function never times out in the middle of one: a skipped acceptance is done
by the sweep, a skipped announcement is counted and logged.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wa_share.aws.access import BOTO_CONFIG

BACKOFF_CAP_SECONDS = 20  # botocore's standard retry mode


def total_attempts(config: Any = BOTO_CONFIG) -> int:
    """botocore's max_attempts counts retries after the first request; once a client is built it rewrites
    the setting, in place, as total_max_attempts (first request included)."""
    retries = config.retries
    return int(retries["total_max_attempts"]) if "total_max_attempts" in retries else int(retries["max_attempts"]) + 1


def worst_call_seconds(config: Any = BOTO_CONFIG) -> int:
    attempts = total_attempts(config)
    timeouts = attempts * (int(config.connect_timeout) + int(config.read_timeout))
    backoff = sum(min(BACKOFF_CAP_SECONDS, 2**retry) for retry in range(attempts - 1))
    return int(timeouts + backoff)


# The list-first path for one reviews account: AssumeRole (member role), ListWorkloadShares, DeleteWorkloadShare
# (its dead row), CreateWorkloadShare (or UpdateWorkloadShare), ListWorkloadShares (proof that it is live).
# A fresh event takes two of them.
SHARE_CALLS = 5
ACCEPTANCE_CALLS = 3  # AssumeRole (acceptor role), ListShareInvitations, UpdateShareInvitation
ANNOUNCEMENT_CALLS = 3  # GetWorkload (the name), sns:Publish, events:PutEvents


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
