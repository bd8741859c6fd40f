"""Member stacks in the simulated accounts, through moto's CloudFormation, as the StackSets would create them."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from wa_share_cli.cfn_templates import template_json, templates_root
from wa_share_sandbox.iam_identity import govern
from wa_share_sandbox.organization import SimulatedOrganization

# moto's CloudFormation skips these (with a warning and a log line) and creates the rest: the forwarder's
# dead-letter queue policy and alarm. Neither changes what the sandbox shows: it evaluates no queue policy,
# and doctor reads the queue itself. tests/templates checks both as written.
_SKIPPED_BY_MOTO = r"Tried to parse AWS::(SQS::QueuePolicy|CloudWatch::Alarm) but it's not supported"
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


def create_member_stack(
    org: SimulatedOrganization, account: str, region: str, *, name: str, file: str, parameters: dict[str, str]
) -> None:
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
