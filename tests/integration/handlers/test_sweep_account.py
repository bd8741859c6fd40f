"""What the sweep does to one account's workloads: the real worker code, its role, its settings, on moto.

Each test hands one work item to the worker's message handler (as the SQS event source would) and reads
the result back from the simulated Well-Architected Tool. Workloads are created without delivering their
CreateWorkload events, exactly the situation the sweep exists for: the real-time path missed them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import sweep_worker
from tests.support.fixtures import REGIONS
from wa_share.sweep.account import AccountSweep
from wa_share.sweep.work_items import WorkItem
from wa_share.sweep.worker import handle_work_message
from wa_share_sandbox import wellarchitected as wellarchitected_backend
from wa_share_sandbox.deployment import Deployment, deploy
from wa_share_sandbox.iam_trust import install_trust_checks
from wa_share_sandbox.metering import METER
from wa_share_sandbox.organization import SimulatedOrganization, create_workload
from wa_share_sandbox.runner import FunctionRunner

REGION = "us-east-1"
DEAD = ("EXPIRED", "REJECTED", "REVOKED", "FAILED")


def sweep(runner: FunctionRunner, account: str, *, dry_run: bool = False, sweep_id: str = "test-sweep") -> AccountSweep:
    """One work item through the worker's handler, with the worker's environment and credentials."""
    body = WorkItem(account_id=account, sweep_id=sweep_id, dry_run=dry_run).to_message()
    with runner.as_function("worker"):
        settings, sessions = sweep_worker.runtime()
        result = handle_work_message(body, 1, settings, sessions)
    assert result is not None
    return result


def outcomes(result: AccountSweep) -> dict[str, str]:
    return {share.workload_id: share.outcome.value for share in result.results}


def shares(org: SimulatedOrganization, account: str, workload: str, region: str = REGION) -> list[dict[str, Any]]:
    client = org.client(account, "wellarchitected", region)
    return list(client.list_workload_shares(WorkloadId=workload)["WorkloadShareSummaries"])


def share_with(
    org: SimulatedOrganization, owner: str, workload: str, principal: str, permission: str = "READONLY"
) -> str:
    client = org.client(owner, "wellarchitected", REGION)
    response = client.create_workload_share(
        WorkloadId=workload,
        SharedWith=principal,
        PermissionType=permission,
        ClientRequestToken=f"{workload}{principal}",
    )
    return str(response["ShareId"])


def calls(operation: str) -> int:
    return METER.snapshot()[f"wellarchitected:{operation}"]


def test_every_share_status_live_ones_kept_dead_ones_shared_again(
    org: SimulatedOrganization, runner: FunctionRunner
) -> None:
    member = org.members[0]
    backend = wellarchitected_backend.get_backend(member, REGION)
    by_status = {}
    for status in ("PENDING", "ACCEPTED", *DEAD):
        workload = create_workload(org, member, REGION, f"status-{status.lower()}")
        backend.set_share_status(workload, share_with(org, member, workload, org.reviews), status)
        by_status[status] = workload
    never = create_workload(org, member, REGION, "never-shared")

    result = sweep(runner, member)

    resharing = [status for status in DEAD if status != "REJECTED"]  # a rejection is reported by default
    assert outcomes(result) == {
        by_status["PENDING"]: "already_shared",
        by_status["ACCEPTED"]: "already_shared",
        **{by_status[status]: "reshared" for status in resharing},
        by_status["REJECTED"]: "not_live_reported",
        never: "created",
    }
    for status in resharing:  # the dead row is deleted before the new share: one row per principal
        assert [row["Status"] for row in shares(org, member, by_status[status])] == ["PENDING"]
    assert [row["Status"] for row in shares(org, member, by_status["REJECTED"])] == ["REJECTED"]
    summary = result.summary()
    assert (summary["shares_created"], summary["shares_reshared"], summary["already_shared"]) == (1, 3, 2)
    assert summary["failed"] == 0


def test_statuses_outside_the_reshare_policy_are_reported_not_shared(
    org: SimulatedOrganization, reconfigure: Any
) -> None:
    runner = reconfigure(RESHARE_STATUSES="EXPIRED")
    member = org.members[0]
    backend = wellarchitected_backend.get_backend(member, REGION)
    by_status = {}
    for status in DEAD:
        workload = create_workload(org, member, REGION, f"policy-{status.lower()}")
        backend.set_share_status(workload, share_with(org, member, workload, org.reviews), status)
        by_status[status] = workload

    result = sweep(runner, member)

    assert outcomes(result) == {
        by_status["EXPIRED"]: "reshared",
        by_status["REJECTED"]: "not_live_reported",
        by_status["REVOKED"]: "not_live_reported",
        by_status["FAILED"]: "not_live_reported",
    }
    assert [row["Status"] for row in shares(org, member, by_status["REJECTED"])] == ["REJECTED"]
    assert result.summary()["reported"] == 3
    reasons = {share.workload_id: share.reason for share in result.results}
    assert reasons[by_status["REVOKED"]] == "only non-live shares: REVOKED"


@pytest.fixture
def reconfigure_enforcing(org: SimulatedOrganization) -> Iterator[Callable[..., FunctionRunner]]:
    """`reconfigure` on a deployment with PermissionDriftPolicy=enforce: the member role's UpdateWorkloadShare
    grant is deployed (a stack update of the parameter would deploy it too)."""
    deployed = deploy(org, REGIONS, overrides={"PermissionDriftPolicy": "enforce"})
    install_trust_checks()

    def runner_with(**variables: str) -> FunctionRunner:
        deployed.function_env |= variables
        return FunctionRunner(deployed)

    yield runner_with
    sweep_worker.runtime.cache_clear()


def test_permission_drift_is_reported_then_enforced(org: SimulatedOrganization, reconfigure_enforcing: Any) -> None:
    reconfigure = reconfigure_enforcing
    member = org.members[0]
    workload = create_workload(org, member, REGION, "drifted")
    share_id = share_with(org, member, workload, org.reviews, permission="CONTRIBUTOR")
    wellarchitected_backend.get_backend(member, REGION).set_share_status(workload, share_id, "ACCEPTED")

    reported = sweep(reconfigure(PERMISSION_DRIFT_POLICY="report"), member)
    assert outcomes(reported) == {workload: "drift_reported"}
    assert reported.results[0].reason == "live share has CONTRIBUTOR, policy wants READONLY"
    [row] = shares(org, member, workload)
    assert (row["PermissionType"], row["Status"]) == ("CONTRIBUTOR", "ACCEPTED")

    enforced = sweep(reconfigure(PERMISSION_DRIFT_POLICY="enforce"), member)
    assert outcomes(enforced) == {workload: "updated"}
    [row] = shares(org, member, workload)
    # A modified share is an invitation again: the reviews account has to accept it once more.
    assert (row["ShareId"], row["PermissionType"], row["Status"]) == (share_id, "READONLY", "PENDING")


def test_the_share_quota_is_reported_once_and_the_message_succeeds(
    org: SimulatedOrganization, deployment: Deployment, runner: FunctionRunner
) -> None:
    member = org.members[0]
    full = create_workload(org, member, REGION, "popular")
    for index in range(20):  # the WA quota: 20 shares per workload, whatever their status
        share_with(org, member, full, f"{100000000000 + index}")
    spare = create_workload(org, member, REGION, "quiet")
    creates = calls("CreateWorkloadShare")

    result = sweep(runner, member)  # returns instead of raising: the message is not failed

    assert outcomes(result) == {full: "quota_exceeded", spare: "created"}
    assert "ServiceQuotaExceededException" in result.results[0].reason
    assert calls("CreateWorkloadShare") - creates == 2  # one attempt on the full workload: no retry loop
    assert not result.failures
    assert result.summary()["quota_exceeded"] == 1
    dlq = org.client(org.automation, "sqs").receive_message(QueueUrl=deployment.queue_urls["SweepDeadLetterQueue"])
    assert not dlq.get("Messages")


def test_more_than_fifty_workloads_in_a_region_are_paged(org: SimulatedOrganization, runner: FunctionRunner) -> None:
    member = org.members[1]
    backend = wellarchitected_backend.get_backend(member, "eu-west-1")
    with wellarchitected_backend.LOCK:  # seeded straight into the backend: 53 API calls would add nothing
        workloads = {
            backend.create_workload(
                {
                    "WorkloadName": f"bulk-{index:02d}",
                    "Description": "seeded",
                    "Environment": "PRODUCTION",
                    "Lenses": ["wellarchitected"],
                    "AwsRegions": ["eu-west-1"],
                    "ReviewOwner": "owner@example.com",
                }
            )["WorkloadId"]
            for index in range(53)
        }
    listed = calls("ListWorkloads")

    result = sweep(runner, member)

    assert calls("ListWorkloads") - listed == 3  # us-east-1: one page; eu-west-1: 50 + 3
    assert result.workloads_seen == 53
    assert outcomes(result) == dict.fromkeys(workloads, "created")


def test_only_owned_workloads_are_touched_not_those_shared_in(
    org: SimulatedOrganization, runner: FunctionRunner
) -> None:
    owner, guest = org.members
    theirs = create_workload(org, owner, REGION, "lent-out")
    share_with(org, owner, theirs, guest)
    guest_wa = org.client(guest, "wellarchitected", REGION)
    [invitation] = guest_wa.list_share_invitations()["ShareInvitationSummaries"]
    guest_wa.update_share_invitation(ShareInvitationId=invitation["ShareInvitationId"], ShareInvitationAction="ACCEPT")
    own = create_workload(org, guest, REGION, "home-grown")
    listed = [row["WorkloadId"] for row in guest_wa.list_workloads()["WorkloadSummaries"]]
    assert sorted(listed) == sorted([theirs, own])  # ListWorkloads returns both …

    result = sweep(runner, guest)

    assert outcomes(result) == {own: "created"}  # … the sweep only touches its own
    assert result.workloads_seen == 1
    assert [row["SharedWith"] for row in shares(org, owner, theirs)] == [guest]


def test_a_disabled_opt_in_region_is_skipped_quietly(
    org: SimulatedOrganization, reconfigure: Any, caplog: pytest.LogCaptureFixture
) -> None:
    runner = reconfigure(WA_REGIONS="us-east-1,eu-west-1,ap-east-1,me-south-1")
    member = org.members[0]
    home = create_workload(org, member, REGION, "at-home")
    remote = create_workload(org, member, "me-south-1", "far-away")  # moto does not enforce opt-in
    visited: set[str] = set()
    wellarchitected_backend.configure_faults(fault=lambda operation, account, region: visited.add(region))

    result = sweep(runner, member)

    assert result.regions == ["us-east-1", "eu-west-1"]
    assert result.skipped_regions == ["ap-east-1", "me-south-1"]  # moto lists them as not-opted-in
    assert visited == {"us-east-1", "eu-west-1"}  # not one Well-Architected call there
    assert outcomes(result) == {home: "created"}
    assert not result.failures
    assert shares(org, member, remote, region="me-south-1") == []
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING] == []


def test_a_dry_run_reports_what_it_would_do_and_changes_nothing(
    org: SimulatedOrganization, reconfigure_enforcing: Any
) -> None:
    reconfigure = reconfigure_enforcing
    runner = reconfigure(PERMISSION_DRIFT_POLICY="enforce")
    member = org.members[0]
    missing = create_workload(org, member, REGION, "dry-missing")
    expired = create_workload(org, member, REGION, "dry-expired")
    backend = wellarchitected_backend.get_backend(member, REGION)
    backend.set_share_status(expired, share_with(org, member, expired, org.reviews), "EXPIRED")
    drifted = create_workload(org, member, REGION, "dry-drifted")
    share_with(org, member, drifted, org.reviews, permission="CONTRIBUTOR")
    before = {workload: shares(org, member, workload) for workload in (missing, expired, drifted)}
    changes = calls("CreateWorkloadShare") + calls("UpdateWorkloadShare")

    planned = sweep(runner, member, dry_run=True)

    assert outcomes(planned) == {missing: "created", expired: "reshared", drifted: "updated"}
    assert all(share.dry_run for share in planned.results)
    assert calls("CreateWorkloadShare") + calls("UpdateWorkloadShare") == changes
    assert {workload: shares(org, member, workload) for workload in before} == before
    assert planned.summary()["dry_run"] is True

    done = sweep(runner, member)  # the real run does exactly what the dry run announced
    assert outcomes(done) == outcomes(planned)
    assert not any(share.dry_run for share in done.results)


def test_with_regions_auto_the_live_ssm_list_is_swept_minus_disabled_regions(
    org: SimulatedOrganization, reconfigure: Any
) -> None:
    runner = reconfigure(WA_REGIONS="auto")
    member = org.members[0]
    workload = create_workload(org, member, "sa-east-1", "southern")

    result = sweep(runner, member)

    assert len(result.regions) == 16  # the 18 commercial WA regions of the SSM list, GovCloud left out
    assert sorted(result.skipped_regions) == ["ap-east-1", "me-south-1"]
    assert outcomes(result) == {workload: "created"}


def test_the_proof_costs_one_call_per_share_made_and_nothing_in_the_steady_state(
    org: SimulatedOrganization, runner: FunctionRunner
) -> None:
    member = org.members[0]
    backend = wellarchitected_backend.get_backend(member, REGION)
    missed, expired = (create_workload(org, member, REGION, name) for name in ("missed", "expired"))
    backend.set_share_status(expired, share_with(org, member, expired, org.reviews), "EXPIRED")
    operations = ("ListWorkloadShares", "CreateWorkloadShare", "DeleteWorkloadShare")
    before = {operation: calls(operation) for operation in operations}
    first = sweep(runner, member, sweep_id="night-1")
    made = {operation: calls(operation) - before[operation] for operation in operations}
    assert outcomes(first) == {missed: "created", expired: "reshared"}
    # per share made: list, (delete the dead row), create, list again to prove it live
    assert made == {"ListWorkloadShares": 4, "CreateWorkloadShare": 2, "DeleteWorkloadShare": 1}
    before = {operation: calls(operation) for operation in operations}
    steady = sweep(runner, member, sweep_id="night-2")
    assert set(outcomes(steady).values()) == {"already_shared"}
    assert {operation: calls(operation) - before[operation] for operation in operations} == {
        "ListWorkloadShares": 2,  # one per workload, as before
        "CreateWorkloadShare": 0,
        "DeleteWorkloadShare": 0,
    }
