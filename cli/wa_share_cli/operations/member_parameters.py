"""The member templates' parameters the central stack needs, from its outputs (template.yaml,
MemberRolesParameters and MemberForwarderParameters): the one source every deployment path reads, so the
StackSets of option A, the README's option B and the management account's plain stacks cannot drift."""

from __future__ import annotations

import json
from collections.abc import Mapping

from wa_share_cli.operations.stack import StackError, StackOutputs

# member template (member_stackset/<name>.yaml) -> the central stack's output that carries its parameters
MEMBER_OUTPUTS = {"roles": "MemberRolesParameters", "forwarder": "MemberForwarderParameters"}


def member_parameters(outputs: StackOutputs, template: str) -> dict[str, str]:
    """What `template` must be deployed with, everywhere, for this central stack."""
    name = MEMBER_OUTPUTS[template]
    text = outputs.outputs.get(name, "")
    if not text.strip():
        raise StackError(
            f"stack {outputs.stack_name} has no output {name}: update it to the current template.yaml "
            "(sam build && sam deploy), which publishes the member parameters"
        )
    return parse_parameters(text, where=f"output {name} of stack {outputs.stack_name}")


def parse_parameters(text: str, *, where: str) -> dict[str, str]:
    """`Key=Value` words (no value holds a space: every member parameter's pattern excludes it)."""
    values: dict[str, str] = {}
    for word in text.split():
        key, separator, value = word.partition("=")
        if not separator or not key:
            raise StackError(f"{where}: {word!r} is not Key=Value")
        values[key] = value
    return values


def as_cloudformation_json(values: Mapping[str, str]) -> str:
    """The CloudFormation parameter file: `--parameters file://…` of create-stack-set, update-stack-set and
    create-stack, and `--parameter-overrides file://…` of `aws cloudformation deploy` (AWS CLI v2)."""
    items = [{"ParameterKey": key, "ParameterValue": value} for key, value in values.items()]
    return json.dumps(items, indent=2)


def as_overrides(values: Mapping[str, str]) -> str:
    """`Key=Value …`, the shorthand of `aws cloudformation deploy --parameter-overrides`."""
    return " ".join(f"{key}={value}" for key, value in values.items())
