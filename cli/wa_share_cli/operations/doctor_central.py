"""Doctor checks of the central account: the bus policy's organization, and the dead-letter queues."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from wa_share.aws.access import AwsError, aws_call
from wa_share_cli.operations import messages
from wa_share_cli.operations.checks import Check, fail, ok, warn
from wa_share_cli.operations.member_parameters import as_overrides, member_parameters
from wa_share_cli.operations.stack import StackError, StackOutputs

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_organizations import OrganizationsClient
    from mypy_boto3_sqs import SQSClient

BUS_CHECK = "bus policy admits the organization"
DLQ_CHECK = "dead-letter queue empty"


def organization_id(organizations: OrganizationsClient) -> str | None:
    """This account's organization (any member account may ask); None when that cannot be read."""
    try:
        with aws_call("organizations:DescribeOrganization", "this account's organization"):
            return organizations.describe_organization()["Organization"]["Id"]
    except AwsError:
        return None


def management_account(organizations: OrganizationsClient) -> str | None:
    """The organization's management account (StackSets never deploy there); None when unreadable."""
    try:
        with aws_call("organizations:DescribeOrganization", "this account's organization"):
            return organizations.describe_organization()["Organization"]["MasterAccountId"]
    except AwsError:
        return None


def deploy_forwarder_command(outputs: StackOutputs, account: str, region: str, *, management: str | None) -> str:
    """The command that gives `account` its forwarder in `region`: a stack instance of the forwarder StackSet
    of that kind of region (run where the StackSet lives), or a plain stack where StackSets do not reach."""
    parameters = outputs.parameters
    if parameters.get("DeployMemberStackSets") == "true" and account != management:
        units = parameters.get("MemberTargetOrganizationalUnitIds", "").replace(",", ";")
        opt_in = region in parameters.get("WaOptInRegions", "").split(",")
        stack_set = f"{outputs.stack_name}-member-forwarder" + ("-opt-in" if opt_in else "")
        return (
            f"aws cloudformation create-stack-instances --call-as DELEGATED_ADMIN --region {outputs.region} "
            f"--stack-set-name {stack_set} --regions {region} --deployment-targets "
            f'"OrganizationalUnitIds={units},Accounts={account},AccountFilterType=INTERSECTION"'
        )
    return (
        f"in {account}: aws cloudformation deploy --region {region} --stack-name wa-share-forwarder "
        f"--template-file member_stackset/forwarder.yaml --parameter-overrides {_forwarder_overrides(outputs)}"
    )


def _forwarder_overrides(outputs: StackOutputs) -> str:
    """The central stack's member parameters of the forwarder (`wa-share member-parameters forwarder`)."""
    try:
        return as_overrides(member_parameters(outputs, "forwarder"))
    except StackError:  # a stack from before the output: the two parameters the forwarder takes
        role = outputs.parameters.get("ForwardingRoleName", "wa-share-forwarder")
        return f"CentralBusArn={outputs['CentralEventBusArn']} ForwardingRoleName={role}"


def check_bus_policy(events: EventBridgeClient, outputs: StackOutputs, actual_org: str | None) -> Check:
    bus_arn, configured = outputs["CentralEventBusArn"], outputs["OrganizationId"]
    scope = f"bus {bus_arn}"
    if actual_org is not None and actual_org != configured:
        return fail(
            BUS_CHECK,
            scope,
            f"the stack serves {configured} but this account belongs to {actual_org}",
            f"redeploy the stack with OrganizationId={actual_org}",
        )
    try:
        with aws_call("events:DescribeEventBus", bus_arn):
            policy = events.describe_event_bus(Name=bus_arn.rsplit("/", 1)[-1]).get("Policy")
    except AwsError as error:
        return warn(BUS_CHECK, scope, str(error), "grant yourself events:DescribeEventBus on the central bus")
    granted = _granted_organizations(policy)
    redeploy = f"redeploy the stack (OrganizationId={configured}) to restore its CentralEventBusPolicy"
    if configured not in granted:
        found = ", ".join(sorted(granted)) or "none"
        return fail(BUS_CHECK, scope, f"PutEvents is granted to organization(s) {found}, not {configured}", redeploy)
    others = sorted(granted - {configured})
    if others:
        return fail(BUS_CHECK, scope, f"the policy also admits {', '.join(others)}", redeploy)
    if not _only_forwarded_events(policy):
        detail = "any principal of the organization may put any event, forged `wa-share` announcements included"
        return fail(BUS_CHECK, scope, detail, redeploy)
    return ok(
        BUS_CHECK, scope, f"events:PutEvents for the forwarding roles of {configured}, CreateWorkload events only"
    )


def _only_forwarded_events(policy: str | None) -> bool:
    """Every Allow statement pins the principal (aws:PrincipalArn) and the event source (events:source)."""
    document: Any = json.loads(policy or "{}")
    statements = document.get("Statement", [])
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        conditions = statement.get("Condition", {})
        pinned = any("aws:PrincipalArn" in conditions.get(op, {}) for op in ("ArnLike", "ArnEquals"))
        sources = conditions.get("ForAllValues:StringEquals", {}).get("events:source")
        if not pinned or not sources or any(str(source).startswith("wa-share") for source in _as_list(sources)):
            return False
    return True


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _granted_organizations(policy: str | None) -> set[str]:
    try:
        document: Any = json.loads(policy or "{}")
    except ValueError:
        return set()
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    granted: set[str] = set()
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        actions = statement.get("Action", [])
        if "events:PutEvents" not in (actions if isinstance(actions, list) else [actions]):
            continue
        value = statement.get("Condition", {}).get("StringEquals", {}).get("aws:PrincipalOrgID", [])
        granted |= set(value if isinstance(value, list) else [value])
    return granted


def check_dead_letters(sqs: SQSClient, outputs: StackOutputs) -> list[Check]:
    queues = (
        ("sweep dead-letter queue", "SweepDeadLetterQueueUrl", "wa-share redrive --from sweep-dlq"),
        ("share failure queue", "ShareFailureQueueUrl", "wa-share redrive --from share-failures"),
    )
    checks = []
    for label, output, redrive in queues:
        url = outputs[output]
        try:
            visible, in_flight = messages.depth(sqs, url)
        except AwsError as error:
            checks.append(warn(DLQ_CHECK, f"{label} {url}", str(error), "grant yourself sqs:GetQueueAttributes"))
            continue
        if visible + in_flight == 0:
            checks.append(ok(DLQ_CHECK, f"{label} {url}"))
        else:
            detail = f"{visible} waiting, {in_flight} in flight"
            checks.append(fail(DLQ_CHECK, f"{label} {url}", detail, f"find the cause in the logs, then {redrive}"))
    return checks
