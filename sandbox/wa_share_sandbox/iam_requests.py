"""Which IAM action a request needs, and on which resources, built from the request as AWS builds it.

- The action: the SigV4 signing name is the IAM prefix and the operation is the action, except for the
  few operations IAM authorizes under another name (`sqs:SendMessageBatch` needs `sqs:SendMessage`).
- The resources: the ARNs IAM evaluates the request against, from the request's parameters; "*" for the
  actions that support no resource-level permissions (`UNSCOPABLE_ACTIONS`, with the reason).
- Implied checks: permissions AWS checks on the caller inside another call (the service-linked role that
  turning Well-Architected organization sharing on creates; tag-on-create, behind a switch).
The sandbox's identity-policy checks (iam_identity.py) and the least-privilege tests both read this module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol
from urllib.parse import urlparse

from moto.organizations.models import organizations_backends

# Signing names that differ from the IAM service prefix.
IAM_PREFIX_OF_SIGNING_NAME = {"monitoring": "cloudwatch", "execute-api": "apigateway"}

# Operations IAM authorizes under another action name.
ACTION_OF_OPERATION = {
    "sqs:SendMessageBatch": "sqs:SendMessage",
    "sqs:DeleteMessageBatch": "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
    "lambda:Invoke": "lambda:InvokeFunction",
}

# Operations that need no IAM permission at all.
NO_PERMISSION_NEEDED = frozenset({"sts:GetCallerIdentity"})

# Actions for which IAM accepts only Resource "*" (the Service Authorization Reference lists no resource
# type for them): a "*" in a policy is correct for these and for nothing else.
UNSCOPABLE_ACTIONS = {
    "wellarchitected:ListWorkloads": "lists every workload the caller can see; no resource type",
    "wellarchitected:ListShareInvitations": "lists invitations to the caller's account; no resource type",
    "wellarchitected:UpdateShareInvitation": "acts on an invitation, which is not an IAM resource",
    "wellarchitected:UpdateGlobalSettings": "an account-wide setting of the region; no resource type",
    "ec2:DescribeRegions": "account-wide description call; no resource type",
    "organizations:ListAccounts": "organization-wide list; no resource type",
    "organizations:ListRoots": "lists the caller's organization's root; no resource type",
    "organizations:DescribeOrganization": "describes the caller's organization; no resource type",
    "cloudtrail:DescribeTrails": "account-wide description call; no resource type",
    "cloudtrail:ListTrails": "account-wide list; no resource type",
    "sts:GetCallerIdentity": "needs no permission at all",
    "xray:PutTraceSegments": "sends trace segments of the caller's account; no resource type",
    "xray:PutTelemetryRecords": "sends the X-Ray daemon's telemetry of the caller's account; no resource type",
    # Unverified whether IAM evaluates it against the new workload's ARN: "*" is right either way, and the
    # probe role's request-tag and region conditions narrow it.
    "wellarchitected:CreateWorkload": "the workload does not exist yet; narrowed by aws:RequestTag and region",
}


class ApiRequest(Protocol):
    """One API request: the signing name, region, operation and parameters (botocore's input shape)."""

    @property
    def service(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def operation(self) -> str: ...
    @property
    def params(self) -> Mapping[str, Any]: ...


def iam_action(service: str, operation: str) -> str:
    """The IAM action a request needs, e.g. ("sqs", "SendMessageBatch") -> "sqs:SendMessage"."""
    name = f"{IAM_PREFIX_OF_SIGNING_NAME.get(service, service)}:{operation}"
    return ACTION_OF_OPERATION.get(name, name)


def account_of(arn: str) -> str:
    return arn.split(":")[4] if arn.count(":") >= 5 else ""  # noqa: PLR2004


def _queue_arn(request: ApiRequest, _account: str) -> list[str]:
    parsed = urlparse(str(request.params["QueueUrl"]))
    account, name = parsed.path.strip("/").split("/")[-2:]
    region = parsed.hostname.split(".")[1] if parsed.hostname and parsed.hostname.count(".") > 1 else request.region
    return [f"arn:aws:sqs:{region}:{account}:{name}"]


def workload_arn(region: str, account: str, workload_id: str) -> str:
    return f"arn:aws:wellarchitected:{region}:{account}:workload/{workload_id}"


def _workload_arn(request: ApiRequest, account: str) -> list[str]:
    return [workload_arn(request.region, account, str(request.params["WorkloadId"]))]


def _service_arn(request: ApiRequest, account: str) -> str:
    return f"arn:aws:{IAM_PREFIX_OF_SIGNING_NAME.get(request.service, request.service)}:{request.region}:{account}"


def _named(kind: str, *keys: str) -> Callable[[ApiRequest, str], list[str]]:
    """An ARN from the first parameter among `keys` that holds a name (or already the ARN)."""

    def arn(request: ApiRequest, account: str) -> list[str]:
        name = next(str(request.params[key]) for key in keys if request.params.get(key))
        return [name if name.startswith("arn:") else f"{_service_arn(request, account)}:{kind}/{name}"]

    return arn


def _rule_arn(request: ApiRequest, account: str) -> list[str]:
    name = str(request.params.get("Name") or request.params.get("Rule"))
    bus = str(request.params.get("EventBusName") or "default").rsplit("/", 1)[-1]
    path = name if bus == "default" else f"{bus}/{name}"
    return [f"{_service_arn(request, account)}:rule/{path}"]


def _bus_arns(request: ApiRequest, account: str) -> list[str]:
    buses = {str(entry.get("EventBusName") or "default") for entry in request.params.get("Entries", [])}
    return sorted(
        bus if bus.startswith("arn:") else f"{_service_arn(request, account)}:event-bus/{bus}" for bus in buses
    )


def _parameter_arn(request: ApiRequest, account: str) -> list[str]:
    path = str(request.params.get("Path") or request.params.get("Name") or "")
    owner = "" if path.startswith("/aws/") else account  # AWS's public parameters have no account field
    return [f"arn:aws:ssm:{request.region}:{owner}:parameter{path}"]


def _organization_account_arn(request: ApiRequest, account: str) -> list[str]:
    """arn:aws:organizations::<management>:account/<organization>/<account>, as IAM names an account."""
    organization = organizations_backends[account]["aws"].org
    if organization is None:
        return [f"arn:aws:organizations::?:account/?/{request.params['AccountId']}"]
    return [
        f"arn:aws:organizations::{organization.master_account_id}:account/{organization.id}/{request.params['AccountId']}"
    ]


def _parameter(key: str) -> Callable[[ApiRequest, str], list[str]]:
    return lambda request, _account: [str(request.params[key])]


_RESOURCE_OF: dict[str, Callable[[ApiRequest, str], list[str]]] = {
    "sts:AssumeRole": _parameter("RoleArn"),
    "sns:Publish": _parameter("TopicArn"),
    "events:PutEvents": _bus_arns,
    "events:DescribeRule": _rule_arn,
    "events:ListTargetsByRule": _rule_arn,
    "events:DescribeEventBus": _named("event-bus", "Name"),
    "events:DescribeArchive": _named("archive", "ArchiveName"),
    "events:StartReplay": _parameter("EventSourceArn"),
    "events:DescribeReplay": _named("replay", "ReplayName"),
    "events:ListReplays": lambda request, account: [f"{_service_arn(request, account)}:replay/*"],
    "cloudtrail:GetTrailStatus": _named("trail", "Name"),
    "organizations:DescribeAccount": _organization_account_arn,
    "sqs:StartMessageMoveTask": _parameter("SourceArn"),
    "sqs:ListMessageMoveTasks": _parameter("SourceArn"),
    "cloudformation:DescribeStacks": lambda request, account: [
        f"{_service_arn(request, account)}:stack/{request.params.get('StackName', '*')}/*"
    ],
    "cloudwatch:DescribeAlarms": lambda request, account: [
        f"arn:aws:cloudwatch:{request.region}:{account}:alarm:{name}" for name in request.params.get("AlarmNames", [])
    ],
    "ssm:GetParametersByPath": _parameter_arn,
    "ssm:GetParameter": _parameter_arn,
}


def resources_of(request: ApiRequest, action: str, account: str) -> list[str] | None:
    """The ARNs IAM evaluates the request against; None when this module does not know the action."""
    if action in UNSCOPABLE_ACTIONS:
        return ["*"]
    if action.startswith("sqs:") and "QueueUrl" in request.params:
        return _queue_arn(request, account)
    if action.startswith("wellarchitected:") and "WorkloadId" in request.params:
        return _workload_arn(request, account)
    known = _RESOURCE_OF.get(action)
    return known(request, account) if known is not None else None


# Turning Well-Architected organization sharing on creates the service-linked role
# AWSServiceRoleForWellArchitected (aws-facts.md) with the caller's permissions; once it exists nothing is
# created, but the caller must hold the grant all the same.
_SERVICE_LINKED_ROLE = "role/aws-service-role/wellarchitected.amazonaws.com/AWSServiceRoleForWellArchitected"
# The ID a workload being created will have is unknown before it exists: a stand-in of the right shape.
NEW_WORKLOAD_ID = "0" * 32


def implied_checks(request: ApiRequest, action: str, account: str, *, tag_on_create: bool) -> list[tuple[str, str]]:
    """(action, resource) pairs the request makes AWS check on the caller's behalf. `tag_on_create`: whether
    CreateWorkload with Tags also needs wellarchitected:TagResource (undocumented: a sandbox switch)."""
    if (
        action == "wellarchitected:UpdateGlobalSettings"
        and request.params.get("OrganizationSharingStatus") == "ENABLED"
    ):
        return [("iam:CreateServiceLinkedRole", f"arn:aws:iam::{account}:{_SERVICE_LINKED_ROLE}")]
    if tag_on_create and action == "wellarchitected:CreateWorkload" and request.params.get("Tags"):
        return [("wellarchitected:TagResource", workload_arn(request.region, account, NEW_WORKLOAD_ID))]
    return []


def service_of_linked_role(arn: str) -> str | None:
    """ "wellarchitected.amazonaws.com" from arn:aws:iam::111122223333:role/aws-service-role/<service>/<name>."""
    parts = arn.split(":", 5)[-1].split("/")
    return parts[2] if len(parts) == 4 and parts[:2] == ["role", "aws-service-role"] else None  # noqa: PLR2004
