"""Member stacks in the simulated accounts, through moto's CloudFormation, as the StackSets would create them."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from moto.cloudformation.models import Stack

from wa_share_sandbox.cfn_templates import template_json, templates_root
from wa_share_sandbox.iam_identity import govern
from wa_share_sandbox.organization import SimulatedOrganization

# moto's CloudFormation skips this (with a warning and a log line) and creates the rest: the forwarder's
# dead-letter queue policy. It changes nothing the sandbox shows: the sandbox evaluates no queue policy
# (EventBridge's dead letters are put there by bus_policy.py). tests/templates checks it as written.
_SKIPPED_BY_MOTO = r"Tried to parse AWS::SQS::QueuePolicy but it's not supported"
_MOTO_CFN_LOG = logging.getLogger("moto")  # moto's CloudFormation parser logs as "moto"


@contextmanager
def _moto_skips_known_resources() -> Iterator[None]:
    level = _MOTO_CFN_LOG.level
    _MOTO_CFN_LOG.setLevel(logging.ERROR)  # "No Moto CloudFormation support for …", once per stack
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=_SKIPPED_BY_MOTO)
            yield
    finally:
        _MOTO_CFN_LOG.setLevel(level)


def _describe_lists_as_aws_does() -> None:
    """DescribeStacks returns a CommaDelimitedList parameter as the comma-joined string it was given; moto
    renders the Python list (`['a', 'b']`). `wa-share doctor` compares member stacks' parameters: as AWS."""
    if getattr(Stack, "_lists_joined", False):
        return
    listed = Stack.parameter_list.fget  # type: ignore[attr-defined]

    def parameter_list(stack: Stack) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = listed(stack)
        return [item | {"ParameterValue": _joined(item["ParameterValue"])} for item in items]

    Stack.parameter_list = property(parameter_list)  # type: ignore[assignment,method-assign]
    Stack._lists_joined = True  # type: ignore[attr-defined]


def _joined(value: Any) -> Any:
    return ",".join(map(str, value)) if isinstance(value, list) else value


def create_member_stack(
    org: SimulatedOrganization, account: str, region: str, *, name: str, file: str, parameters: dict[str, str]
) -> None:
    _describe_lists_as_aws_does()
    cloudformation = org.client(account, "cloudformation", region)
    with _moto_skips_known_resources():
        cloudformation.create_stack(
            StackName=name,
            TemplateBody=template_json(templates_root() / "member_stackset" / file),
            Parameters=[{"ParameterKey": key, "ParameterValue": value} for key, value in parameters.items()],
            Capabilities=["CAPABILITY_NAMED_IAM"],
        )
    status = cloudformation.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]
    if status != "CREATE_COMPLETE":
        raise RuntimeError(f"stack {name} in {account}/{region} ended {status}")
    for resource in cloudformation.list_stack_resources(StackName=name)["StackResourceSummaries"]:
        if resource["ResourceType"] == "AWS::IAM::Role":  # our template's role: its calls are evaluated
            govern(f"arn:aws:iam::{account}:role/{resource['PhysicalResourceId']}")
