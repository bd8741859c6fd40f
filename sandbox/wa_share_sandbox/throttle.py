"""Rate limits of the simulated AWS: a token bucket per account and region for the Well-Architected API, and
one per calling account and region for STS AssumeRole.

AWS publishes neither limit, so both are switches (docs/bursts.md, "Bursts and rate limits") and the tests and the
benchmark run under several settings (`RATE_SETTINGS`). A request that finds its bucket empty is refused
the way AWS refuses it: ``ThrottlingException`` (HTTP 429) from Well-Architected, ``Throttling`` (HTTP 400)
from STS. Refused requests take no token; botocore retries them like any throttle.

Buckets refill by the sandbox clock (clock.py), not the wall: the sandbox shortens botocore's backoff a
thousandfold, and a bucket refilled by the wall would meet retries a thousand times too early.

Module-level on purpose, like the fault settings: they outlive moto's resets (tests reset them explicitly).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from moto.core.exceptions import ServiceException
from moto.sts.models import STSBackend

from wa_share_sandbox.clock import CLOCK

Service = Literal["wellarchitected", "sts"]


@dataclass(frozen=True)
class RateLimits:
    name: str
    wa_rate: float | None = None  # requests a second per account and region (None: no limit)
    wa_burst: int = 0  # the bucket's size: requests AWS accepts at once after a quiet spell
    sts_rate: float | None = None  # AssumeRole a second per calling account and region
    sts_burst: int = 0

    def limit(self, service: Service) -> tuple[float, int] | None:
        rate, burst = (self.wa_rate, self.wa_burst) if service == "wellarchitected" else (self.sts_rate, self.sts_burst)
        return None if rate is None else (rate, burst)


# The guesses. "a few requests a second" is all anyone says of the Well-Architected API; AssumeRole's limit
# is an account-wide rate far above what wa-share needs. "tight" is the pessimist's guess, "guess" the default.
UNLIMITED = RateLimits("unlimited")
GUESS = RateLimits("guess", wa_rate=5.0, wa_burst=10, sts_rate=50.0, sts_burst=100)
TIGHT = RateLimits("tight", wa_rate=1.0, wa_burst=5, sts_rate=10.0, sts_burst=20)
RATE_SETTINGS = (UNLIMITED, GUESS, TIGHT)
THROTTLED_SETTINGS = (GUESS, TIGHT)


class TokenBucket:
    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.stamp = float(burst), now

    def take(self, now: float) -> bool:
        # A request stamped earlier than the last one (a scenario's concurrent slots run one after another)
        # refills nothing and takes what is there.
        if now > self.stamp:
            self.tokens = min(float(self.burst), self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


# What a scenario that drives the clock charges for each WA or STS call (`CLOCK.set_now(..., call_seconds=)`):
# a guess at AWS's answer time.
SIMULATED_CALL_SECONDS = 0.1


class _State:
    limits: RateLimits = UNLIMITED
    exempt = False  # the scenario's own calls (the workloads it creates) are not charged
    buckets: dict[tuple[Service, str, str], TokenBucket] = {}  # noqa: RUF012 - module state, reset explicitly
    throttled: dict[Service, int] = {"wellarchitected": 0, "sts": 0}  # noqa: RUF012
    lock = threading.Lock()


def configure_rate_limits(limits: RateLimits) -> RateLimits:
    """Set the limits; every bucket starts full again."""
    with _State.lock:
        _State.limits, _State.buckets = limits, {}
        _State.throttled = {"wellarchitected": 0, "sts": 0}
    return limits


def reset_rate_limits() -> None:
    configure_rate_limits(UNLIMITED)


def current_limits() -> RateLimits:
    return _State.limits


def admit(service: Service, account: str, region: str) -> bool:
    """Whether a request of `account` in `region` gets through now (False: AWS would throttle it)."""
    CLOCK.charge_call()
    with _State.lock:
        limit = _State.limits.limit(service)
        if limit is None or _State.exempt:
            return True
        now = CLOCK.now()
        bucket = _State.buckets.setdefault((service, account, region), TokenBucket(*limit, now))
        if bucket.take(now):
            return True
        _State.throttled[service] += 1
        return False


@contextmanager
def exempt() -> Iterator[None]:
    """Calls made inside are not charged: the scenario's own setup (its 500 CreateWorkload calls happened,
    whatever limit their owner met)."""
    _State.exempt = True
    try:
        yield
    finally:
        _State.exempt = False


def throttled_requests() -> dict[Service, int]:
    """Requests refused since the limits were set, by service (a retried request counts each time)."""
    with _State.lock:
        return dict(_State.throttled)


class _StsThrottling(ServiceException):
    code = "Throttling"  # STS's model has no shape for it: moto answers 400, as AWS does
    message = "Rate exceeded"


def install_rate_limits() -> None:
    """STS's AssumeRole asks its bucket first (idempotent); the WA service asks in every operation."""
    if getattr(STSBackend.assume_role, "rate_limited", False):
        return
    original = STSBackend.assume_role

    def assume_role(self: STSBackend, *args: Any, **kwargs: Any) -> Any:
        if not admit("sts", self.account_id, str(kwargs.get("region_name", ""))):
            raise _StsThrottling
        return original(self, *args, **kwargs)

    assume_role.rate_limited = True  # type: ignore[attr-defined]
    STSBackend.assume_role = assume_role  # type: ignore[method-assign]
