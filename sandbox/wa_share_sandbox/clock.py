"""Simulated time for botocore's retry backoff.

The functions keep their real retry policy (standard mode, five attempts, jittered exponential
backoff); only the waiting between attempts is shortened, so a chaos run of thousands of throttled
calls takes seconds instead of hours. Attempts still happen and are counted by the meter.
"""

from __future__ import annotations

from typing import Any

from botocore.retries.standard import ExponentialBackoff

_ORIGINAL = ExponentialBackoff.delay_amount
_STATE = {"factor": 1.0}


def _scaled_delay(self: ExponentialBackoff, context: Any) -> float:
    return float(_ORIGINAL(self, context)) * _STATE["factor"]


def compress_retry_backoff(factor: float = 0.001) -> None:
    """Scale every retry delay by `factor` (1.0 restores real time)."""
    _STATE["factor"] = factor
    ExponentialBackoff.delay_amount = _scaled_delay  # type: ignore[method-assign]
