"""The member side, deployed by each path the docs document, into the simulated organization.

- `stacksets` (option A): the central stack's own StackSets, with the parameters template.yaml gives them;
- `option-b`: StackSets made by hand with `wa-share member-parameters` (the central stack's outputs);
- `plain-stacks`: the management account's commands (plain stacks, the same parameter files) in every account.

Service-managed StackSets never reach the management account: it takes the plain stacks under every path.
moto runs no StackSet operation, so each instance is created as the stack the StackSet would create; the
StackSets themselves are recorded in the account that owns them, so that `wa-share doctor` reads them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, cast

from wa_share_cli.operations.member_parameters import as_cloudformation_json, member_parameters
from wa_share_cli.operations.stack import discover
from wa_share_sandbox.cfn_templates import template_json, templates_root
from wa_share_sandbox.member_stacks import create_member_stack
from wa_share_sandbox.organization import HOME_REGION, SimulatedOrganization

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient

MemberPath = Literal["stacksets", "option-b", "plain-stacks"]
MEMBER_PATHS: tuple[MemberPath, ...] = ("stacksets", "option-b", "plain-stacks")
ROLES_STACK = "wa-share-roles"
FORWARDER_STACK = "wa-share-forwarder"


@dataclass(frozen=True)
class MemberParameters:
    """What the roles and the forwarder templates are deployed with on one path."""

    roles: dict[str, str]
    forwarder: dict[str, str]


@dataclass(frozen=True)
class StackSetNames:
    """The StackSets a path creates: (account that owns them, roles StackSet, forwarder StackSet)."""

    owner: str
    roles: str
    forwarder: str


def deploy_member_side(
    org: SimulatedOrganization,
    regions: tuple[str, ...],
    *,
    path: MemberPath,
    stack_sets: MemberParameters,
    documented: MemberParameters,
    names: StackSetNames | None,
    accounts_without_role: frozenset[str],
    forwarders: bool,
) -> None:
    """`stack_sets`: what the path's StackSets pass; `documented`: the `wa-share member-parameters` files;
    `names`: the StackSets to record (None: no StackSet exists, e.g. DeployMemberStackSets=false)."""
    if names is not None:
        _record_stack_sets(org, names, stack_sets)
    for account in org.accounts:
        plain = path == "plain-stacks" or account == org.management
        chosen = documented if plain else stack_sets
        if account not in accounts_without_role:
            create_member_stack(org, account, HOME_REGION, name=ROLES_STACK, file="roles.yaml", parameters=chosen.roles)
        if forwarders:
            for region in regions:
                create_member_stack(
                    org, account, region, name=FORWARDER_STACK, file="forwarder.yaml", parameters=chosen.forwarder
                )


def stack_set_names(
    org: SimulatedOrganization, path: MemberPath, stack_name: str, *, central_creates: bool
) -> StackSetNames | None:
    """Option B's StackSets are docs/deploy.md's; option A's exist when the central stack creates them
    (DeployMemberStackSets=true); plain stacks have none."""
    if path == "option-b":
        return StackSetNames(org.automation, "wa-share-roles", "wa-share-forwarder")
    if path == "stacksets" and central_creates:
        return StackSetNames(org.automation, f"{stack_name}-member-roles", f"{stack_name}-member-forwarder")
    return None


def _record_stack_sets(org: SimulatedOrganization, names: StackSetNames, parameters: MemberParameters) -> None:
    cloudformation = org.client(names.owner, "cloudformation")
    for name, file, values in (
        (names.roles, "roles.yaml", parameters.roles),
        (names.forwarder, "forwarder.yaml", parameters.forwarder),
    ):
        cloudformation.create_stack_set(
            StackSetName=name,
            TemplateBody=template_json(templates_root() / "member_stackset" / file),
            Parameters=[{"ParameterKey": key, "ParameterValue": value} for key, value in values.items()],
            Capabilities=["CAPABILITY_NAMED_IAM"],
            PermissionModel="SERVICE_MANAGED",
            AutoDeployment={"Enabled": True, "RetainStacksOnAccountRemoval": False},
            CallAs="DELEGATED_ADMIN",
        )


def documented_parameters(org: SimulatedOrganization, stack_name: str) -> MemberParameters:
    """What the README's commands deploy: `wa-share member-parameters roles|forwarder`, read from the
    published central stack, through the parameter file it prints (CloudFormation's JSON)."""
    cloudformation = cast("CloudFormationClient", org.client(org.automation, "cloudformation"))
    outputs = discover(cloudformation, stack_name, HOME_REGION)

    def through_file(template: str) -> dict[str, str]:
        items = json.loads(as_cloudformation_json(member_parameters(outputs, template)))
        return {str(item["ParameterKey"]): str(item["ParameterValue"]) for item in items}

    return MemberParameters(roles=through_file("roles"), forwarder=through_file("forwarder"))
