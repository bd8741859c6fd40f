"""Seeded faults for the sandbox story: CloudTrail events lost, Well-Architected calls throttled.

Every decision is drawn from its own generator, seeded by the run's seed and a stable key (account
*name*, region, operation, and how many times that key was seen), so a seed replays the same story even
though moto draws fresh account IDs, and even when the sweep's region threads interleave differently.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from typing import Any

from wa_share_sandbox import wellarchitected as wellarchitected_backend

THROTTLE_CODE = "ThrottlingException"
# The harness plays the workload owners: their CreateWorkload calls are not what is being rehearsed.
UNTHROTTLED_OPERATIONS = frozenset({"CreateWorkload"})


class SeededFaults:
    def __init__(self, seed: int, names: dict[str, str]) -> None:
        self._seed = seed
        self._names = names  # account ID -> stable name (member-01…)
        self._seen: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.drop_rate = 0.0
        self.throttle_rate = 0.0
        self.dropped: list[tuple[str, str]] = []  # (account, region) of each lost CreateWorkload event
        self.throttled = 0

    def _draw(self, key: str, rate: float) -> bool:
        if rate <= 0:
            return False
        with self._lock:
            self._seen[key] += 1
            nth = self._seen[key]
        return random.Random(f"{self._seed}|{key}|{nth}").random() < rate

    def keep_cloudtrail_event(self, record: dict[str, Any]) -> bool:
        """The CloudTrail filter: False loses the event (only successful CreateWorkload calls matter to the
        story; share events pass, so the seeded draws are the same as before they were forwarded)."""
        account, region = str(record["recipientAccountId"]), str(record["awsRegion"])
        if (
            record.get("eventName") != "CreateWorkload"
            or record.get("errorCode")
            or not self._draw(f"drop|{self._names.get(account, account)}|{region}", self.drop_rate)
        ):
            return True
        with self._lock:
            self.dropped.append((account, region))
        return False

    def fault(self, operation: str, account: str, region: str) -> str | None:
        """The WA fault hook: the error code to raise for this call, if any."""
        if operation in UNTHROTTLED_OPERATIONS:
            return None
        key = f"throttle|{operation}|{self._names.get(account, account)}|{region}"
        if not self._draw(key, self.throttle_rate):
            return None
        with self._lock:
            self.throttled += 1
        return THROTTLE_CODE

    def apply(self, *, drop_rate: float, throttle_rate: float, latency_ms: float) -> None:
        """Install (or change) the faults in the WA backend."""
        self.drop_rate, self.throttle_rate = drop_rate, throttle_rate
        wellarchitected_backend.set_cloudtrail_filter(self.keep_cloudtrail_event)
        wellarchitected_backend.configure_faults(latency_seconds=latency_ms / 1000, fault=self.fault)


def remove_faults() -> None:
    wellarchitected_backend.reset_faults()
    wellarchitected_backend.set_cloudtrail_filter(None)
