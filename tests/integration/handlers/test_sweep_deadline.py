"""The sweep's guards at scale, on moto with the real worker: bounded concurrency inside a region, the
invocation's deadline (accounts handed back, an account split across invocations), an SCP-denied region."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

import sweep_worker
from tests.support.emf import emf_documents
from tests.support.factories import scripted_clock
from tests.support.queues import drain
from tests.support.shares import live_shares
from wa_share.aws.wellarchitected import WellArchitected
from wa_share.runtime.deadline import Deadline
from wa_share.sweep.work_items import WorkItem
from wa_share.sweep.worker import SWEEP_MAX_RECEIVES, SweepDeferred, handle_work_message
from wa_share_sandbox import wellarchitected as wellarchitected_backend
from wa_share_sandbox.deployment import Deployment
from wa_share_sandbox.metering import METER
from wa_share_sandbox.organization import SimulatedOrganization, create_workload
from wa_share_sandbox.runner import FunctionRunner


def calls(operation: str) -> int:
    return METER.snapshot()[f"wellarchitected:{operation}"]


def enqueue(org: SimulatedOrganization, deployment: Deployment, items: list[WorkItem]) -> None:
    sqs = org.client(org.automation, "sqs")
    for item in items:
        sqs.send_message(QueueUrl=deployment.queue_urls["SweepQueue"], MessageBody=item.to_message())


def test_workloads_that_need_calls_run_concurrently_within_a_bound(
    org: SimulatedOrganization, reconfigure: Callable[..., FunctionRunner], monkeypatch: pytest.MonkeyPatch
) -> None:
    member = org.members[0]
    workloads = [create_workload(org, member, "us-east-1", f"workload-{index}") for index in range(12)]
    runner = reconfigure(WORKLOAD_CONCURRENCY="4", WA_REGIONS="us-east-1")
    in_flight, peak, lock = [0], [0], threading.Lock()
    list_shares = WellArchitected.list_shares

    def measured(self: WellArchitected, workload_id: str) -> Any:
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        try:
            time.sleep(0.05)  # a WA call's latency, so that overlapping calls can be seen
            return list_shares(self, workload_id)
        finally:
            with lock:
                in_flight[0] -= 1

    monkeypatch.setattr(WellArchitected, "list_shares", measured)
    enqueue(org, runner.deployment, [WorkItem(account_id=member, sweep_id="bounded")])
    runner.drain_sweep_queue()

    assert 1 < peak[0] <= 4
    assert all(live_shares(org, member, "us-east-1", workload) == [org.reviews] for workload in workloads)


def test_remaining_time_reached_mid_batch_hands_the_rest_back_and_nothing_is_lost(
    org: SimulatedOrganization,
    deployment: Deployment,
    runner: FunctionRunner,
    log_records: Callable[[str], list[dict[str, Any]]],
) -> None:
    first, second, third = org.members[0], org.members[1], org.management
    workloads = {account: create_workload(org, account, "us-east-1", "late") for account in (first, second, third)}
    enqueue(org, deployment, [WorkItem(account_id=account, sweep_id="late") for account in (first, second, third)])
    clocks = iter([scripted_clock(900_000, then=1_000)])  # the first invocation's time runs out after one look

    runs = runner.drain_sweep_queue(remaining=lambda: next(clocks, None))

    assert runs[0].error is None  # never a timeout: the invocation returned
    assert len(runs[0].result["batchItemFailures"]) == 2  # the two accounts not started
    handed_back = log_records("account handed back to the queue before the deadline")
    assert len(handed_back) == 2
    assert all(line["reason"].startswith("not started: 1.0 s left in the invocation") for line in handed_back)
    [split] = log_records("account split: the rest continues in a new work item")
    assert split["account_id"] == first
    for account, workload in workloads.items():
        assert live_shares(org, account, "us-east-1", workload) == [org.reviews], account
    assert drain(org, deployment.queue_urls["SweepQueue"]) == []
    assert drain(org, deployment.queue_urls["SweepDeadLetterQueue"]) == []


def test_an_account_too_large_for_one_invocation_is_split_and_finishes(
    org: SimulatedOrganization,
    deployment: Deployment,
    reconfigure: Callable[..., FunctionRunner],
    log_records: Callable[[str], list[dict[str, Any]]],
) -> None:
    member = org.members[0]
    runner = reconfigure(REGION_CONCURRENCY="1", WORKLOAD_CONCURRENCY="1")  # one reading of the clock per step
    us = [create_workload(org, member, "us-east-1", f"us-{index}") for index in range(2)]
    eu = create_workload(org, member, "eu-west-1", "eu-workload")
    enqueue(org, deployment, [WorkItem(account_id=member, sweep_id="large")])
    # Readings: the account starts, us-east-1 starts, its first workload; then the time is up.
    clocks = iter([_counting_clock(3)])
    listed = calls("ListWorkloadShares")

    runs = runner.drain_sweep_queue(remaining=lambda: next(clocks, None))

    assert [run.error for run in runs] == [None, None]
    assert runs[0].result == {"batchItemFailures": []}  # the first part succeeded: its rest is a new item
    summaries = log_records("sweep summary")
    assert [line["regions_unfinished"] for line in summaries] == [["us-east-1", "eu-west-1"], []]
    assert summaries[1]["known_live"] == 1  # what part 1 shared is not listed again by part 2
    # Each of the three workloads is listed, created, then listed again to prove the share live.
    assert calls("ListWorkloadShares") - listed == 3 * 2
    assert [line["part"] for line in log_records("account split: the rest continues in a new work item")] == [2]
    for region, workload in [("us-east-1", us[0]), ("us-east-1", us[1]), ("eu-west-1", eu)]:
        assert live_shares(org, member, region, workload) == [org.reviews]
    assert drain(org, deployment.queue_urls["SweepDeadLetterQueue"]) == []


def _counting_clock(readings: int) -> Callable[[], int]:
    count = iter(range(readings))
    return lambda: 900_000 if next(count, None) is not None else 1_000


def test_a_region_denied_by_an_scp_is_skipped_by_policy_once_and_counted(
    org: SimulatedOrganization,
    deployment: Deployment,
    runner: FunctionRunner,
    log_records: Callable[[str], list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    member = org.members[0]
    allowed = create_workload(org, member, "us-east-1", "allowed")
    for index in range(3):
        create_workload(org, member, "eu-west-1", f"denied-{index}")
    wellarchitected_backend.configure_faults(
        fault=lambda operation, account, region: (
            "AccessDeniedException" if (account, region) == (member, "eu-west-1") else None
        )
    )
    try:
        enqueue(org, deployment, [WorkItem(account_id=member, sweep_id="scp")])
        runs = runner.drain_sweep_queue()
    finally:
        wellarchitected_backend.reset_faults()

    assert runs[0].result == {"batchItemFailures": []}  # not a failure: nothing retried
    [summary] = log_records("sweep summary")
    assert summary["regions_denied_by_policy"] == ["eu-west-1"]
    assert summary["failed"] == 0
    [line] = log_records("region skipped by policy: every call is denied")  # one line, not one per workload
    assert (line["account_id"], line["region"], line["error_code"]) == (member, "eu-west-1", "AccessDeniedException")
    emitted = emf_documents(capsys.readouterr().out)
    assert sum(sum(blob.get("RegionsSkippedByPolicy", [])) for blob in emitted) == 1
    assert live_shares(org, member, "us-east-1", allowed) == [org.reviews]


def test_an_account_handed_back_on_its_last_receive_is_queued_afresh_not_dead_lettered(
    org: SimulatedOrganization, deployment: Deployment, runner: FunctionRunner
) -> None:
    body = WorkItem(account_id=org.members[0], sweep_id="late").to_message()
    out_of_time = Deadline(remaining_ms=lambda: 1_000)
    with runner.as_function("worker"):
        settings, sessions = sweep_worker.runtime()
        with pytest.raises(SweepDeferred, match=r"not started: 1\.0 s left"):
            handle_work_message(body, SWEEP_MAX_RECEIVES - 1, settings, sessions, out_of_time)
        assert handle_work_message(body, SWEEP_MAX_RECEIVES, settings, sessions, out_of_time) is None

    assert [message["Body"] for message in drain(org, deployment.queue_urls["SweepQueue"])] == [body]
    assert drain(org, deployment.queue_urls["SweepDeadLetterQueue"]) == []
