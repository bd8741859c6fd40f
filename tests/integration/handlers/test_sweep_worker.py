"""The sweep end to end on moto: schedule event → planner → SQS → worker batches → shares, retries, DLQ.

`FunctionRunner.run_sweep()` plays Lambda's part: the SQS event source hands the real worker handler
batches of the template's size, keeps the messages it reports as failed (receive count rising) and
deletes the others; the queue's redrive policy and the worker's own dead-lettering do the rest.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import moto.sts.models
import pytest

import sweep_worker
from tests.support.fixtures import REGIONS
from wa_share.aws.access import Sessions
from wa_share.settings import WorkerSettings
from wa_share.sweep.account import sweep_account
from wa_share.sweep.work_items import WorkItem
from wa_share.sweep.worker import handle_work_message
from wa_share_sandbox import wellarchitected as wellarchitected_backend
from wa_share_sandbox.deployment import Deployment, deploy
from wa_share_sandbox.iam_trust import install_trust_checks
from wa_share_sandbox.metering import METER
from wa_share_sandbox.organization import SimulatedOrganization, create_workload
from wa_share_sandbox.runner import FunctionRunner, Invocation

Fault = Callable[[str, str, str], str | None]


def drain(org: SimulatedOrganization, queue_url: str) -> list[dict[str, Any]]:
    sqs, messages = org.client(org.automation, "sqs"), []
    while batch := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]).get(
        "Messages"
    ):
        messages.extend(batch)
        for message in batch:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return messages


def live_shares(org: SimulatedOrganization, account: str, region: str, workload: str) -> list[str]:
    rows = org.client(account, "wellarchitected", region).list_workload_shares(WorkloadId=workload)
    return [row["SharedWith"] for row in rows["WorkloadShareSummaries"] if row["Status"] == "PENDING"]


def worker_errors(runs: list[Invocation]) -> list[str]:
    return [run.error for run in runs if run.function == "worker" and run.error]


@pytest.fixture
def faults() -> Iterator[Callable[[Fault], None]]:
    yield lambda fault: wellarchitected_backend.configure_faults(fault=fault)
    wellarchitected_backend.reset_faults()


def test_the_schedule_sweeps_every_account_the_management_account_included(
    org: SimulatedOrganization,
    deployment: Deployment,
    runner: FunctionRunner,
    log_records: Callable[[str], list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    missed = {
        (org.management, "us-east-1"): create_workload(org, org.management, "us-east-1", "management-own"),
        (org.members[0], "eu-west-1"): create_workload(org, org.members[0], "eu-west-1", "member-eu"),
        (org.members[1], "us-east-1"): create_workload(org, org.members[1], "us-east-1", "member-us"),
    }
    create_workload(org, org.reviews, "us-east-1", "reviews-own")  # never shared with itself

    runs = runner.run_sweep()

    assert runs[0].result["accounts"] == len(org.accounts) == 5
    assert worker_errors(runs) == []
    for (account, region), workload in missed.items():
        assert live_shares(org, account, region, workload) == [org.reviews]
    lines = {line["account_id"]: line for line in log_records("sweep summary")}
    assert set(lines) == set(org.accounts)
    assert {line["sweep_id"] for line in lines.values()} == {runs[0].result["sweep_id"]}
    assert lines[org.reviews]["skipped"] == 1
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    assert sum(sum(blob.get("MissedByRealtime", [])) for blob in emitted) == 3
    assert drain(org, deployment.queue_urls["SweepQueue"]) == []
    assert drain(org, deployment.queue_urls["SweepDeadLetterQueue"]) == []


def test_the_summary_line_names_every_count(
    org: SimulatedOrganization, runner: FunctionRunner, log_records: Callable[[str], list[dict[str, Any]]]
) -> None:
    member = org.members[0]
    create_workload(org, member, "us-east-1", "counted")
    runner.run_sweep()
    [line] = [line for line in log_records("sweep summary") if line["account_id"] == member]
    assert line["message"] == "sweep summary"
    assert line["level"] == "INFO"
    assert {key: line[key] for key in COUNTS} == {
        "dry_run": False,
        "regions": 2,
        "regions_skipped": [],
        "workloads_seen": 1,
        "shares_created": 1,
        "shares_reshared": 0,
        "shares_updated": 0,
        "already_shared": 0,
        "skipped": 0,
        "reported": 0,
        "quota_exceeded": 0,
        "failed": 0,
        "failures": [],
    }
    assert isinstance(line["duration_ms"], int)
    assert line["function_name"] == "wa-share-worker"


COUNTS = (
    "dry_run",
    "regions",
    "regions_skipped",
    "workloads_seen",
    "shares_created",
    "shares_reshared",
    "shares_updated",
    "already_shared",
    "skipped",
    "reported",
    "quota_exceeded",
    "failed",
    "failures",
)


def test_an_account_without_the_role_is_dead_lettered_once_and_the_others_finish(
    org: SimulatedOrganization, log_records: Callable[[str], list[dict[str, Any]]]
) -> None:
    orphan, member = org.members
    deployment = deploy(org, REGIONS, accounts_without_role=frozenset({orphan}), forwarders=False)
    install_trust_checks()
    create_workload(org, orphan, "us-east-1", "orphaned")
    shared = create_workload(org, member, "us-east-1", "fine")

    runs = FunctionRunner(deployment).run_sweep()

    assert worker_errors(runs) == []  # the worker settled the message itself: no retry
    assert live_shares(org, member, "us-east-1", shared) == [org.reviews]
    [dead] = drain(org, deployment.queue_urls["SweepDeadLetterQueue"])
    assert json.loads(dead["Body"]) == {"account_id": orphan, "sweep_id": runs[0].result["sweep_id"], "dry_run": False}
    reason = dead["MessageAttributes"]["wa_share_error"]["StringValue"]
    assert f"arn:aws:iam::{orphan}:role/wa-share-member" in reason
    assert "AccessDenied" in reason
    [failed] = log_records("sweep of account failed")  # once: never retried
    assert (failed["account_id"], failed["error_code"]) == (orphan, "AccessDenied")
    assert drain(org, deployment.queue_urls["SweepQueue"]) == []


def test_throttling_in_one_region_retries_the_account_then_dead_letters_it_with_the_reason(
    org: SimulatedOrganization,
    deployment: Deployment,
    runner: FunctionRunner,
    faults: Callable[[Fault], None],
    log_records: Callable[[str], list[dict[str, Any]]],
) -> None:
    unlucky, other = org.members
    calm = create_workload(org, unlucky, "us-east-1", "calm-region")
    stormy = create_workload(org, unlucky, "eu-west-1", "stormy-region")
    elsewhere = create_workload(org, other, "eu-west-1", "other-account")
    faults(
        lambda operation, account, region: (
            "ThrottlingException" if (account, region) == (unlucky, "eu-west-1") else None
        )
    )

    runs = runner.run_sweep()
    wellarchitected_backend.reset_faults()  # the storm is over: let the test look

    assert live_shares(org, unlucky, "us-east-1", calm) == [org.reviews]  # its other region finished
    assert live_shares(org, other, "eu-west-1", elsewhere) == [org.reviews]  # other accounts finished
    assert live_shares(org, unlucky, "eu-west-1", stormy) == []
    tries = [line for line in log_records("sweep summary") if line["account_id"] == unlucky]
    assert [line["failed"] for line in tries] == [1, 1, 1, 1, 1]  # SWEEP_MAX_RECEIVES = 5
    assert len([run for run in runs if run.function == "worker"]) == 5
    [dead] = drain(org, deployment.queue_urls["SweepDeadLetterQueue"])
    assert json.loads(dead["Body"])["account_id"] == unlucky
    reason = dead["MessageAttributes"]["wa_share_error"]["StringValue"]
    assert reason.startswith("gave up after 5 tries: 1 transient failures in eu-west-1")
    assert "ThrottlingException" in reason
    assert drain(org, deployment.queue_urls["SweepQueue"]) == []


MALFORMED = {
    "not JSON": ("{account_id: 1", "body"),
    "no account": ('{"sweep_id": "manual"}', "account_id"),
    "short account": ('{"account_id": "12345", "sweep_id": "manual"}', "account_id"),
    "credentials smuggled in": ('{"account_id": "111122223333", "sweep_id": "m", "credentials": {}}', "credentials"),
    "dry run as text": ('{"account_id": "111122223333", "sweep_id": "m", "dry_run": "yes"}', "dry_run"),
    "no regions": ('{"account_id": "111122223333", "sweep_id": "m", "regions": []}', "regions"),
}


def test_malformed_messages_reach_the_dlq_whole_with_the_field_named_and_the_batch_succeeds(
    org: SimulatedOrganization, deployment: Deployment, runner: FunctionRunner
) -> None:
    sqs = org.client(org.automation, "sqs")
    for body, _field in MALFORMED.values():
        sqs.send_message(QueueUrl=deployment.queue_urls["SweepQueue"], MessageBody=body)
    workload = create_workload(org, org.members[0], "us-east-1", "beside-garbage")

    runs = runner.run_sweep()

    assert worker_errors(runs) == []
    assert all(not run.result["batchItemFailures"] for run in runs if run.function == "worker")
    assert live_shares(org, org.members[0], "us-east-1", workload) == [org.reviews]
    dead = {message["Body"]: message for message in drain(org, deployment.queue_urls["SweepDeadLetterQueue"])}
    assert set(dead) == {body for body, _field in MALFORMED.values()}  # whole, each once
    for body, field in MALFORMED.values():
        reason = dead[body]["MessageAttributes"]["wa_share_error"]["StringValue"]
        assert reason.startswith("invalid sweep work item: ")
        assert f"{field}:" in reason, reason


def test_an_expired_token_mid_run_makes_the_sweep_assume_the_role_again(
    org: SimulatedOrganization, runner: FunctionRunner, faults: Callable[[Fault], None]
) -> None:
    member = org.members[0]
    here = create_workload(org, member, "us-east-1", "before-expiry")
    there = create_workload(org, member, "eu-west-1", "after-expiry")
    rejected: list[str] = []

    def expire_once(operation: str, account: str, region: str) -> str | None:
        if (operation, region) == ("ListWorkloadShares", "eu-west-1") and not rejected:
            rejected.append(region)
            return "ExpiredTokenException"  # AWS no longer accepts the session (revoked, clock skew…)
        return None

    faults(expire_once)
    assumed = METER.snapshot()["sts:AssumeRole"]
    with runner.as_function("worker"):
        settings, sessions = sweep_worker.runtime()
        result = handle_work_message(WorkItem(account_id=member, sweep_id="expiry").to_message(), 1, settings, sessions)

    assert rejected == ["eu-west-1"]
    assert result is not None
    assert METER.snapshot()["sts:AssumeRole"] - assumed == 2  # the first session, then one renewal
    assert not result.failures
    assert live_shares(org, member, "us-east-1", here) == [org.reviews]
    assert live_shares(org, member, "eu-west-1", there) == [org.reviews]


def test_credentials_that_expire_mid_run_are_renewed_before_the_next_call(
    org: SimulatedOrganization,
    deployment: Deployment,
    faults: Callable[[Fault], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    member = org.members[0]
    workloads = [create_workload(org, member, region, f"clock-{region}") for region in REGIONS]
    now = [datetime.now(UTC)]
    monkeypatch.setattr(moto.sts.models, "utcnow", lambda: now[0].replace(tzinfo=None))  # STS shares our clock

    def two_hours_pass_in_eu(operation: str, account: str, region: str) -> str | None:
        if (operation, region) == ("ListWorkloads", "eu-west-1"):
            now[0] += timedelta(hours=2)  # past the one-hour session of role chaining
        return None

    faults(two_hours_pass_in_eu)
    central = org.botocore_session(deployment.function_credentials["worker"])
    settings = WorkerSettings.from_env(deployment.environment("worker") | {"REGION_CONCURRENCY": "1"})
    sessions = Sessions(
        member_role_name=settings.member_role_name, home_region="us-east-1", central=central, clock=lambda: now[0]
    )
    assumed = METER.snapshot()["sts:AssumeRole"]

    result = sweep_account(WorkItem(account_id=member, sweep_id="clock"), settings, sessions)

    assert METER.snapshot()["sts:AssumeRole"] - assumed == 2  # botocore re-assumed before using expired keys
    assert not result.failures
    for region, workload in zip(REGIONS, workloads, strict=True):
        assert live_shares(org, member, region, workload) == [org.reviews]
