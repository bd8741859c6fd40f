"""The mechanism behind the per-grant figures, shown for real on a sample: one grant removed from a deployed
role (its statement's action, as editing the template would), the path that needs it runs, and AWS's
AccessDenied comes back; with the grant in place the same path succeeds."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.support.factories import create_workload_event
from tests.support.fixtures import REGIONS
from tests.support.grant_support import recorded_checks
from wa_share_sandbox.deployment import Deployment, deploy
from wa_share_sandbox.iam_identity import configure_authorization, role_policies
from wa_share_sandbox.iam_trust import install_trust_checks
from wa_share_sandbox.lambda_shapes import scheduled_event
from wa_share_sandbox.organization import SimulatedOrganization, boto3_session, create_workload
from wa_share_sandbox.runner import FunctionRunner, Invocation


def drop_grant(org: SimulatedOrganization, account: str, role: str, sid: str, action: str) -> None:
    """Remove `action` from statement `sid` of the role's inline policies (the statement goes if empty)."""
    iam = org.client(account, "iam")
    # Read as the simulator holds them: moto's GetRolePolicy garbles a policy its CloudFormation created.
    for policy in role_policies(f"arn:aws:iam::{account}:role/{role}"):
        name, document = policy.name.split("/", 1)[1], dict(policy.document)
        kept = []
        for statement in [item for item in document["Statement"] if isinstance(item, dict)]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if statement.get("Sid") == sid:
                actions = [item for item in actions if item != action]
            if actions:
                kept.append(statement | {"Action": actions})
        iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(document | {"Statement": kept}))


def _share(org: SimulatedOrganization, runner: FunctionRunner) -> Invocation:
    workload = create_workload(org, org.members[0], REGIONS[0], "removal-sample")
    event = create_workload_event(account_id=org.members[0], region=REGIONS[0], workload_id=workload)
    return runner.invoke("share", event)


def _probe(_org: SimulatedOrganization, runner: FunctionRunner) -> Invocation:
    return runner.run_probe()


def _plan(org: SimulatedOrganization, runner: FunctionRunner) -> Invocation:
    return runner.invoke("planner", scheduled_event(org.automation, "wa-share-sweep"))


# (account: "member" or "automation", role, statement Sid, action, the path that needs it)
SAMPLES = {
    "member CreateWorkloadShare": (
        "member",
        "wa-share-member",
        "ShareWorkloads",
        "wellarchitected:CreateWorkloadShare",
        _share,
    ),
    "share function AssumeRole": (
        "automation",
        "wa-share-share-function",
        "AssumeMemberRoleInOrganization",
        "sts:AssumeRole",
        _share,
    ),
    "planner ListAccounts": (
        "automation",
        "wa-share-sweep-planner",
        "ListOrganizationAccounts",
        "organizations:ListAccounts",
        _plan,
    ),
    "probe CreateWorkload": (
        "automation",
        "wa-share-probe",
        "CreateProbeWorkloads",
        "wellarchitected:CreateWorkload",
        _probe,
    ),
    "probe TagResource": (
        "automation",
        "wa-share-probe",
        "TagProbeWorkloadsOnCreate",
        "wellarchitected:TagResource",
        _probe,
    ),
}


@pytest.fixture
def probe_deployment(org: SimulatedOrganization) -> Deployment:
    deployed = deploy(org, REGIONS, overrides={"Probe": "scheduled"})
    install_trust_checks()
    return deployed


@pytest.mark.parametrize("removed", [True, False], ids=["grant-removed", "grant-kept"])
@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_removing_one_grant_denies_the_call_that_needs_it(
    org: SimulatedOrganization, probe_deployment: Deployment, sample: str, removed: bool
) -> None:
    configure_authorization(tag_on_create_needs_tag_resource=True)  # the answer under which TagResource counts
    where, role, sid, action, path = SAMPLES[sample]
    if removed:
        drop_grant(org, org.members[0] if where == "member" else org.automation, role, sid, action)
    with recorded_checks() as log:
        invocation = path(org, FunctionRunner(probe_deployment))
    denied = [check for check in log.denied() if check.action == action and check.role_arn.endswith(f"/{role}")]
    assert bool(denied) == removed, (invocation.error, invocation.result)
    assert log.denied() == denied  # nothing else was refused
    outcome = f"{invocation.error} {json.dumps(invocation.result)}"
    # The path failed (raised, or reported the failure): never a success on a denied call.
    assert (invocation.error is not None or "failed" in outcome or "error" in outcome.lower()) == removed, outcome


def test_a_denied_call_fails_as_aws_answers_it(org: SimulatedOrganization, probe_deployment: Deployment) -> None:
    """Well-Architected: AccessDeniedException, HTTP 403, "User: <session> is not authorized to perform: ..."."""
    share_function = boto3_session(probe_deployment.function_credentials["share"])
    issued = share_function.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{org.members[0]}:role/wa-share-member", RoleSessionName="sample"
    )["Credentials"]
    member = boto3_session(
        {
            "aws_access_key_id": issued["AccessKeyId"],
            "aws_secret_access_key": issued["SecretAccessKey"],
            "aws_session_token": issued["SessionToken"],
        },
        REGIONS[0],
    )
    with pytest.raises(ClientError) as denied:
        member.client("wellarchitected").get_workload(WorkloadId="a" * 32)  # not granted in a member account
    error = denied.value.response
    assert error["Error"]["Code"] == "AccessDeniedException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error["Error"]["Message"] == (
        f"User: arn:aws:sts::{org.members[0]}:assumed-role/wa-share-member/sample is not authorized to perform:"
        f" wellarchitected:GetWorkload on resource: arn:aws:wellarchitected:{REGIONS[0]}:{org.members[0]}:workload/"
        f"{'a' * 32} because no identity-based policy allows the wellarchitected:GetWorkload action"
    )
