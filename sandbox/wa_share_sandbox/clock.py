"""Simulated time: botocore's retry backoff, the simulator's rate limits and SQS's visibility timeouts.

The functions keep their real retry policy (standard mode, five attempts, jittered exponential
backoff); only the waiting between attempts is shortened, so a chaos run of thousands of throttled
calls takes seconds instead of hours. Attempts still happen and are counted by the meter.

What is skipped is not lost: every shortened wait moves the sandbox clock forward by the whole delay, and
the simulator's token buckets (throttle.py) refill by that clock, as do the share queue's visibility
timeouts (moto's SQS reads it once `install_sqs_clock` ran). So a retry that AWS would send 8 s later finds
8 s of refill, not the few milliseconds it really waited: throttling is neither harsher nor milder than the
switches say. A scenario that plays hours of events (burst.py) drives the clock itself (`set_now`).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

from botocore.retries.standard import ExponentialBackoff

_ORIGINAL = ExponentialBackoff.delay_amount
_STATE = {"factor": 1.0}
EPOCH = 1_800_000_000.0  # where a driven clock starts (2027-01-15), in Unix seconds, for SQS's timestamps


class SandboxClock:
    """Seconds: wall time plus every skipped wait, or, once driven (`set_now`), only what the driver says."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._driven: float | None = None
        self._call_seconds = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            base = time.monotonic() if self._driven is None else self._driven
            return base + self._offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += max(0.0, seconds)

    def set_now(self, seconds: float, call_seconds: float = 0.0) -> None:
        """Drive the clock: from now on it reads `seconds` (plus later advances) until `release`. Each
        simulated AWS call then takes `call_seconds` of it (`charge_call`): a scenario's guess at AWS's answer
        time, which the sandbox's own milliseconds of wall time would not show on a driven clock."""
        with self._lock:
            self._driven, self._offset, self._call_seconds = seconds, 0.0, call_seconds

    def charge_call(self) -> None:
        with self._lock:
            if self._driven is not None:
                self._offset += self._call_seconds

    def release(self) -> None:
        with self._lock:
            self._driven, self._call_seconds = None, 0.0

    def reset(self) -> None:
        """A new simulated world: wall time again, no skipped waits carried over from the last one (its
        CloudTrail eventTimes would otherwise run ahead of the functions' own clock)."""
        with self._lock:
            self._driven, self._call_seconds, self._offset = None, 0.0, 0.0

    @property
    def driven(self) -> bool:
        return self._driven is not None

    def unix_millis(self) -> float:
        """The clock as Unix epoch milliseconds (moto's SQS timestamps)."""
        if self.driven:
            return (EPOCH + self.now()) * 1000
        with self._lock:
            return (time.time() + self._offset) * 1000

    def utc_now(self) -> datetime:
        """The clock as a date: CloudTrail's eventTime, and the functions' own "now" while driven."""
        return datetime.fromtimestamp(self.unix_millis() / 1000, UTC)


CLOCK = SandboxClock()


def _scaled_delay(self: ExponentialBackoff, context: Any) -> float:
    delay = float(_ORIGINAL(self, context))
    CLOCK.advance(delay)
    return delay * _STATE["factor"]


def compress_retry_backoff(factor: float = 0.001) -> None:
    """Scale every retry delay by `factor` (1.0 restores real time); the clock advances by the whole delay."""
    _STATE["factor"] = factor
    ExponentialBackoff.delay_amount = _scaled_delay  # type: ignore[method-assign]


def install_sqs_clock() -> None:
    """moto's SQS reads the sandbox clock: visibility timeouts and delays pass in simulated time."""
    import moto.sqs.models as sqs_models  # noqa: PLC0415 - moto's internals, patched only when asked

    setattr(sqs_models, "unix_time_millis", CLOCK.unix_millis)  # noqa: B010 - moto does not export it
    setattr(sqs_models, "unix_time", lambda *_args: CLOCK.unix_millis() / 1000)  # noqa: B010
