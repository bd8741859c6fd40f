"""Doctor: each deployed member StackSet, and the management account's plain member stacks, carry exactly
the member parameters the central stack needs (its MemberRolesParameters / MemberForwarderParameters
outputs, `wa-share member-parameters`). A difference is a member role or forwarder other than the one the
central stack relies on (a grant missing, a wrong bus): it fails, with the command that updates it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from wa_share.aws.access import AccountSession, AwsError, aws_call
from wa_share_cli.cfn_templates import load_template, templates_root
from wa_share_cli.operations.checks import Check, fail, ok, warn
from wa_share_cli.operations.member_parameters import MEMBER_OUTPUTS, member_parameters
from wa_share_cli.operations.stack import StackError, StackOutputs

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_cloudformation.literals import CallAsType

PARAMETERS_CHECK = "member parameters current"
# The README's plain stacks in the management account (roles: home region; forwarder: every region).
PLAIN_STACKS = {"roles": "wa-share-roles", "forwarder": "wa-share-forwarder"}
# CallAs: the StackSets the automation account administers for the organization, then its own.
CALLERS: tuple[CallAsType, ...] = ("DELEGATED_ADMIN", "SELF")
OPERATOR_FIX = "grant yourself cloudformation:ListStackSets and cloudformation:DescribeStackSet"
ROLES_FIX = "update the member roles stack (member_stackset/roles.yaml) in this account: it grants doctor's reads"


@dataclass(frozen=True)
class DeployedStackSet:
    call_as: CallAsType
    name: str
    parameters: dict[str, str]


@cache
def _defaults(template: str) -> dict[str, str]:
    declared = load_template(templates_root() / "member_stackset" / f"{template}.yaml")["Parameters"]
    return {name: str(spec.get("Default", "")) for name, spec in declared.items()}


def wanted_parameters(outputs: StackOutputs) -> dict[str, dict[str, str]] | None:
    """template -> its parameters as the central stack needs them; None for a stack without the outputs."""
    try:
        return {template: member_parameters(outputs, template) for template in MEMBER_OUTPUTS}
    except StackError:
        return None


def differences(template: str, deployed: Mapping[str, str], wanted: Mapping[str, str]) -> list[str]:
    """What differs, each parameter as the member template resolves it (a missing one takes its default)."""
    have, need = _defaults(template) | dict(deployed), _defaults(template) | dict(wanted)
    return [
        f"{name}={have.get(name, '')!r} (needed: {need.get(name, '')!r})"
        for name in sorted(set(have) | set(need))
        if have.get(name, "") != need.get(name, "")
    ]


def _template_of(parameters: Mapping[str, str], outputs: StackOutputs) -> str | None:
    """Which member template a StackSet deploys for this central stack, by its parameters; None: not ours."""
    if parameters.get("CentralAccountId") == outputs.account_id:
        return "roles"
    bus = parameters.get("CentralBusArn", "")
    if "CentralAccountId" not in parameters and bus.split(":")[4:5] == [outputs.account_id]:
        return "forwarder"
    return None


def check_stack_sets(cloudformation: CloudFormationClient, outputs: StackOutputs) -> list[Check]:
    """Every member StackSet this account administers, against the central stack's member parameters."""
    wanted = wanted_parameters(outputs)
    scope = f"StackSets of {outputs.account_id} {outputs.region}"
    if wanted is None:
        return [fail(PARAMETERS_CHECK, scope, "the stack publishes no member parameters", _UPDATE_CENTRAL)]
    checks: list[Check] = []
    try:
        for stack_set in _stack_sets(cloudformation):
            template = _template_of(stack_set.parameters, outputs)
            if template is not None:
                checks.append(_compare_stack_set(outputs, stack_set, template, wanted[template]))
    except AwsError as error:
        checks.append(warn(PARAMETERS_CHECK, scope, str(error), OPERATOR_FIX))
    return checks


_UPDATE_CENTRAL = "update the central stack to the current template.yaml (sam build && sam deploy)"


def _stack_sets(cloudformation: CloudFormationClient) -> Iterator[DeployedStackSet]:
    seen: set[str] = set()  # a StackSet once, under the first CallAs that lists it
    for call_as in CALLERS:
        with aws_call("cloudformation:ListStackSets", f"StackSets (CallAs {call_as})"):
            pages = cloudformation.get_paginator("list_stack_sets").paginate(Status="ACTIVE", CallAs=call_as)
            ids = {
                summary["StackSetId"]: summary["StackSetName"]
                for page in pages
                for summary in page.get("Summaries", [])
            }
        for stack_set_id, name in ids.items():
            if stack_set_id in seen:
                continue
            seen.add(stack_set_id)
            with aws_call("cloudformation:DescribeStackSet", f"StackSet {name}"):
                stack_set = cloudformation.describe_stack_set(StackSetName=name, CallAs=call_as)["StackSet"]
            parameters = {
                item["ParameterKey"]: item.get("ParameterValue", "") for item in stack_set.get("Parameters", [])
            }
            yield DeployedStackSet(call_as, name, parameters)


def _compare_stack_set(
    outputs: StackOutputs, stack_set: DeployedStackSet, template: str, wanted: Mapping[str, str]
) -> Check:
    name, deployed, call_as = stack_set.name, stack_set.parameters, stack_set.call_as
    scope = f"StackSet {name} ({template}.yaml)"
    found = differences(template, deployed, wanted)
    if not found:
        return ok(PARAMETERS_CHECK, scope, "as the central stack needs")
    capabilities = " --capabilities CAPABILITY_NAMED_IAM" if template == "roles" else ""
    fix = (
        f"wa-share member-parameters {template} > {template}-parameters.json, then aws cloudformation "
        f"update-stack-set --call-as {call_as} --region {outputs.region} --stack-set-name {name} "
        f"--use-previous-template{capabilities} --parameters file://{template}-parameters.json"
    )
    return fail(PARAMETERS_CHECK, scope, "; ".join(found), fix)


def check_plain_stacks(
    session: AccountSession, account: str, regions: Sequence[str], home: str, outputs: StackOutputs
) -> list[Check]:
    """The management account's plain stacks (README): roles in the home region, a forwarder per region."""
    wanted = wanted_parameters(outputs)
    if wanted is None:
        return []  # check_stack_sets reports the central stack once
    places = [("roles", home), *(("forwarder", region) for region in regions)]
    return [
        check
        for template, region in places
        if (check := _check_plain_stack(session, account, region, template, wanted[template])) is not None
    ]


def _check_plain_stack(
    session: AccountSession, account: str, region: str, template: str, wanted: Mapping[str, str]
) -> Check | None:
    name, scope = PLAIN_STACKS[template], f"account {account} {region}"
    cloudformation: Any = session.client("cloudformation", region)
    try:
        with aws_call("cloudformation:DescribeStacks", f"stack {name} in {account} {region}"):
            stack = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
    except AwsError as error:
        if "does not exist" in str(error):
            return None  # not deployed under the README's name: the role and rule checks judge the account
        return warn(PARAMETERS_CHECK, f"{scope} stack {name}", str(error), ROLES_FIX)
    deployed = {item["ParameterKey"]: item.get("ParameterValue", "") for item in stack.get("Parameters", [])}
    found = differences(template, deployed, wanted)
    if not found:
        return ok(PARAMETERS_CHECK, f"{scope} stack {name}", "as the central stack needs")
    capabilities = " --capabilities CAPABILITY_NAMED_IAM" if template == "roles" else ""
    fix = (
        f"wa-share member-parameters {template} > {template}-parameters.json (automation account), then in "
        f"{account}: aws cloudformation deploy --stack-name {name} --region {region} --template-file "
        f"member_stackset/{template}.yaml{capabilities} --parameter-overrides file://{template}-parameters.json"
    )
    return fail(PARAMETERS_CHECK, f"{scope} stack {name}", "; ".join(found), fix)
