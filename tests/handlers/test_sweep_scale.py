"""The sweep at scale, on moto with the real functions: the reviews side read once by the planner, the
work item's slice saving calls, bounded concurrency, the invocation's deadline (accounts handed back, an
account split across invocations), and a region an SCP denies."""

from __future__ import annotations

import io
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import sweep_worker
from tests.handlers.test_sweep_worker import drain, live_shares
from tests.security.workout import scripted_clock
from wa_share.observability import logger
from wa_share.wellarchitected import WellArchitected
from wa_share.work_items import MAX_KNOWN_LIVE, WorkItem, bounded_slice, parse_work_item
from wa_share_cli.sandbox import wellarchitected_backend
from wa_share_cli.sandbox.deployment import Deployment
from wa_share_cli.sandbox.metering import METER
from wa_share_cli.sandbox.organization import SimulatedOrganization, create_workload
from wa_share_cli.sandbox.runner import FunctionRunner

WEDNESDAY = {
    "id": "nightly-wed",
    "source": "aws.events",
    "detail-type": "Scheduled Event",
    "time": "2026-01-07T03:00:00Z",
}
SUNDAY = WEDNESDAY | {"id": "nightly-sun", "time": "2026-01-04T03:00:00Z"}


@pytest.fixture(autouse=True)
def _no_default_amis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


@pytest.fixture
def reconfigure(deployment: Deployment) -> Iterator[Callable[..., FunctionRunner]]:
    def runner_with(**variables: str) -> FunctionRunner:
        deployment.function_env |= variables
        return FunctionRunner(deployment)

    yield runner_with
    sweep_worker.runtime.cache_clear()


@pytest.fixture
def log_records() -> Iterator[Callable[[str], list[dict[str, Any]]]]:
    """The functions' log lines as the Powertools JSON formatter writes them to CloudWatch Logs."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logging.getLogger(logger.name).addHandler(handler)

    def lines(message: str) -> list[dict[str, Any]]:
        parsed = [json.loads(line) for line in stream.getvalue().splitlines()]
        return [line for line in parsed if line["message"] == message]

    yield lines
    logging.getLogger(logger.name).removeHandler(handler)


def calls(operation: str) -> int:
    return METER.snapshot()[f"wellarchitected:{operation}"]


def share(org: SimulatedOrganization, owner: str, region: str, workload: str, permission: str = "READONLY") -> str:
    client = org.client(owner, "wellarchitected", region)
    return str(
        client.create_workload_share(
            WorkloadId=workload, SharedWith=org.reviews, PermissionType=permission, ClientRequestToken=workload
        )["ShareId"]
    )


def accept_all(org: SimulatedOrganization, region: str) -> None:
    client = org.client(org.reviews, "wellarchitected", region)
    for invitation in client.list_share_invitations(ShareResourceType="WORKLOAD")["ShareInvitationSummaries"]:
        client.update_share_invitation(
            ShareInvitationId=invitation["ShareInvitationId"], ShareInvitationAction="ACCEPT"
        )


def planned(org: SimulatedOrganization, deployment: Deployment) -> dict[str, WorkItem]:
    """The items on the sweep queue, read and deleted."""
    items = [parse_work_item(message["Body"]) for message in drain(org, deployment.queue_urls["SweepQueue"])]
    return {item.account_id: item for item in items}


def enqueue(org: SimulatedOrganization, deployment: Deployment, items: list[WorkItem]) -> None:
    sqs = org.client(org.automation, "sqs")
    for item in items:
        sqs.send_message(QueueUrl=deployment.queue_urls["SweepQueue"], MessageBody=item.to_message())


def test_the_planner_reads_the_reviews_side_and_the_worker_lists_only_what_is_not_known_live(
    org: SimulatedOrganization, deployment: Deployment, runner: FunctionRunner
) -> None:
    member = org.members[0]
    accepted = create_workload(org, member, "us-east-1", "accepted")
    pending = create_workload(org, member, "us-east-1", "pending")
    drifted = create_workload(org, member, "us-east-1", "pending-contributor")
    new = create_workload(org, member, "us-east-1", "new")
    elsewhere = create_workload(org, member, "eu-west-1", "eu-pending")
    share(org, member, "us-east-1", accepted)
    accept_all(org, "us-east-1")
    share(org, member, "us-east-1", pending)
    share(org, member, "us-east-1", drifted, "CONTRIBUTOR")  # drift shows on a pending invitation: not known live
    share(org, member, "eu-west-1", elsewhere)

    assert runner.invoke("planner", WEDNESDAY).result["full_sweep"] is False
    items = planned(org, deployment)

    assert set(items) == set(org.accounts)
    assert items[member].known_live == {"us-east-1": tuple(sorted((accepted, pending))), "eu-west-1": (elsewhere,)}
    assert all(items[account].known_live is None for account in org.accounts if account != member)
    before = calls("ListWorkloadShares")
    enqueue(org, deployment, [items[member]])
    runner.drain_sweep_queue()
    assert calls("ListWorkloadShares") - before == 2  # the new workload and the drifted one, nothing else
    assert live_shares(org, member, "us-east-1", new) == [org.reviews]


@pytest.mark.parametrize(
    ("variables", "schedule"),
    [
        ({"PERMISSION_DRIFT_POLICY": "enforce"}, WEDNESDAY),  # drift needs every share's permission
        ({}, SUNDAY),  # the weekly full sweep (FullSweepDay, default SUN)
        ({"FULL_SWEEP_DAY": "DAILY"}, WEDNESDAY),
    ],
    ids=["enforce", "full-sweep-day", "daily"],
)
def test_a_full_sweep_reads_no_reviews_side_and_sends_no_slices(
    org: SimulatedOrganization,
    deployment: Deployment,
    reconfigure: Callable[..., FunctionRunner],
    variables: dict[str, str],
    schedule: dict[str, Any],
) -> None:
    member = org.members[0]
    share(org, member, "us-east-1", create_workload(org, member, "us-east-1", "live"))
    runner = reconfigure(**variables)
    deployment.function_own_env.setdefault("planner", {}).update(variables)
    before = calls("ListShareInvitations")

    assert runner.invoke("planner", schedule).result["full_sweep"] is True

    assert calls("ListShareInvitations") == before
    assert all(item.known_live is None for item in planned(org, deployment).values())


def test_a_reviews_region_that_cannot_be_read_falls_back_to_listing(
    org: SimulatedOrganization, deployment: Deployment, runner: FunctionRunner
) -> None:
    member = org.members[0]
    for region in ("us-east-1", "eu-west-1"):
        share(org, member, region, create_workload(org, member, region, f"live-{region}"))
    reviews = org.reviews
    wellarchitected_backend.configure_faults(
        fault=lambda operation, account, region: (
            "AccessDeniedException" if (account, region) == (reviews, "eu-west-1") else None
        )
    )
    try:
        runner.invoke("planner", WEDNESDAY)
    finally:
        wellarchitected_backend.reset_faults()

    item = planned(org, deployment)[member]
    assert item.known_live is not None
    assert set(item.known_live) == {"us-east-1"}  # eu-west-1 unread: its workloads are listed one by one


def test_a_slice_is_bounded_by_whole_regions_and_fits_a_message() -> None:
    workload = "{:032x}".format
    known = {
        "us-east-1": frozenset(workload(index) for index in range(MAX_KNOWN_LIVE - 10)),
        "eu-west-1": frozenset(workload(index) for index in range(20)),
        "eu-west-2": frozenset(),
    }
    kept = bounded_slice(known)
    assert set(kept) == {"eu-west-1"}  # the big region does not fit beside it: it falls back to listing
    alone = bounded_slice({"us-east-1": known["us-east-1"]})
    message = WorkItem(account_id="111122223333", sweep_id="s", known_live=alone).to_message()
    assert len(message.encode()) < 256 * 1024  # the sweep queue's default maximum message size
    with pytest.raises(ValueError, match="known_live"):
        WorkItem.model_validate_json(
            '{"account_id": "111122223333", "sweep_id": "s", "known_live": {"us-east-1": ["x"]}}'
        )


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
    assert calls("ListWorkloadShares") - listed == 3
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
    emitted = [json.loads(text) for text in capsys.readouterr().out.splitlines() if text.startswith('{"_aws"')]
    assert sum(sum(blob.get("RegionsSkippedByPolicy", [])) for blob in emitted) == 1
    assert live_shares(org, member, "us-east-1", allowed) == [org.reviews]
