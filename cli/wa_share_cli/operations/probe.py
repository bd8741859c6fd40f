"""`wa-share probe`: one probe workload through the real-time path, watched hop by hop, then deleted.

The probe is created with the stack's probe role (the only role allowed to create and delete workloads,
and only probes), in the probe account and region. What the operator can observe from the owner's side:
created (CreateWorkload answered), shared (a live share with every reviews principal) and, with
auto-accept on, accepted (every account share ACCEPTED). The probe is deleted whatever happened.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from wa_share.aws.wellarchitected import Share, WellArchitected
from wa_share.domain import ACCOUNT_ID
from wa_share.probe.rule import probe_name
from wa_share.probe.run import WHAT_TO_CHECK, create_probe, delete_probe, is_shared

Clock = Callable[[], float]


def pause(seconds: float) -> None:
    """The wait between two polls (the sandbox's tests run the share function here instead)."""
    time.sleep(seconds)


@dataclass(frozen=True)
class Hop:
    name: str  # created, shared, accepted, deleted
    at: datetime
    seconds: float  # since the probe was created
    detail: str = ""


@dataclass
class ProbeReport:
    name: str
    region: str
    workload_id: str = ""
    hops: list[Hop] = field(default_factory=list)
    accept_expected: bool = False

    def reached(self, hop: str) -> bool:
        return any(item.name == hop for item in self.hops)

    @property
    def shared(self) -> bool:
        return self.reached("shared")

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "region": self.region,
            "workload_id": self.workload_id,
            "shared": self.shared,
            "accepted": self.reached("accepted") if self.accept_expected else None,
            "hops": [
                {"hop": h.name, "at": h.at.isoformat(), "seconds": round(h.seconds, 3), "detail": h.detail}
                for h in self.hops
            ],
            "check": None if self.shared else WHAT_TO_CHECK,
        }


@dataclass
class Watch:
    """How long to wait and how: the clock and the pause between polls are injectable (the sandbox runs
    the share function during the pause)."""

    timeout: float
    interval: float
    pause: Callable[[float], None] = time.sleep
    clock: Clock = time.monotonic
    on_poll: Callable[[float], None] = lambda _elapsed: None


def run_probe(wa: WellArchitected, principals: Sequence[str], *, accept_expected: bool, watch: Watch) -> ProbeReport:
    """Create a probe, wait for its hops until the timeout, delete it; AWS errors raise after the delete."""
    report = ProbeReport(
        probe_name(datetime.now(UTC), uuid.uuid4().hex[:8]), wa.region, accept_expected=accept_expected
    )
    started = watch.clock()
    report.workload_id = create_probe(wa, report.name, token=str(uuid.uuid4()))
    report.hops.append(_hop("created", watch, started, report.workload_id))
    try:
        _wait(wa, report, principals, watch, started)
    finally:
        delete_probe(wa, report.workload_id)
        report.hops.append(_hop("deleted", watch, started))
    return report


def _wait(wa: WellArchitected, report: ProbeReport, principals: Sequence[str], watch: Watch, started: float) -> None:
    accounts = [principal for principal in principals if ACCOUNT_ID.match(principal)]
    while True:
        shares = wa.list_shares(report.workload_id)
        if not report.shared and is_shared(shares, principals):
            report.hops.append(_hop("shared", watch, started, _statuses(shares)))
        if report.shared and report.accept_expected and not report.reached("accepted") and _accepted(shares, accounts):
            report.hops.append(_hop("accepted", watch, started, _statuses(shares)))
        if report.shared and (report.reached("accepted") or not report.accept_expected):
            return
        elapsed = watch.clock() - started
        if elapsed >= watch.timeout:
            return
        watch.on_poll(elapsed)
        watch.pause(min(watch.interval, watch.timeout - elapsed))


def _accepted(shares: Sequence[Share], accounts: Sequence[str]) -> bool:
    return all(any(s.shared_with == account and s.status == "ACCEPTED" for s in shares) for account in accounts)


def _statuses(shares: Sequence[Share]) -> str:
    return ", ".join(f"{share.shared_with} {share.status}" for share in shares if share.live)


def _hop(name: str, watch: Watch, started: float, detail: str = "") -> Hop:
    return Hop(name, datetime.now(UTC), watch.clock() - started, detail)
