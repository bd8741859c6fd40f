"""Who may assume what: the member role, the forwarding role, and who may put events on the central bus.

The sandbox enforces trust policies on AssumeRole (iam_trust.py), so the member role is tried for real
from each kind of caller: the share and worker roles are let in; the planner role, a role of the same
name in another account, an account outside the organization, and the functions themselves once the
trust names another organization are all turned away. The forwarding role and the bus policy are checked
as deployed (resolved per account) and in the template.
"""

from __future__ import annotations

import ast
import json
from typing import Any
from urllib.parse import unquote

from botocore.exceptions import ClientError
from moto.iam.models import iam_backends

from tests.integration.security.policies import ROOT
from tests.support.fixtures import REGIONS
from wa_share_cli.operations.doctor_member import FORWARDER_RULE_NAME
from wa_share_sandbox.bus_policy import Delivery, admits
from wa_share_sandbox.cfn_templates import load_template
from wa_share_sandbox.deployment import Deployment, deploy
from wa_share_sandbox.iam_trust import install_trust_checks
from wa_share_sandbox.organization import SimulatedOrganization

MEMBER_ROLE = "wa-share-member"
OUTSIDER = "210987654321"


def assume(org: SimulatedOrganization, credentials: dict[str, str], role_arn: str) -> str:
    """ "allowed", or the error code AssumeRole answered with."""
    sts: Any = org.botocore_session(credentials).create_client("sts", region_name="us-east-1")
    try:
        sts.assume_role(RoleArn=role_arn, RoleSessionName="trust-test")
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    return "allowed"


def member_role(account: str) -> str:
    return f"arn:aws:iam::{account}:role/{MEMBER_ROLE}"


def impostor(org: SimulatedOrganization, account: str, name: str) -> dict[str, str]:
    """A role named like a central function role, in `account`, and its credentials."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "sts:AssumeRole"}
        ],
    }
    org.client(account, "iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
    return org.role_credentials(account, name, "impostor")


def outsider_credentials() -> dict[str, str]:
    """Keys of an IAM user in an account outside the organization (moto routes by access key)."""
    backend = iam_backends[OUTSIDER]["global"]
    backend.create_user(region_name="us-east-1", user_name="intruder")
    key = backend.create_access_key(user_name="intruder")
    return {"aws_access_key_id": key.access_key_id, "aws_secret_access_key": key.secret_access_key}


def test_the_share_worker_and_planner_roles_may_assume_every_member_role(
    org: SimulatedOrganization, deployment: Deployment
) -> None:
    # The planner reads the reviews side through the member role (read-only use, measured in test_least_privilege).
    for function, expected in (("share", "allowed"), ("worker", "allowed"), ("planner", "allowed")):
        credentials = deployment.function_credentials[function]
        answers = {account: assume(org, credentials, member_role(account)) for account in org.accounts}
        assert answers == dict.fromkeys(org.accounts, expected), function


def test_a_role_of_the_same_name_in_another_account_of_the_organization_is_denied(
    org: SimulatedOrganization, deployment: Deployment
) -> None:
    for name in ("wa-share-share-function", "wa-share-sweep-worker", "wa-share-sweep-planner"):
        credentials = impostor(org, org.members[0], name)
        assert assume(org, credentials, member_role(org.members[1])) == "AccessDenied", name
        assert assume(org, credentials, member_role(org.members[0])) == "AccessDenied", name  # not even its own


def test_an_account_outside_the_organization_is_denied(org: SimulatedOrganization, deployment: Deployment) -> None:
    keys = outsider_credentials()
    assert assume(org, keys, member_role(org.members[0])) == "AccessDenied"
    same_name = impostor_from_keys(org, keys, "wa-share-share-function")
    assert assume(org, same_name, member_role(org.members[0])) == "AccessDenied"


def impostor_from_keys(org: SimulatedOrganization, keys: dict[str, str], name: str) -> dict[str, str]:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OUTSIDER}:root"}, "Action": "sts:AssumeRole"}
        ],
    }
    session = org.botocore_session(keys)
    iam: Any = session.create_client("iam", region_name="us-east-1")
    sts: Any = session.create_client("sts", region_name="us-east-1")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
    issued = sts.assume_role(RoleArn=f"arn:aws:iam::{OUTSIDER}:role/{name}", RoleSessionName="outsider")["Credentials"]
    return {
        "aws_access_key_id": issued["AccessKeyId"],
        "aws_secret_access_key": issued["SecretAccessKey"],
        "aws_session_token": issued["SessionToken"],
    }


def test_the_functions_are_denied_once_the_trust_names_another_organization(
    org: SimulatedOrganization, deployment: Deployment
) -> None:
    iam = org.client(org.members[0], "iam")
    document = iam.get_role(RoleName=MEMBER_ROLE)["Role"]["AssumeRolePolicyDocument"]
    # moto's CloudFormation leaves the unused operators statement (AWS::NoValue) as null: drop it
    document["Statement"] = [statement for statement in document["Statement"] if statement]
    text = json.dumps(document)
    assert org.org_id in text
    iam.update_assume_role_policy(RoleName=MEMBER_ROLE, PolicyDocument=text.replace(org.org_id, "o-0therorg000"))
    share = deployment.function_credentials["share"]
    assert assume(org, share, member_role(org.members[0])) == "AccessDenied"
    assert assume(org, share, member_role(org.members[1])) == "allowed"


def test_every_deployed_forwarding_role_is_for_eventbridge_of_its_own_account_only(
    org: SimulatedOrganization, deployment: Deployment
) -> None:
    for account in org.accounts:
        iam = org.client(account, "iam")
        role = iam.get_role(RoleName="wa-share-forwarder")["Role"]
        (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
        assert trust["Principal"] == {"Service": "events.amazonaws.com"}, account
        assert trust["Action"] == "sts:AssumeRole"
        assert trust["Condition"] == {
            "StringEquals": {"aws:SourceAccount": account},
            "ArnLike": {"aws:SourceArn": f"arn:aws:events:*:{account}:rule/{FORWARDER_RULE_NAME}"},
        }, account
        [name] = iam.list_role_policies(RoleName="wa-share-forwarder")["PolicyNames"]
        document = iam.get_role_policy(RoleName="wa-share-forwarder", PolicyName=name)["PolicyDocument"]
        (grant,) = _as_document(document)["Statement"]
        assert (grant["Effect"], grant["Action"], grant["Resource"]) == (
            "Allow",
            "events:PutEvents",
            deployment.bus_arn,
        )


def _as_document(document: Any) -> dict[str, Any]:
    """The policy as a dict: moto's CloudFormation stores an inline policy as the repr of a Python dict."""
    if isinstance(document, dict):
        return document
    text = unquote(str(document))
    parsed: dict[str, Any] = json.loads(text) if text.startswith('{"') else ast.literal_eval(text)
    return parsed


def test_the_forwarding_role_template_trusts_only_eventbridge_of_its_own_account() -> None:
    role = load_template(ROOT / "member_stackset" / "roles.yaml")["Resources"]["ForwardingRole"]["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "events.amazonaws.com"}
    rule = f"arn:${{AWS::Partition}}:events:*:${{AWS::AccountId}}:rule/{FORWARDER_RULE_NAME}"
    assert trust["Condition"] == {
        "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
        "ArnLike": {"aws:SourceArn": {"Fn::Sub": rule}},
    }


def test_the_deployed_bus_accepts_only_forwarded_create_workload_events_from_the_organization(
    org: SimulatedOrganization, deployment: Deployment
) -> None:
    bus = org.client(org.automation, "events").describe_event_bus(Name=deployment.bus_name)
    (statement,) = json.loads(bus["Policy"])["Statement"]
    assert (statement["Effect"], statement["Action"], statement["Resource"]) == (
        "Allow",
        "events:PutEvents",
        deployment.bus_arn,
    )
    assert statement["Condition"] == {
        "StringEquals": {"aws:PrincipalOrgID": org.org_id},
        "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/wa-share-forwarder"},
        "ForAllValues:StringEquals": {
            "events:source": ["aws.wellarchitected"],
            "events:detail-type": ["AWS API Call via CloudTrail"],
        },
    }


def _bus_admits(org: SimulatedOrganization, deployment: Deployment, principal: str, source: str, kind: str) -> bool:
    bus = org.client(org.automation, "events").describe_event_bus(Name=deployment.bus_name)
    account = principal.split(":")[4]
    return admits(json.loads(bus["Policy"]), deployment.bus_arn, Delivery(principal, account, source, kind))


CLOUDTRAIL = ("aws.wellarchitected", "AWS API Call via CloudTrail")
ANNOUNCEMENT = ("wa-share", "Workload Shared")


def test_the_bus_policy_admits_the_forwarding_roles_with_create_workload_events_only(
    org: SimulatedOrganization, deployment: Deployment
) -> None:
    member = org.members[0]
    forwarder = f"arn:aws:iam::{member}:role/wa-share-forwarder"
    assert _bus_admits(org, deployment, forwarder, *CLOUDTRAIL)
    assert not _bus_admits(org, deployment, forwarder, *ANNOUNCEMENT)  # a forged announcement
    assert not _bus_admits(org, deployment, forwarder, "aws.wellarchitected", "Workload Shared")
    assert not _bus_admits(org, deployment, forwarder, "my.app", "AWS API Call via CloudTrail")
    for other in (
        f"arn:aws:iam::{member}:role/Admin",
        f"arn:aws:iam::{member}:root",
        f"arn:aws:iam::{member}:user/dev",
    ):
        assert not _bus_admits(org, deployment, other, *CLOUDTRAIL), other
        assert not _bus_admits(org, deployment, other, *ANNOUNCEMENT), other
    assert not _bus_admits(org, deployment, f"arn:aws:iam::{OUTSIDER}:role/wa-share-forwarder", *CLOUDTRAIL)


def test_a_member_cannot_put_a_forged_announcement_and_consumers_never_see_one(org: SimulatedOrganization) -> None:
    """The docs' consumer rule, on the real bus: a member's forged "Workload Shared" event is refused
    (the sandbox enforces the bus policy), while the central functions' own announcement arrives (Announcements
    deployed: the share function's role may put events on the central bus)."""
    deployment = deploy(org, REGIONS, overrides={"Announcements": "true"})
    install_trust_checks()
    events, sqs = org.client(org.automation, "events"), org.client(org.automation, "sqs")
    url = sqs.create_queue(QueueName="chat")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="chat", EventBusName=deployment.bus_name, EventPattern=json.dumps(consumer_pattern(org)))
    events.put_targets(Rule="chat", EventBusName=deployment.bus_name, Targets=[{"Id": "chat", "Arn": arn}])
    forged = {"Source": "wa-share", "DetailType": "Workload Shared", "Detail": json.dumps({"workload_name": "fake"})}
    member_events = org.client(org.members[0], "events")
    answer = member_events.put_events(Entries=[forged | {"EventBusName": deployment.bus_arn}])
    assert answer["FailedEntryCount"] == 1
    assert answer["Entries"][0]["ErrorCode"] == "AccessDeniedException"
    share_events: Any = org.botocore_session(deployment.function_credentials["share"]).create_client(
        "events", region_name="us-east-1"
    )
    genuine = forged | {"Detail": json.dumps({"workload_name": "real"}), "EventBusName": deployment.bus_name}
    assert share_events.put_events(Entries=[genuine])["FailedEntryCount"] == 0
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    assert [json.loads(message["Body"])["detail"]["workload_name"] for message in received] == ["real"]


def consumer_pattern(org: SimulatedOrganization) -> dict[str, Any]:
    """The consumer rule the reviews team's page gives (Announcements), for this organization's automation account."""
    text = (ROOT / "docs" / "reviews-team.md").read_text(encoding="utf-8")
    start = text.index("<!-- consumer-rule:start -->")
    block = text[start : text.index("<!-- consumer-rule:end -->")]
    pattern = block[block.index("{") : block.rindex("}") + 1].replace("111111111111", org.automation)
    parsed: dict[str, Any] = json.loads(pattern)
    return parsed
