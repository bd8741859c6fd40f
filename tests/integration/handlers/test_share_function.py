"""The share function on moto: real templates deployed, real handler, trust enforced on AssumeRole."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

import share_function
from tests.support.emf import emf_documents
from tests.support.factories import bad_share_events, create_workload_event, lambda_context
from tests.support.queues import read_all
from tests.support.shares import share_rows
from wa_share_sandbox import wellarchitected as wellarchitected_backend
from wa_share_sandbox.deployment import Deployment
from wa_share_sandbox.metering import install_meter
from wa_share_sandbox.organization import SimulatedOrganization, create_workload
from wa_share_sandbox.runner import FunctionRunner


def outcomes(result: dict[str, Any]) -> list[str]:
    return [item["outcome"] for item in result["results"]]


def test_a_new_workload_travels_member_rule_central_bus_and_is_shared(
    org: SimulatedOrganization, deployment: Deployment, runner: FunctionRunner
) -> None:
    member = org.members[0]
    workload = create_workload(org, member, "eu-west-1", "payments")
    [invocation] = runner.deliver_share_events()
    assert invocation.error is None
    assert outcomes(invocation.result) == ["created"]
    assert invocation.result["event"]["account_id"] == member
    assert invocation.result["event"]["region"] == "eu-west-1"
    [share] = share_rows(org, member, "eu-west-1", workload)
    assert (share["SharedWith"], share["PermissionType"], share["Status"]) == (org.reviews, "READONLY", "PENDING")


def test_calls_per_event_cold_then_warm(org: SimulatedOrganization, runner: FunctionRunner) -> None:
    member = org.members[0]
    create_workload(org, member, "us-east-1", "cold")
    [cold] = runner.deliver_share_events()
    create_workload(org, member, "eu-west-1", "warm")
    [warm] = runner.deliver_share_events()
    # A fresh event: cold, AssumeRole + CreateWorkloadShare; warm, the session is reused.
    assert (cold.calls, warm.calls) == (2, 1)
    assert cold.result["results"][0]["reason"] == warm.result["results"][0]["reason"] == "new workload"


def test_a_late_event_lists_first_and_verifies_with_the_token_a_fresh_one_would_use(
    org: SimulatedOrganization, runner: FunctionRunner
) -> None:
    member = org.members[0]
    workload = create_workload(org, member, "us-east-1", "late")
    runner.discard_share_events()
    late = _event_for(org, member, "us-east-1", workload)  # eventTime 2020: a retry, or delivered late
    [invocation] = [runner.invoke("share", late)]
    assert outcomes(invocation.result) == ["created"]
    # AssumeRole + ListWorkloadShares + CreateWorkloadShare + ListWorkloadShares (the proof it is live)
    assert invocation.calls == 4
    fresh = _event_for(org, member, "us-east-1", workload) | {"detail": late["detail"] | {"eventTime": _now()}}
    again = runner.invoke("share", fresh)  # the same event ID, taken for fresh: one call, the same share
    assert (again.calls, outcomes(again.result)) == (1, ["created"])
    assert again.result["results"][0]["share_id"] == invocation.result["results"][0]["share_id"]
    assert len(share_rows(org, member, "us-east-1", workload)) == 1


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_duplicate_and_replayed_events_create_no_second_share(
    org: SimulatedOrganization, runner: FunctionRunner
) -> None:
    member = org.members[1]
    workload = create_workload(org, member, "us-east-1", "ledger")
    [first] = runner.deliver_share_events()
    event = _event_for(org, member, "us-east-1", workload)
    again = runner.invoke("share", event)
    replayed = runner.invoke("share", event | {"replay-name": "wa-share-replay-1"})
    assert outcomes(first.result) == ["created"]
    assert outcomes(again.result) == outcomes(replayed.result) == ["already_shared"]
    assert replayed.result["event"]["replay_name"] == "wa-share-replay-1"
    assert len(share_rows(org, member, "us-east-1", workload)) == 1


def _event_for(org: SimulatedOrganization, account: str, region: str, workload: str) -> dict[str, Any]:
    return create_workload_event(account_id=account, region=region, workload_id=workload)


def test_a_workload_owned_by_the_reviews_account_is_skipped_without_any_call(
    org: SimulatedOrganization, runner: FunctionRunner
) -> None:
    create_workload(org, org.reviews, "us-east-1", "reviews-own")
    [invocation] = runner.deliver_share_events()
    assert outcomes(invocation.result) == ["skipped_owner"]
    assert invocation.calls == 0


def test_a_workload_deleted_before_the_event_arrives_is_skipped(
    org: SimulatedOrganization, runner: FunctionRunner
) -> None:
    member = org.members[0]
    workload = create_workload(org, member, "us-east-1", "short-lived")
    org.client(member, "wellarchitected", "us-east-1").delete_workload(WorkloadId=workload, ClientRequestToken="del")
    [invocation] = runner.deliver_share_events()
    assert invocation.error is None
    assert outcomes(invocation.result) == ["skipped_deleted"]


def test_several_reviews_accounts_and_contributor_permission(
    org: SimulatedOrganization, deployment: Deployment
) -> None:
    deployment.function_env |= {
        "REVIEWS_ACCOUNT_IDS": f"{org.reviews},{org.management}",
        "SHARE_PERMISSION": "CONTRIBUTOR",
    }
    runner = FunctionRunner(deployment)
    member = org.members[0]
    workload = create_workload(org, member, "us-east-1", "two-teams")
    [invocation] = runner.deliver_share_events()
    assert outcomes(invocation.result) == ["created", "created"]
    shares = share_rows(org, member, "us-east-1", workload)
    assert {(share["SharedWith"], share["PermissionType"]) for share in shares} == {
        (org.reviews, "CONTRIBUTOR"),
        (org.management, "CONTRIBUTOR"),
    }


def test_a_failed_create_workload_call_never_reaches_the_function(
    org: SimulatedOrganization, runner: FunctionRunner
) -> None:
    client = org.client(org.members[0], "wellarchitected", "us-east-1")
    with pytest.raises(client.exceptions.ValidationException):
        client.create_workload(
            WorkloadName="bad",  # invalid for the service: under its 3-character minimum is caught by botocore,
            Description="a workload with no lens",  # so make the service itself refuse: no lenses
            Environment="PRODUCTION",
            Lenses=[],
            AwsRegions=["us-east-1"],
            ReviewOwner="owner@example.com",
            ClientRequestToken="failed-call",
        )
    assert runner.deliver_share_events() == []


def test_persistent_server_errors_fail_the_invocation_and_reach_the_failure_queue(
    org: SimulatedOrganization, deployment: Deployment, runner: FunctionRunner
) -> None:
    wellarchitected_backend.configure_faults(
        fault=lambda operation, account, region: "InternalServerException" if operation != "CreateWorkload" else None
    )
    member = org.members[0]
    create_workload(org, member, "us-east-1", "unlucky")
    [invocation] = runner.deliver_share_events()
    assert invocation.error is not None
    assert "InternalServerException" in invocation.error
    [record] = read_all(org, deployment.queue_urls["ShareFailureQueue"])
    assert json.loads(record["Body"])["requestPayload"]["detail"]["recipientAccountId"] == member


def test_a_missing_member_role_is_an_error_naming_account_and_role(
    org: SimulatedOrganization, deployment: Deployment, runner: FunctionRunner
) -> None:
    member = org.members[1]
    org.client(member, "iam").delete_role_policy(RoleName="wa-share-member", PolicyName="share-own-workloads")
    org.client(member, "iam").delete_role(RoleName="wa-share-member")
    create_workload(org, member, "us-east-1", "orphan")
    [invocation] = runner.deliver_share_events()
    assert invocation.error is not None
    assert "MemberRoleUnavailable" in invocation.error
    assert f"arn:aws:iam::{member}:role/wa-share-member" in invocation.error
    assert "AccessDenied" in invocation.error
    assert len(read_all(org, deployment.queue_urls["ShareFailureQueue"])) == 1


def test_metrics_are_emitted_as_emf(
    org: SimulatedOrganization, runner: FunctionRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    create_workload(org, org.members[0], "us-east-1", "measured")
    runner.deliver_share_events()
    emitted = emf_documents(capsys.readouterr().out)
    assert any(blob.get("SharesCreated") == [1.0] for blob in emitted)


BAD_EVENTS: list[tuple[str, Any]] = [
    ("not an object", ["CreateWorkload"]),
    ("no detail", {k: v for k, v in create_workload_event().items() if k != "detail"}),
    ("failed call", create_workload_event(error_code="AccessDeniedException")),
    ("bad workload id", create_workload_event(workload_id="not-a-workload-id")),
    ("other event", create_workload_event() | {"source": "aws.ec2"}),
    *bad_share_events(),  # the share guard's event kinds
]


@pytest.mark.parametrize(("name", "event"), BAD_EVENTS, ids=[name for name, _ in BAD_EVENTS])
def test_bad_input_is_dead_lettered_whole_once_with_no_aws_call(
    name: str, event: Any, org: SimulatedOrganization, deployment: Deployment, runner: FunctionRunner
) -> None:
    invocation = runner.invoke("share", event)
    assert invocation.error is None, "an invalid event must not be retried"
    assert invocation.result["status"] == "rejected"
    assert invocation.calls == 1  # sqs:SendMessage of the record, nothing else
    [record] = read_all(org, deployment.queue_urls["ShareFailureQueue"])
    body = json.loads(record["Body"])
    assert body["requestPayload"] == event
    assert body["responsePayload"]["errorType"] == "InvalidEvent"
    assert invocation.result["problems"]


def test_a_bad_setting_fails_loudly_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    share_function.runtime.cache_clear()
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("REVIEWS_ACCOUNT_IDS", "not-an-account")
    with pytest.raises(ValueError, match="REVIEWS_ACCOUNT_IDS"):
        share_function.handler(create_workload_event(), lambda_context())
    share_function.runtime.cache_clear()


def test_a_session_aws_rejects_as_expired_is_dropped_and_the_retry_assumes_again(
    org: SimulatedOrganization, runner: FunctionRunner
) -> None:
    create_workload(org, org.members[0], "us-east-1", "warm-up")
    runner.deliver_share_events()  # the member session is now cached in the warm function
    rejected = {"left": 1}

    def revoke_once(operation: str, account: str, region: str) -> str | None:
        if operation == "CreateWorkloadShare" and rejected["left"]:
            rejected["left"] -= 1
            return "ExpiredTokenException"
        return None

    wellarchitected_backend.configure_faults(fault=revoke_once)
    before = install_meter().snapshot()["sts:AssumeRole"]
    workload = create_workload(org, org.members[0], "us-east-1", "after-revocation")
    [invocation] = runner.deliver_share_events()  # Lambda's async retry runs after the first attempt fails
    assert invocation.error is None
    assert outcomes(invocation.result) == ["created"]
    assert install_meter().snapshot()["sts:AssumeRole"] - before == 1  # assumed afresh, once
    assert len(share_rows(org, org.members[0], "us-east-1", workload)) == 1


@pytest.mark.parametrize("dead_row_blocks", [False, True])
def test_a_fresh_guess_that_is_wrong_falls_back_to_listing_and_loses_nothing(
    org: SimulatedOrganization, runner: FunctionRunner, dead_row_blocks: bool
) -> None:
    wellarchitected_backend.configure_lifecycle(dead_row_blocks=dead_row_blocks)
    member = org.members[0]
    shared, expired = (create_workload(org, member, "us-east-1", name) for name in ("shared", "expired"))
    runner.deliver_share_events()
    backend = wellarchitected_backend.get_backend(member, "us-east-1")
    [old] = share_rows(org, member, "us-east-1", expired)
    backend.set_share_status(expired, old["ShareId"], "EXPIRED")
    for workload in (shared, expired):  # a second event for each, fresh by its time: the guess is wrong
        event = _event_for(org, member, "us-east-1", workload)
        event["detail"]["eventTime"] = _now()
        runner.invoke("share", event)
    *_, again_shared, again_expired = runner.invocations
    assert outcomes(again_shared.result) == ["already_shared"]  # ConflictException, then the list says so
    # a new share either way; where the dead row blocks, it is deleted first (list-first fallback)
    assert outcomes(again_expired.result) == ["reshared" if dead_row_blocks else "created"]
    rows = share_rows(org, member, "us-east-1", expired)
    assert sorted(row["Status"] for row in rows) == (["PENDING"] if dead_row_blocks else ["EXPIRED", "PENDING"])
    assert len(share_rows(org, member, "us-east-1", shared)) == 1
