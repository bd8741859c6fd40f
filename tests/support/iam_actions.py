"""Least privilege, measured: which IAM action each recorded request needed, on which resource, and who
made it.

- The action: the SigV4 signing name is the IAM prefix and the operation is the action, except for the
  few operations IAM authorizes under another name (`sqs:SendMessageBatch` needs `sqs:SendMessage`).
- The resource: the ARN IAM evaluates the request against, built from the request's parameters; "*"
  for the actions that support no resource-level permissions (`UNSCOPABLE_ACTIONS`, with the reason).
- The caller: moto's STS keeps every session it issued, so an access key ID leads to the role (and the
  session name); the request log's issuers lead from a member-role session to the function role that
  assumed it.
Sandbox only: it reads moto's state.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from moto.iam.models import iam_backends
from moto.organizations.models import organizations_backends
from moto.sts.models import sts_backends

from tests.support.request_log import Recording, SignedRequest
from wa_share_sandbox import wellarchitected as wellarchitected_backend

# Signing names that differ from the IAM service prefix (none of the services wa-share calls today).
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


def iam_action(service: str, operation: str) -> str:
    """The IAM action a request needs, e.g. ("sqs", "SendMessageBatch") -> "sqs:SendMessage"."""
    name = f"{IAM_PREFIX_OF_SIGNING_NAME.get(service, service)}:{operation}"
    return ACTION_OF_OPERATION.get(name, name)


# ---------------------------------------------------------------- who


@dataclass(frozen=True)
class IssuedSession:
    """A session moto's STS issued: the role, and the three strings that must never be at rest."""

    role_arn: str
    session_name: str
    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str = field(repr=False)


def issued_sessions() -> list[IssuedSession]:
    """Every role session issued so far in this moto process, in every account."""
    sessions: list[IssuedSession] = []
    for account in list(sts_backends):
        for backend in list(sts_backends[account].values()):
            sessions.extend(
                IssuedSession(
                    role.role_arn, role.session_name, role.access_key_id, role.secret_access_key, role.session_token
                )
                for role in backend.assumed_roles
            )
    return sessions


def identity_of(access_key_id: str) -> str:
    """The IAM identity behind an access key: a role ARN, a user ARN, or "unknown"."""
    for session in issued_sessions():
        if session.access_key_id == access_key_id:
            return session.role_arn
    for account in list(iam_backends):
        for backend in list(iam_backends[account].values()):
            user = backend.get_user_from_access_key_id(access_key_id)
            if user is not None:
                return str(user.arn)
    return "unknown"


def account_of(arn: str) -> str:
    return arn.split(":")[4] if arn.count(":") >= 5 else ""


# ---------------------------------------------------------------- what, on what


def _queue_arn(request: SignedRequest, _account: str) -> list[str]:
    parsed = urlparse(str(request.params["QueueUrl"]))
    account, name = parsed.path.strip("/").split("/")[-2:]
    region = parsed.hostname.split(".")[1] if parsed.hostname else request.region
    return [f"arn:aws:sqs:{region}:{account}:{name}"]


def _workload_arn(request: SignedRequest, account: str) -> list[str]:
    return [f"arn:aws:wellarchitected:{request.region}:{account}:workload/{request.params['WorkloadId']}"]


def _named(kind: str, *keys: str) -> Callable[[SignedRequest, str], list[str]]:
    """An ARN from the first parameter among `keys` that holds a name (or already the ARN)."""

    def arn(request: SignedRequest, account: str) -> list[str]:
        name = next(str(request.params[key]) for key in keys if request.params.get(key))
        return [name if name.startswith("arn:") else f"{_service_arn(request, account)}:{kind}/{name}"]

    return arn


def _service_arn(request: SignedRequest, account: str) -> str:
    return f"arn:aws:{request.service}:{request.region}:{account}"


def _rule_arn(request: SignedRequest, account: str) -> list[str]:
    name = str(request.params.get("Name") or request.params.get("Rule"))
    bus = str(request.params.get("EventBusName") or "default").rsplit("/", 1)[-1]
    path = name if bus == "default" else f"{bus}/{name}"
    return [f"{_service_arn(request, account)}:rule/{path}"]


def _bus_arns(request: SignedRequest, account: str) -> list[str]:
    buses = {str(entry.get("EventBusName") or "default") for entry in request.params.get("Entries", [])}
    return sorted(
        bus if bus.startswith("arn:") else f"{_service_arn(request, account)}:event-bus/{bus}" for bus in buses
    )


def _parameter_arn(request: SignedRequest, account: str) -> list[str]:
    path = str(request.params.get("Path") or request.params.get("Name") or "")
    owner = "" if path.startswith("/aws/") else account  # AWS's public parameters have no account field
    return [f"arn:aws:ssm:{request.region}:{owner}:parameter{path}"]


def _organization_account_arn(request: SignedRequest, account: str) -> list[str]:
    """arn:aws:organizations::<management>:account/<organization>/<account>, as IAM names an account."""
    organization = organizations_backends[account]["aws"].org
    if organization is None:
        return [f"arn:aws:organizations::?:account/?/{request.params['AccountId']}"]
    return [
        f"arn:aws:organizations::{organization.master_account_id}:account/{organization.id}/{request.params['AccountId']}"
    ]


def _parameter(key: str) -> Callable[[SignedRequest, str], list[str]]:
    return lambda request, _account: [str(request.params[key])]


_RESOURCE_OF: dict[str, Callable[[SignedRequest, str], list[str]]] = {
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


def resources_of(request: SignedRequest, action: str, account: str) -> list[str] | None:
    """The ARNs IAM evaluates the request against; None when this module does not know the action."""
    if action in UNSCOPABLE_ACTIONS:
        return ["*"]
    if action.startswith("sqs:") and "QueueUrl" in request.params:
        return _queue_arn(request, account)
    if action.startswith("wellarchitected:") and "WorkloadId" in request.params:
        return _workload_arn(request, account)
    known = _RESOURCE_OF.get(action)
    return known(request, account) if known is not None else None


Tags = tuple[tuple[str, str], ...]
# Permissions AWS checks against the caller inside another call. Turning Well-Architected organization
# sharing on creates the service-linked role AWSServiceRoleForWellArchitected (aws-facts.md) with the
# caller's permissions; once it exists nothing is created, but the caller must hold the grant all the same.
_SERVICE_LINKED_ROLE = "role/aws-service-role/wellarchitected.amazonaws.com/AWSServiceRoleForWellArchitected"


def implied_uses(request: SignedRequest, action: str, account: str) -> list[tuple[str, str]]:
    """(action, resource) pairs the request makes AWS check on the caller's behalf."""
    if (
        action == "wellarchitected:UpdateGlobalSettings"
        and request.params.get("OrganizationSharingStatus") == "ENABLED"
    ):
        return [("iam:CreateServiceLinkedRole", f"arn:aws:iam::{account}:{_SERVICE_LINKED_ROLE}")]
    return []


@dataclass(frozen=True)
class Use:
    """One permission exercised: `identity` (a role ARN) used `action` on `resource`, with the request's
    region and tags and the resource's tags (what tag and region conditions are evaluated against)."""

    identity: str
    action: str
    resource: str
    via: str | None  # the role whose session assumed `identity`'s session, for chained roles
    unknown_resource: bool = False
    region: str = ""
    request_tags: Tags = ()
    resource_tags: Tags = ()


def _request_tags(request: SignedRequest) -> Tags:
    tags = request.params.get("Tags") or {}
    return tuple(sorted((str(key), str(value)) for key, value in dict(tags).items()))


def resource_tags(resource: str) -> Tags:
    """A workload's tags, read from the sandbox WA backend (deleted workloads too: IAM saw them before)."""
    match = re.fullmatch(r"arn:aws:wellarchitected:([^:]+):(\d{12}):workload/(\w+)", resource)
    if match is None:
        return ()
    backend = wellarchitected_backend.get_backend(match[2], match[1])
    with wellarchitected_backend.LOCK:
        workload = backend.workloads.get(match[3]) or backend.deleted.get(match[3])
    tags = dict(workload.params.get("Tags") or {}) if workload is not None else {}
    return tuple(sorted((str(key), str(value)) for key, value in tags.items()))


def uses(recording: Recording) -> list[Use]:
    """The distinct permissions the recorded requests exercised, attributed to their callers."""
    identities = {key: identity_of(key) for key in {request.access_key_id for request in recording.requests}}
    found: dict[Use, None] = {}
    for request in recording.requests:
        action = iam_action(request.service, request.operation)
        if action in NO_PERMISSION_NEEDED:
            continue
        identity = identities[request.access_key_id]
        issuer = recording.issuers.get(request.access_key_id)
        via = identity_of(issuer) if issuer else None
        resources = resources_of(request, action, account_of(identity))
        for resource in resources if resources is not None else ["?"]:
            use = Use(
                identity,
                action,
                resource,
                via,
                unknown_resource=resources is None,
                region=request.region,
                request_tags=_request_tags(request),
                resource_tags=resource_tags(resource),
            )
            found[use] = None
        for implied, resource in implied_uses(request, action, account_of(identity)):
            found[Use(identity, implied, resource, via, region=request.region)] = None
    return list(found)


def describe(found: Iterable[Use]) -> list[dict[str, Any]]:
    """Rows for a report: identity, action, resource, via."""
    return [
        {"identity": use.identity, "action": use.action, "resource": use.resource, "via": use.via or ""}
        for use in sorted(found, key=lambda use: (use.identity, use.action, use.resource))
    ]
