"""Seeded faults for the chaos test: lost events, throttling, server errors, an expiring session, a dying worker.

Every decision is drawn from its own generator, seeded by the run's seed and a stable key (account
*name*, region, operation, how many times that key was seen), so a seed replays the same faults although
moto draws fresh account IDs, and although the sweep's region threads interleave differently.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.support import session_expiry
from tests.support.iam_actions import issued_sessions

THROTTLE, SERVER_ERROR = "ThrottlingException", "InternalServerException"


@dataclass(frozen=True)
class Rates:
    throttle: float = 0.20  # of the functions' Well-Architected calls
    server_error: float = 0.05
    lost_event: float = 0.10  # of the CreateWorkload events CloudTrail would deliver


@dataclass
class Figures:
    wa_calls: int = 0
    throttled: int = 0
    server_errors: int = 0
    events_lost: int = 0
    sessions_expired: int = 0
    touched: set[tuple[str, str]] = field(default_factory=set)  # (account, region) of every WA call


class ChaosFaults:
    def __init__(self, seed: int, names: dict[str, str], rates: Rates) -> None:
        self._seed, self._names, self.rates = seed, names, rates
        self._seen: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.figures = Figures()
        self.calls_active = False  # faults only while the functions run, never on the harness's calls
        self._expiry: tuple[str, int, str] | None = None  # (account, after this many calls, role ARN)
        self._baseline: set[str] = set()

    def draw(self, key: str) -> float:
        with self._lock:
            self._seen[key] += 1
            nth = self._seen[key]
        return random.Random(f"{self._seed}|{key}|{nth}").random()

    def name(self, account: str) -> str:
        return self._names.get(account, account)

    def keep_event(self, record: dict[str, Any]) -> bool:
        """CloudTrail filter: False loses the event."""
        key = f"event|{self.name(str(record['recipientAccountId']))}|{record['awsRegion']}"
        if record.get("errorCode") or self.draw(key) >= self.rates.lost_event:
            return True
        with self._lock:
            self.figures.events_lost += 1
        return False

    def fault(self, operation: str, account: str, region: str) -> str | None:
        """WA fault hook: the error code to answer this call with, if any."""
        if not self.calls_active:
            return None
        with self._lock:
            self.figures.wa_calls += 1
            self.figures.touched.add((account, region))
        self._maybe_expire(account)
        roll = self.draw(f"wa|{operation}|{self.name(account)}|{region}")
        code = THROTTLE if roll < self.rates.throttle else None
        if code is None and roll < self.rates.throttle + self.rates.server_error:
            code = SERVER_ERROR
        if code is not None:
            with self._lock:
                self.figures.throttled += code == THROTTLE
                self.figures.server_errors += code == SERVER_ERROR
        return code

    def expire_sessions_mid_sweep(self, account: str, after_calls: int, role_arn: str) -> None:
        """After `after_calls` more WA calls in `account`, expire the sessions of `role_arn` issued from now on."""
        self._baseline = {session.access_key_id for session in issued_sessions()}
        self._expiry = (account, after_calls, role_arn)

    def _maybe_expire(self, account: str) -> None:
        with self._lock:
            if self._expiry is None or self._expiry[0] != account:
                return
            _, left, role_arn = self._expiry
            self._expiry = (account, left - 1, role_arn) if left > 1 else None
        if left == 1:
            self._expire_new_sessions(role_arn)

    def _expire_new_sessions(self, role_arn: str) -> None:
        for session in issued_sessions():
            if session.access_key_id not in self._baseline and session.role_arn == role_arn:
                session_expiry.expire(session.access_key_id)
                with self._lock:
                    self.figures.sessions_expired += 1


class WorkerDied(BaseException):
    """The worker's runtime died (timeout, out of memory): BatchProcessor must not catch it."""


def dying_worker(
    record_handler: Callable[..., None], handler: Callable[[Any, Any], Any], *, after: int
) -> tuple[Callable[..., None], Callable[[Any, Any], Any], list[int]]:
    """Wrappers that kill the first worker invocation once `after` records are done; `deaths` counts them."""
    deaths: list[int] = []
    done = Counter[str]()

    def on_record(record: Any, **options: Any) -> None:  # BatchProcessor passes it by this name
        if not deaths and done["records"] >= after:
            deaths.append(done["records"])
            raise WorkerDied(f"worker died after {after} records of its batch")
        record_handler(record, **options)  # the handler binds the invocation's deadline
        done["records"] += 1

    def invoke(event: Any, context: Any) -> Any:
        try:
            return handler(event, context)
        except WorkerDied as died:  # what Lambda reports for a runtime that died mid-batch
            raise RuntimeError(f"Runtime exited: {died}") from None

    return on_record, invoke, deaths
