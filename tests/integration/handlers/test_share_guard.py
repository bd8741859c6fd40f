"""The share guard on the sandbox: share events travel member rule → central bus → share function; a reviews
share deleted or downgraded is decided at once as the sweep decides it; wa-share's own share calls never
loop; a share outside the organization is flagged (logged, counted, announced) and never touched."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support.emf import emf_documents
from tests.support.factories import share_event
from tests.support.shares import share_rows
from wa_share.observability import Metric
from wa_share_sandbox import wellarchitected as wab
from wa_share_sandbox.deployment import Deployment, deploy
from wa_share_sandbox.iam_trust import install_trust_checks
from wa_share_sandbox.organization import SimulatedOrganization, create_workload
from wa_share_sandbox.runner import FunctionRunner, Invocation

REGION = "us-east-1"
OUTSIDER = "999988887777"  # no account of the simulated organization


@pytest.fixture(params=["WorkloadId", "Id"])
def record_style(request: pytest.FixtureRequest) -> Iterator[str]:
    """Both shapes of the share records (API names; short forms without UpdateWorkloadShare's WorkloadShare)."""
    wab.set_response_elements_style(request.param)
    yield request.param
    wab.set_response_elements_style("WorkloadId")


def shared(org: SimulatedOrganization, runner: FunctionRunner, account: str, name: str) -> str:
    """A workload shared by the real-time path; its own CreateWorkloadShare event comes back as ours."""
    workload = create_workload(org, account, REGION, name)
    [invocation] = runner.deliver_share_events()
    assert invocation.result["results"][0]["outcome"] == "created"
    return workload


def owner_wa(org: SimulatedOrganization, account: str) -> Any:
    """The owner's own Well-Architected client (an administrator's role, not wa-share's)."""
    return org.client(account, "wellarchitected", REGION)


def reviews_share_id(org: SimulatedOrganization, account: str, workload: str) -> str:
    [share] = [row for row in share_rows(org, account, REGION, workload) if row["SharedWith"] == org.reviews]
    return str(share["ShareId"])


def outcomes(invocation: Invocation) -> list[str]:
    return [result["outcome"] for result in invocation.result["results"]]


def test_a_deleted_reviews_share_is_made_again_at_once_and_the_functions_own_calls_stop_there(
    org: SimulatedOrganization, runner: FunctionRunner, record_style: str
) -> None:
    member = org.members[0]
    workload = shared(org, runner, member, "payments")
    assert [own.result["event"]["event_name"] for own in runner.own_calls] == ["CreateWorkloadShare"]
    owner_wa(org, member).delete_workload_share(
        WorkloadId=workload, ShareId=reviews_share_id(org, member, workload), ClientRequestToken="oops"
    )
    [restore] = runner.deliver_share_events()
    assert restore.result["event"]["event_name"] == "DeleteWorkloadShare"
    assert outcomes(restore) == ["created"]
    assert [row["Status"] for row in share_rows(org, member, REGION, workload)] == ["PENDING"]
    # The restore's own CreateWorkloadShare came back, was recognised with no call, and nothing followed.
    assert [own.calls for own in runner.own_calls] == [0, 0]
    assert runner.deliver_share_events() == []
    assert runner.pending_share_events() == 0


def test_calls_per_restore_cold_then_warm(
    org: SimulatedOrganization, deployment: Deployment, runner: FunctionRunner
) -> None:
    member = org.members[0]
    first, second = shared(org, runner, member, "cold"), shared(org, runner, member, "warm")
    cold_runner = FunctionRunner(deployment)  # a new execution environment: no member session yet
    wa = owner_wa(org, member)
    wa.delete_workload_share(WorkloadId=first, ShareId=reviews_share_id(org, member, first), ClientRequestToken="a")
    [cold] = cold_runner.deliver_share_events()
    wa.delete_workload_share(WorkloadId=second, ShareId=reviews_share_id(org, member, second), ClientRequestToken="b")
    [warm] = cold_runner.deliver_share_events()
    # AssumeRole, ListWorkloadShares, CreateWorkloadShare, ListWorkloadShares (the proof); warm: no AssumeRole.
    assert (cold.calls, warm.calls) == (4, 3)
    assert outcomes(cold) == outcomes(warm) == ["created"]


def test_the_sweeps_calls_are_recognised_too_and_change_nothing(
    org: SimulatedOrganization, runner: FunctionRunner
) -> None:
    member = org.members[0]
    workload = shared(org, runner, member, "expiring")
    wab.get_backend(member, REGION).set_share_status(workload, reviews_share_id(org, member, workload), "EXPIRED")
    runner.run_sweep()  # deletes the dead row, then shares again: two share calls through the member role
    before = len(runner.own_calls)
    assert runner.deliver_share_events() == []
    kinds = sorted(own.result["event"]["event_name"] for own in runner.own_calls[before:])
    assert kinds == ["CreateWorkloadShare", "DeleteWorkloadShare"]
    assert [row["Status"] for row in share_rows(org, member, REGION, workload)] == ["PENDING"]


def test_a_rejected_share_stays_rejected_whatever_the_owner_does_next(
    org: SimulatedOrganization, runner: FunctionRunner, record_style: str
) -> None:
    member, colleague = org.members
    workload = shared(org, runner, member, "refused")
    reviews = owner_wa(org, org.reviews)
    [invitation] = reviews.list_share_invitations(ShareResourceType="WORKLOAD")["ShareInvitationSummaries"]
    reviews.update_share_invitation(ShareInvitationId=invitation["ShareInvitationId"], ShareInvitationAction="REJECT")
    wa = owner_wa(org, member)
    other = wa.create_workload_share(
        WorkloadId=workload, SharedWith=colleague, PermissionType="READONLY", ClientRequestToken="c"
    )["ShareId"]
    wa.delete_workload_share(WorkloadId=workload, ShareId=other, ClientRequestToken="d")
    created, deleted = runner.deliver_share_events()
    assert (created.result["external"], created.result["results"]) == ([], [])  # a colleague: inside
    assert outcomes(deleted) == ["not_live_reported"]
    assert [row["Status"] for row in share_rows(org, member, REGION, workload)] == ["REJECTED"]


@pytest.fixture
def contributor(org: SimulatedOrganization) -> Callable[[str], FunctionRunner]:
    """A deployment sharing CONTRIBUTOR, under the given drift policy (the member role follows it)."""

    def deployed(drift_policy: str) -> FunctionRunner:
        overrides = {"SharePermission": "CONTRIBUTOR", "PermissionDriftPolicy": drift_policy}
        deployment = deploy(org, ("us-east-1",), overrides=overrides)
        install_trust_checks()
        return FunctionRunner(deployment)

    return deployed


DRIFT_CASES = {"report": ("drift_reported", "READONLY"), "enforce": ("updated", "CONTRIBUTOR")}


@pytest.mark.parametrize("policy", DRIFT_CASES)
def test_a_downgrade_is_reported_or_updated_back_as_the_drift_policy_says(
    org: SimulatedOrganization, contributor: Callable[[str], FunctionRunner], record_style: str, policy: str
) -> None:
    outcome, after = DRIFT_CASES[policy]
    runner, member = contributor(policy), org.members[0]
    workload = shared(org, runner, member, "downgraded")
    share_id = reviews_share_id(org, member, workload)
    owner_wa(org, member).update_workload_share(WorkloadId=workload, ShareId=share_id, PermissionType="READONLY")
    [decided] = runner.deliver_share_events()
    assert outcomes(decided) == [outcome]
    assert [row["PermissionType"] for row in share_rows(org, member, REGION, workload)] == [after]
    assert runner.deliver_share_events() == []  # an update back is our own call: no loop


def test_with_realtime_restore_off_a_deleted_share_waits_for_the_sweep(
    org: SimulatedOrganization, reconfigure: Callable[..., FunctionRunner]
) -> None:
    runner, member = reconfigure(REALTIME_RESTORE="false"), org.members[0]
    workload = shared(org, runner, member, "patient")
    owner_wa(org, member).delete_workload_share(
        WorkloadId=workload, ShareId=reviews_share_id(org, member, workload), ClientRequestToken="e"
    )
    [left] = runner.deliver_share_events()
    assert (left.calls, left.result["results"]) == (0, [])
    assert share_rows(org, member, REGION, workload) == []


# ---------------------------------------------------------------- shares outside the organization


def our_ou(org: SimulatedOrganization) -> str:
    organizations = org.client(org.management, "organizations")
    root = organizations.list_roots()["Roots"][0]["Id"]
    return str(organizations.create_organizational_unit(ParentId=root, Name="teams")["OrganizationalUnit"]["Id"])


OUTSIDE = {
    "account": (OUTSIDER, "an account that is not a member of the organization"),
    "IAM role": (f"arn:aws:iam::{OUTSIDER}:role/auditor", f"an IAM principal of account {OUTSIDER}"),
    "organization": ("o-zzzzzzzzzz", "another organization"),
    "OU": ("ou-zzzz-zzzzzzzz", "an OU of another organization"),
}


@pytest.mark.parametrize("kind", OUTSIDE)
def test_a_share_outside_the_organization_is_flagged_with_who_what_and_whom(
    org: SimulatedOrganization,
    runner: FunctionRunner,
    record_style: str,
    kind: str,
    log_records: Callable[[str], list[dict[str, Any]]],
) -> None:
    principal, why = OUTSIDE[kind]
    member = org.members[0]
    workload = shared(org, runner, member, "leaky")
    wa = owner_wa(org, member)
    wa.update_global_settings(OrganizationSharingStatus="ENABLED")  # needed for organization and OU shares
    wa.create_workload_share(
        WorkloadId=workload, SharedWith=principal, PermissionType="READONLY", ClientRequestToken="x"
    )
    [flagged] = runner.deliver_share_events()
    [external] = flagged.result["external"]
    assert (external["shared_with"], external["workload_id"], external["account_id"]) == (principal, workload, member)
    assert external["reason"].startswith(why)
    assert "assumed-role/OrganizationAccountAccessRole/" in external["shared_by"]
    [line] = log_records("share outside the organization")
    assert (line["level"], line["shared_with"], line["found_by"]) == ("WARNING", principal, "realtime")
    assert len(share_rows(org, member, REGION, workload)) == 2  # reported, never deleted


INSIDE = ["member account", "member IAM role", "our organization", "our OU", "reviews outside", "allow-listed"]


@pytest.mark.parametrize("kind", INSIDE)
def test_principals_inside_the_organization_reviews_and_partners_are_never_flagged(
    org: SimulatedOrganization, runner: FunctionRunner, reconfigure: Callable[..., FunctionRunner], kind: str
) -> None:
    partner, member = "888877776666", org.members[0]
    workload = shared(org, runner, member, "fine")
    principal = {
        "member account": org.members[1],
        "member IAM role": f"arn:aws:iam::{org.members[1]}:role/architects",
        "our organization": org.org_id,
        "our OU": our_ou(org) if kind == "our OU" else "",
        "reviews outside": OUTSIDER,  # a second reviews account, of another organization
        "allow-listed": f"arn:aws:iam::{partner}:user/consultant",
    }[kind]
    guarded = reconfigure(REVIEWS_ACCOUNT_IDS=f"{org.reviews},{OUTSIDER}", SHARE_ALLOW_LIST=partner)
    wa = owner_wa(org, member)
    wa.update_global_settings(OrganizationSharingStatus="ENABLED")
    wa.create_workload_share(
        WorkloadId=workload, SharedWith=principal, PermissionType="READONLY", ClientRequestToken="z"
    )
    [judged] = guarded.deliver_share_events()
    assert judged.result["external"] == []


def test_the_organization_is_listed_once_per_execution_environment(
    org: SimulatedOrganization, runner: FunctionRunner
) -> None:
    member = org.members[0]
    workload = shared(org, runner, member, "twice")
    wa = owner_wa(org, member)
    judged = []
    for index, principal in enumerate((OUTSIDER, "999900001111")):  # one invocation each, the second warm
        wa.create_workload_share(
            WorkloadId=workload, SharedWith=principal, PermissionType="READONLY", ClientRequestToken=f"t{index}"
        )
        judged += runner.deliver_share_events()
    first, second = judged
    # The first lists the organization (one ListAccounts page here); the second account is not in that list
    # either, but the list is minutes fresh: no call at all.
    assert (first.calls, second.calls) == (1, 0)
    assert [len(item.result["external"]) for item in (first, second)] == [1, 1]


def test_a_flag_is_counted_and_announced_when_announcements_are_on(
    org: SimulatedOrganization, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment = deploy(org, (REGION,), overrides={"Announcements": "true"})
    install_trust_checks()
    runner, member = FunctionRunner(deployment), org.members[0]
    sqs = org.client(org.automation, "sqs")
    queue = sqs.create_queue(QueueName="announcements")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns = org.client(org.automation, "sns")
    topic = next(t["TopicArn"] for t in sns.list_topics()["Topics"] if t["TopicArn"].endswith("-new-shares"))
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    workload = shared(org, runner, member, "announced")
    capsys.readouterr()
    owner_wa(org, member).create_workload_share(
        WorkloadId=workload, SharedWith=OUTSIDER, PermissionType="CONTRIBUTOR", ClientRequestToken="w"
    )
    runner.deliver_share_events()
    emitted = emf_documents(capsys.readouterr().out)
    assert any(blob.get(Metric.EXTERNAL_SHARES_FLAGGED) == [1.0] for blob in emitted)
    bodies = [json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]]
    flagged = [body for body in bodies if body.get("reason")]
    assert [(body["shared_with"], body["workload_name"], body["permission"]) for body in flagged] == [
        (OUTSIDER, "announced", "CONTRIBUTOR")
    ]


# ---------------------------------------------------------------- bad input of the new kinds


def test_a_failed_share_call_never_reaches_the_function(org: SimulatedOrganization, runner: FunctionRunner) -> None:
    member = org.members[0]
    workload = shared(org, runner, member, "refused-call")
    with pytest.raises(org.client(member, "wellarchitected", REGION).exceptions.ValidationException):
        owner_wa(org, member).create_workload_share(
            WorkloadId=workload, SharedWith=member, PermissionType="READONLY", ClientRequestToken="self"
        )  # its own account: refused, and CloudTrail records the failure
    assert runner.pending_share_events() == 0


def test_the_nightly_sweep_lists_shares_outside_made_before_installation(
    org: SimulatedOrganization,
    reconfigure: Callable[..., FunctionRunner],
    log_records: Callable[[str], list[dict[str, Any]]],
) -> None:
    runner, member = reconfigure(FULL_SWEEP_DAY="DAILY"), org.members[0]
    workload = shared(org, runner, member, "old-leak")
    owner_wa(org, member).create_workload_share(
        WorkloadId=workload, SharedWith=OUTSIDER, PermissionType="READONLY", ClientRequestToken="before"
    )
    assert runner.discard_share_events() == 1  # as if shared before wa-share existed: no event ever arrived
    runner.run_sweep()
    [line] = log_records("share outside the organization")
    assert (line["found_by"], line["shared_with"], line["workload_id"], line["shared_by"]) == (
        "sweep",
        OUTSIDER,
        workload,
        "listed",
    )
    assert len(share_rows(org, member, REGION, workload)) == 2  # reported, never deleted


def test_the_member_roles_own_share_outside_is_still_flagged_never_restored(
    org: SimulatedOrganization, runner: FunctionRunner
) -> None:
    """An account's administrator could change the member role's trust and share through it: wa-share's
    own calls are never restored, but their principal is still judged."""
    member = org.members[0]
    caller = f"arn:aws:sts::{member}:assumed-role/wa-share-member/wa-share"
    event = share_event("CreateWorkloadShare", account_id=member, region=REGION, shared_with=OUTSIDER, caller=caller)
    invocation = runner.invoke("share", event)
    assert invocation.result["status"] == "own call"
    [external] = invocation.result["external"]
    assert (external["shared_with"], external["shared_by"]) == (OUTSIDER, caller)
    deleted = runner.invoke("share", share_event("DeleteWorkloadShare", account_id=member, caller=caller))
    assert (deleted.result["status"], deleted.result["results"], deleted.calls) == ("own call", [], 0)


def test_a_replayed_outside_share_is_logged_again_not_alarmed_again(
    org: SimulatedOrganization, runner: FunctionRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    member = org.members[0]
    event = share_event("CreateWorkloadShare", account_id=member, region=REGION, shared_with=OUTSIDER)
    capsys.readouterr()
    replayed = runner.invoke("share", event | {"replay-name": "wa-share-replay-1"})
    assert [item["shared_with"] for item in replayed.result["external"]] == [OUTSIDER]
    emitted = emf_documents(capsys.readouterr().out)
    assert any(blob.get(Metric.EXTERNAL_SHARES_LISTED) == [1.0] for blob in emitted)
    assert not any(Metric.EXTERNAL_SHARES_FLAGGED in blob for blob in emitted)
