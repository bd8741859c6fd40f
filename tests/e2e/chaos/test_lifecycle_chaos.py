"""Chaos in the share lifecycle: six months of nights with people, lost responses and races.

Eight workloads in two accounts and two regions. On day one: the first CreateWorkloadShare response is
lost after the share was made (botocore retries with the same token), one event is delivered twice at
the same moment, and one workload fails permanently (ValidationException on every call that names it).
Then 26 weeks: every invitation expires unaccepted, a person deletes a share now and then (seeded), and
once an operator's sweep of one account races the nightly one. Under both settings of every lifecycle switch, every
night ends with each eligible workload holding exactly one live share and never more than 20 rows, each
`created`/`reshared` naming the live share, and the broken workload named in the sweep's failures.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

import share_function
import sweep_worker
from tests.support.factories import create_workload_event
from wa_share.aws.access import AwsError
from wa_share.realtime.events import parse_create_workload
from wa_share.realtime.new_workload import RealtimeResult, share_created_workload
from wa_share.sweep.account import AccountSweep
from wa_share.sweep.work_items import WorkItem
from wa_share.sweep.worker import handle_work_message
from wa_share_sandbox import wellarchitected as wellarchitected_backend
from wa_share_sandbox.organization import SimulatedOrganization, create_workload
from wa_share_sandbox.runner import FunctionRunner
from wa_share_sandbox.wellarchitected.lifecycle import Lifecycle

REGIONS = ("us-east-1", "eu-west-1")
WEEKS = 26
LIVE = frozenset({"PENDING", "ACCEPTED"})
CHANGED = frozenset({"created", "reshared", "updated"})
# Both settings of every switch, in four runs (all sixteen run in tests/lifecycle).
SWITCHES = (
    Lifecycle(False, False, False, False),
    Lifecycle(True, True, True, True),
    Lifecycle(dead_row_blocks=True, token_outlives_share=False, dead_rows_count_quota=True),
    Lifecycle(dead_row_blocks=False, token_outlives_share=True, dead_rows_count_quota=False),
)


@dataclass(frozen=True)
class Workload:
    account: str
    region: str
    workload_id: str


@dataclass
class Chaos:
    org: SimulatedOrganization
    runner: FunctionRunner
    rng: random.Random
    workloads: list[Workload] = field(default_factory=list)
    broken: Workload | None = None
    lost_responses: list[str] = field(default_factory=list)

    def rows(self, workload: Workload) -> list[Any]:
        backend = wellarchitected_backend.get_backend(workload.account, workload.region)
        return backend.list_all_shares(workload.workload_id)

    def live(self, workload: Workload) -> list[Any]:
        rows = self.rows(workload)
        return [row for row in rows if row.shared_with == self.org.reviews and row.status in LIVE]

    def by_id(self, workload_id: str) -> Workload:
        return next(workload for workload in self.workloads if workload.workload_id == workload_id)


def _event(workload: Workload, event_id: str, *, fresh: bool) -> dict[str, Any]:
    event = create_workload_event(
        account_id=workload.account, region=workload.region, workload_id=workload.workload_id, event_id=event_id
    )
    if fresh:
        event["detail"]["eventTime"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return event


def _realtime(chaos: Chaos, event: dict[str, Any]) -> Callable[[], RealtimeResult]:
    """The share function's domain call with its settings and sessions, ready to run on any thread."""
    with chaos.runner.as_function("share"):
        settings, sessions = share_function.runtime()
        sessions.member(event["detail"]["recipientAccountId"])  # credentials fixed before the threads start
    # Each run is the event's first receive, now: fresh or late as its eventTime says.
    return lambda: share_created_workload(
        parse_create_workload(event), settings, sessions, untouched_since=datetime.now(UTC)
    )


def _night(chaos: Chaos, account: str, night: int) -> Callable[[], AccountSweep]:
    item = WorkItem(account_id=account, sweep_id=f"night-{night}", regions=REGIONS)
    with chaos.runner.as_function("worker"):
        settings, sessions = sweep_worker.runtime()
        sessions.member(account)

    def run() -> AccountSweep:
        swept = handle_work_message(item.to_message(), 1, settings, sessions)
        assert swept is not None
        return swept

    return run


def _together(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls at the same moment, one thread each; the sandbox serialises the API calls in between."""
    results: list[Any] = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(index: int) -> None:
        start.wait()
        results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _day_one(chaos: Chaos) -> None:
    org, members = chaos.org, chaos.org.members
    wellarchitected_backend.set_cloudtrail_filter(lambda _record: False)  # the events are delivered by hand here
    for account in members:
        for region in REGIONS:
            for n in range(2):
                workload_id = create_workload(org, account, region, f"w-{account[-4:]}-{region}-{n}")
                chaos.workloads.append(Workload(account, region, workload_id))
    wellarchitected_backend.set_cloudtrail_filter(None)
    chaos.broken = chaos.workloads[-1]
    broken_id = chaos.broken.workload_id

    def lose_first(operation: str, params: dict[str, Any]) -> str | None:
        if chaos.lost_responses:
            return None
        chaos.lost_responses.append(str(params["WorkloadId"]))
        return "InternalServerException"

    wellarchitected_backend.configure_request_faults(
        before=lambda _operation, params: "ValidationException" if params.get("WorkloadId") == broken_id else None,
        after=lose_first,
    )
    first, twice, *others = chaos.workloads
    lost = _event(first, "event-lost-response", fresh=True)
    with pytest.raises(AwsError, match="InternalServerException"):  # the function does not retry in process:
        _realtime(chaos, lost)()
    _realtime(chaos, lost)()  # the share queue delivers the event again (wa_share/realtime/queue.py)
    duplicates = _event(twice, "event-delivered-twice", fresh=True)
    outcomes = [result.results[0].outcome.value for result in _together(*(_realtime(chaos, duplicates),) * 2)]
    assert outcomes == ["created", "created"]  # one share, found twice: the same token
    for workload in others:
        if workload != chaos.broken:
            _realtime(chaos, _event(workload, f"event-{workload.workload_id}", fresh=True))()
    with pytest.raises(Exception, match="ValidationException"):
        _realtime(chaos, _event(chaos.broken, "event-broken", fresh=True))()
    assert chaos.lost_responses == [first.workload_id]
    assert len(chaos.rows(first)) == len(chaos.rows(twice)) == 1  # the retry and the duplicate got the same share


def _week(chaos: Chaos, week: int) -> list[AccountSweep]:
    for workload in chaos.workloads:  # seven days without an acceptor
        for row in chaos.live(workload):
            backend = wellarchitected_backend.get_backend(workload.account, workload.region)
            backend.set_share_status(workload.workload_id, row.share_id, "EXPIRED")
    victim = chaos.rng.choice(chaos.workloads[:-1])
    if chaos.rng.random() < 0.4:  # a person deletes a share now and then
        client = chaos.org.client(victim.account, "wellarchitected", victim.region)
        for row in chaos.rows(victim):
            client.delete_workload_share(WorkloadId=victim.workload_id, ShareId=row.share_id, ClientRequestToken="x")
    nights = [_night(chaos, account, week) for account in chaos.org.members]
    if week == WEEKS // 2:  # an operator's sweep of one account races the nightly one, call for call
        operator = _night(chaos, victim.account, 1000 + week)
        racing = nights.pop(chaos.org.members.index(victim.account))
        wellarchitected_backend.configure_faults(latency_seconds=0.01)  # the calls overlap, as on AWS
        try:
            raced = _together(racing, operator)
        finally:
            wellarchitected_backend.configure_faults()
        return [*raced, *(night() for night in nights)]
    return [night() for night in nights]


def _assert_every_workload_right(chaos: Chaos, sweeps: list[AccountSweep], when: str, *, raced: bool = False) -> None:
    assert chaos.broken is not None
    for workload in chaos.workloads:
        rows, live = chaos.rows(workload), chaos.live(workload)
        assert len(rows) <= wellarchitected_backend.SHARE_QUOTA, when
        want = 0 if workload == chaos.broken else 1
        assert len(live) == want, f"{when}: {workload}: {[(row.share_id, row.status) for row in rows]}"
    for swept in sweeps:
        for result in swept.results:
            if result.outcome.value in CHANGED:
                [live] = chaos.live(chaos.by_id(result.workload_id))
                # racing sweeps each made a share; both kept the same one, the other's claim is only "shared"
                assert raced or result.share_id == live.share_id, f"{when}: {result}"
    failures = {(f.scope, f.code, f.retryable) for swept in sweeps for f in swept.failures}
    assert failures == {
        (f"workload {chaos.broken.workload_id} in {chaos.broken.region}", "ValidationException", False)
    }, when


@pytest.mark.slow
@pytest.mark.parametrize("switches", SWITCHES, ids=Lifecycle.label)
def test_six_months_of_lifecycle_chaos_end_every_night_right(
    switches: Lifecycle, org: SimulatedOrganization, runner: FunctionRunner
) -> None:
    wellarchitected_backend.configure_lifecycle(switches)
    chaos = Chaos(org, runner, random.Random(7))
    _day_one(chaos)
    _assert_every_workload_right(chaos, [_night(chaos, account, 0)() for account in org.members], "day one")
    for week in range(1, WEEKS + 1):
        _assert_every_workload_right(chaos, _week(chaos, week), f"week {week}", raced=week == WEEKS // 2)
