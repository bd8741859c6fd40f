"""What the templates grant, resolved for a sandbox deployment, and compared with what the code used.

Central roles come from template.yaml, resolved with the deployment's parameters in the automation
account. Member-side roles come from the member templates as the sandbox deployed them: each stack in
each account is matched to its file (by Description) and resolved with that stack's parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.iam_actions import UNSCOPABLE_ACTIONS, Use, account_of
from wa_share_sandbox.cfn_templates import load_template, repo_root
from wa_share_sandbox.deployment import STACK_NAME, Deployment
from wa_share_sandbox.iam_policy import Policy, Request, Values, allowing
from wa_share_sandbox.iam_requests import service_of_linked_role
from wa_share_sandbox.organization import HOME_REGION
from wa_share_sandbox.resolver import Resolver

ROOT = repo_root()
CENTRAL = ROOT / "template.yaml"
POLICY_RESOURCE_TYPES = frozenset({"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy"})

# Granted, but exercised by AWS itself with the role, never by the code: the sandbox cannot observe them.
_LOGS = "the Lambda runtime writes the function's logs with the function's role"
_POLLER = "the SQS event source mapping {} with the function's role"
# The sandbox runs no X-Ray daemon (Powertools turns the Tracer off outside Lambda): Tracing=Active only.
_TRACES = (
    "with Tracing=Active, the X-Ray daemon Lambda runs beside the function sends its segments with the function's role"
)
USED_BY_AWS: dict[tuple[str, str], str] = {
    **{
        (role, action): _LOGS
        for role in ("ShareFunctionRole", "SweepPlannerRole", "SweepWorkerRole")
        for action in ("logs:CreateLogStream", "logs:PutLogEvents")
    },
    ("ShareFunctionRole", "sqs:ReceiveMessage"): _POLLER.format("polls the share queue"),
    ("ShareFunctionRole", "sqs:DeleteMessage"): _POLLER.format("deletes the events the function settled"),
    ("ShareFunctionRole", "sqs:GetQueueAttributes"): _POLLER.format("reads the queue's attributes"),
    ("SweepWorkerRole", "sqs:ReceiveMessage"): _POLLER.format("polls the sweep queue"),
    ("SweepWorkerRole", "sqs:DeleteMessage"): _POLLER.format("deletes the messages the worker handled"),
    ("SweepWorkerRole", "sqs:GetQueueAttributes"): _POLLER.format("reads the queue's attributes"),
    ("ForwardingRole", "events:PutEvents"): "EventBridge delivers the forwarding rule's events with this role",
    ("ProbeRole", "logs:CreateLogStream"): _LOGS,
    ("ProbeRole", "logs:PutLogEvents"): _LOGS,
    **{
        (role, action): _TRACES
        for role in ("ShareFunctionRole", "SweepPlannerRole", "SweepWorkerRole", "ProbeRole")
        for action in ("xray:PutTraceSegments", "xray:PutTelemetryRecords")
    },
}


@dataclass(frozen=True)
class Statement:
    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    conditions: Mapping[str, Mapping[str, tuple[str, ...]]]


@dataclass(frozen=True)
class RolePolicy:
    template: str
    logical_id: str
    arn: str
    statements: tuple[Statement, ...]
    trust: tuple[Mapping[str, Any], ...] = field(repr=False)


_ABSENT = object()


def prune(node: Any, resolver: Resolver) -> Any:
    """Decide every Fn::If by its condition and drop what resolves to AWS::NoValue."""
    if isinstance(node, dict):
        if set(node) == {"Fn::If"}:
            name, when_true, when_false = node["Fn::If"]
            return prune(when_true if resolver.condition(name) else when_false, resolver)
        if node == {"Ref": "AWS::NoValue"}:
            return _ABSENT
        pruned = {key: prune(value, resolver) for key, value in node.items()}
        return {key: value for key, value in pruned.items() if value is not _ABSENT}
    if isinstance(node, list):
        return [item for item in (prune(value, resolver) for value in node) if item is not _ABSENT]
    return node


def _listed(value: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in (value if isinstance(value, list) else [value]))


def _statement(raw: Mapping[str, Any]) -> Statement:
    assert raw.get("Effect") == "Allow", f"only Allow statements are expected: {raw}"
    assert not {"NotAction", "NotResource", "NotPrincipal"} & set(raw), f"negated element in {raw}"
    conditions = {
        operator: {key: _listed(values) for key, values in tests.items()}
        for operator, tests in raw.get("Condition", {}).items()
    }
    return Statement(str(raw.get("Sid", "")), _listed(raw["Action"]), _listed(raw["Resource"]), conditions)


def _role(template: str, logical_id: str, properties: Mapping[str, Any], account: str) -> RolePolicy:
    assert "ManagedPolicyArns" not in properties, f"{logical_id}: managed policies are not measured"
    statements = tuple(
        _statement(raw)
        for policy in properties.get("Policies", [])
        for raw in _as_list(policy["PolicyDocument"]["Statement"])
    )
    trust = tuple(_as_list(properties["AssumeRolePolicyDocument"]["Statement"]))
    arn = f"arn:aws:iam::{account}:role/{properties['RoleName']}"
    return RolePolicy(template, logical_id, arn, statements, trust)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _roles_of(template: dict[str, Any], name: str, resolver: Resolver, account: str) -> Iterator[RolePolicy]:
    for logical_id, resource in template["Resources"].items():
        assert resource["Type"] not in POLICY_RESOURCE_TYPES, (
            f"{name}:{logical_id}: standalone policies are not measured"
        )
        if resource["Type"] != "AWS::IAM::Role":
            continue
        if "Condition" in resource and not resolver.condition(resource["Condition"]):
            continue
        yield _role(name, logical_id, resolver.value(prune(resource["Properties"], resolver)), account)


def central_roles(deployment: Deployment) -> list[RolePolicy]:
    template = load_template(CENTRAL)
    account = deployment.org.automation
    resolver = Resolver(
        deployment.parameters,
        account=account,
        region=HOME_REGION,
        stack=STACK_NAME,
        conditions=template.get("Conditions", {}),
    )
    for logical_id, resource in template["Resources"].items():
        ref, arn = _central_resource(deployment, logical_id, resource, resolver)
        resolver.define(logical_id, ref=ref, arn=arn)
    return list(_roles_of(template, CENTRAL.name, resolver, account))


def _central_resource(
    deployment: Deployment, logical_id: str, resource: Mapping[str, Any], resolver: Resolver
) -> tuple[str, str]:
    """Ref and Arn of a central resource as the sandbox created it (placeholders for the rest)."""
    account, kind = deployment.org.automation, resource["Type"]
    properties = resource.get("Properties", {})
    if logical_id in deployment.queue_urls:
        url = deployment.queue_urls[logical_id]
        return url, f"arn:aws:sqs:{HOME_REGION}:{account}:{url.rsplit('/', 1)[-1]}"
    if kind == "AWS::Events::EventBus":
        return deployment.bus_name, deployment.bus_arn
    if kind == "AWS::Logs::LogGroup":
        name = resolver.value(properties["LogGroupName"])
        return name, f"arn:aws:logs:{HOME_REGION}:{account}:log-group:{name}:*"
    if kind == "AWS::SNS::Topic" and "TopicName" in properties:
        arn = f"arn:aws:sns:{HOME_REGION}:{account}:{resolver.value(properties['TopicName'])}"
        return arn, arn
    return f"<{logical_id}>", f"<{logical_id}.Arn>"


def member_roles(deployment: Deployment) -> list[RolePolicy]:
    """The roles of every member-side stack the sandbox deployed, resolved as that stack was."""
    files = {load_template(path).get("Description"): path for path in sorted((ROOT / "member_stackset").glob("*.yaml"))}
    roles: list[RolePolicy] = []
    for account in deployment.org.accounts:
        cloudformation = deployment.org.client(account, "cloudformation", HOME_REGION)
        for stack in cloudformation.describe_stacks()["Stacks"]:
            path = files.get(stack.get("Description"))
            if path is not None:
                roles.extend(_stack_roles(path, stack, account))
    return roles


def _stack_roles(path: Path, stack: Mapping[str, Any], account: str) -> Iterator[RolePolicy]:
    template = load_template(path)
    declared = template.get("Parameters", {})
    values: dict[str, Any] = {name: spec.get("Default") for name, spec in declared.items()}
    values |= {item["ParameterKey"]: item["ParameterValue"] for item in stack.get("Parameters", [])}
    for name, spec in declared.items():
        if spec.get("Type") == "CommaDelimitedList" and isinstance(values[name], str):
            values[name] = [item.strip() for item in values[name].split(",") if item.strip()]
    resolver = Resolver(
        values, account=account, region=HOME_REGION, stack=stack["StackName"], conditions=template.get("Conditions")
    )
    yield from _roles_of(template, str(path.relative_to(ROOT)), resolver, account)


# ---------------------------------------------------------------- comparison


OrgOf = Callable[[str], str | None]


def _context(use: Use, org_of: OrgOf) -> dict[str, Values]:
    """The condition keys of one recorded use, as the sandbox's identity checks value them."""
    keys: dict[str, Values] = {"aws:principalarn": (use.identity,), "aws:requestedregion": (use.region,)}
    for key, account in (
        ("aws:principalorgid", account_of(use.identity)),
        ("aws:resourceorgid", account_of(use.resource)),
    ):
        organization = org_of(account) if account.isdigit() else None
        if organization is not None:
            keys[key] = (organization,)
    keys |= {f"aws:requesttag/{key.lower()}": (value,) for key, value in use.request_tags}
    keys |= {f"aws:resourcetag/{key.lower()}": (value,) for key, value in use.resource_tags}
    if use.request_tags:
        keys["aws:tagkeys"] = tuple(key for key, _ in use.request_tags)
    service = service_of_linked_role(use.resource) if use.action == "iam:CreateServiceLinkedRole" else None
    return keys | ({"iam:awsservicename": (service,)} if service else {})


def _document(statement: Statement) -> dict[str, Any]:
    conditions = {
        operator: {key: list(values) for key, values in tests.items()}
        for operator, tests in statement.conditions.items()
    }
    raw = {"Effect": "Allow", "Action": list(statement.actions), "Resource": list(statement.resources)}
    return raw | ({"Condition": conditions} if conditions else {})


def granting(role: RolePolicy, use: Use, org_of: OrgOf) -> list[int]:
    """The indexes of the role's statements that allow this use (the sandbox's evaluator decides)."""
    request = Request(use.action, use.resource, _context(use, org_of))
    return [
        index
        for index, statement in enumerate(role.statements)
        if allowing([Policy(role.logical_id, {"Statement": [_document(statement)]})], request)
    ]


@dataclass
class Findings:
    used_not_granted: list[str] = field(default_factory=list)
    granted_not_used: list[str] = field(default_factory=list)
    wildcards: list[str] = field(default_factory=list)
    unknown_resources: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return self.used_not_granted + self.granted_not_used + self.wildcards + self.unknown_resources


def compare(roles: Iterable[RolePolicy], found: Iterable[Use], org_of: OrgOf) -> Findings:
    """Every use granted; every statement's every action used (by an instance of the role, in any account)
    on a resource that statement grants, or exercised by AWS itself (USED_BY_AWS)."""
    roles, found = list(roles), list(found)
    checked = _check_uses(roles, found, org_of)
    findings = Findings(used_not_granted=checked.problems, unknown_resources=checked.unknown)
    definitions = {(role.template, role.logical_id): role for role in roles}
    for (template, logical_id), role in sorted(definitions.items()):
        for index, statement in enumerate(role.statements):
            findings.wildcards.extend(_wildcards(role, statement))
            findings.granted_not_used.extend(
                f"{template}: {logical_id} never used {action} on {', '.join(statement.resources)}"
                f" (statement {statement.sid or index})"
                for action in statement.actions
                if (template, logical_id, index, action) not in checked.used and (logical_id, action) not in USED_BY_AWS
            )
    return findings


@dataclass
class _Checked:
    used: set[tuple[str, str, int, str]] = field(default_factory=set)  # (template, role, statement index, action)
    problems: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def _check_uses(roles: list[RolePolicy], found: list[Use], org_of: OrgOf) -> _Checked:
    by_arn = {role.arn: role for role in roles}
    used = _Checked()
    for use in found:
        role = by_arn.get(use.identity)
        if role is None:
            continue  # the harness, or an operator: not a role of the templates
        if use.unknown_resource:
            used.unknown.append(f"{use.action}: teach iam_actions.resources_of its resource")
            continue
        statements = granting(role, use, org_of)
        if not statements:
            used.problems.append(f"{role.logical_id} ({use.identity}) used {use.action} on {use.resource}")
        used.used.update((role.template, role.logical_id, index, use.action) for index in statements)
    return used


def _wildcards(role: RolePolicy, statement: Statement) -> Iterator[str]:
    for action in statement.actions:
        if "*" in action or "?" in action:
            yield f"{role.logical_id}: wildcard action {action}"
        if "*" in statement.resources and action not in UNSCOPABLE_ACTIONS:
            yield f"{role.logical_id}: {action} on Resource '*' although IAM can scope it"


def declared_grants() -> set[tuple[str, str]]:
    """(role logical ID, action) for every Allow statement of every role in every template, all branches."""
    found: set[tuple[str, str]] = set()
    for path in [CENTRAL, *sorted((ROOT / "member_stackset").glob("*.yaml"))]:
        for logical_id, resource in load_template(path)["Resources"].items():
            if resource["Type"] != "AWS::IAM::Role":
                continue
            for policy in resource["Properties"].get("Policies", []):
                for statement in _branches(policy["PolicyDocument"]["Statement"]):
                    found.update((logical_id, action) for action in _listed(statement.get("Action", [])))
    return found


def _branches(value: Any) -> Iterator[dict[str, Any]]:
    for item in _as_list(value):
        if isinstance(item, dict) and set(item) == {"Fn::If"}:
            yield from _branches([branch for branch in item["Fn::If"][1:] if branch != {"Ref": "AWS::NoValue"}])
        elif isinstance(item, dict):
            yield item
