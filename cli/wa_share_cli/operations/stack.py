"""Find a wa-share deployment from its CloudFormation stack: outputs for the resources, the deployed sweep
worker's configuration for the policy.

Nobody pastes ARNs: every command starts here. The sharing settings are the sweep worker's own, read from its
environment as Lambda holds it (GetFunctionConfiguration): the CLI decides exactly as the deployed functions
do, whatever template version deployed them.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from wa_share.aws.access import AwsError, aws_call
from wa_share.settings import SettingsError, WorkerSettings

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_lambda import LambdaClient

STACK_ENV = "WA_SHARE_STACK"
DEFAULT_STACK = "wa-share"
# The outputs of template.yaml that the CLI reads; a test keeps this list inside the template's Outputs.
REQUIRED_OUTPUTS = (
    "CentralEventBusArn",
    "CreateWorkloadArchiveArn",
    "ShareRuleArn",
    "ShareFailureQueueUrl",
    "SweepQueueUrl",
    "SweepDeadLetterQueueUrl",
    "MemberRoleName",
    "ReviewsAccountIds",
    "OrganizationId",
    "ArchiveRetentionDays",
    "SweepWorkerFunctionName",
)


class StackError(ValueError):
    """The stack is not a usable wa-share deployment; the message says what to pass instead."""


@dataclass(frozen=True)
class StackOutputs:
    stack_name: str
    region: str
    outputs: Mapping[str, str]
    parameters: Mapping[str, str]

    def __getitem__(self, name: str) -> str:
        return self.outputs[name]

    @property
    def account_id(self) -> str:
        return self["CentralEventBusArn"].split(":")[4]

    @property
    def retention_days(self) -> int:
        return int(self["ArchiveRetentionDays"])


def checkout_root() -> Path | None:
    """The checkout this package runs from (an editable install), or None for an installed wheel."""
    root = Path(__file__).resolve().parents[3]
    return root if (root / "template.yaml").is_file() and (root / "handlers").is_dir() else None


def default_stack_name(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> str:
    """WA_SHARE_STACK, else samconfig.toml's stack_name (here, then at the checkout's top), else wa-share."""
    environ = os.environ if environ is None else environ
    if environ.get(STACK_ENV, "").strip():
        return environ[STACK_ENV].strip()
    checkout = checkout_root()
    for folder in (cwd or Path.cwd(), *([checkout] if checkout else [])):
        name = _samconfig_stack_name(folder / "samconfig.toml")
        if name:
            return name
    return DEFAULT_STACK


def _samconfig_stack_name(path: Path) -> str | None:
    if not path.is_file():
        return None
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError):
        return None
    default = config.get("default", {})
    for command in ("deploy", "global"):
        value = default.get(command, {}).get("parameters", {}).get("stack_name")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def discover(cloudformation: CloudFormationClient, stack_name: str, region: str) -> StackOutputs:
    """The stack's outputs and parameters; raises StackError when it lacks what wa-share publishes."""
    resource = f"stack {stack_name} in {region}"
    try:
        with aws_call("cloudformation:DescribeStacks", resource):
            stack = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    except AwsError as error:
        if error.code == "ValidationError" and "does not exist" in str(error):
            raise StackError(
                f"cloudformation:DescribeStacks: no {resource}: pass --stack-name (or set {STACK_ENV}) "
                "and --region of the wa-share deployment"
            ) from None
        raise
    outputs = {item["OutputKey"]: item.get("OutputValue", "") for item in stack.get("Outputs", [])}
    missing = [name for name in REQUIRED_OUTPUTS if not outputs.get(name)]
    if missing:
        raise StackError(
            f"{resource} lacks the outputs {', '.join(missing)}: is it the wa-share stack? "
            f"pass --stack-name (or set {STACK_ENV}) and --region of the wa-share deployment"
        )
    parameters = {item["ParameterKey"]: item.get("ParameterValue", "") for item in stack.get("Parameters", [])}
    return StackOutputs(stack_name, region, outputs, parameters)


def deployed_settings(functions: LambdaClient, outputs: StackOutputs) -> WorkerSettings:
    """The sweep worker's settings (they hold the whole sharing policy), from its deployed environment."""
    name = outputs["SweepWorkerFunctionName"]
    with aws_call("lambda:GetFunctionConfiguration", f"function {name} in {outputs.region}"):
        configuration = functions.get_function_configuration(FunctionName=name)
    variables = dict(configuration.get("Environment", {}).get("Variables", {}))
    try:
        return WorkerSettings.from_env(variables | {"AWS_REGION": outputs.region})
    except SettingsError as error:
        raise StackError(f"stack {outputs.stack_name}, function {name}: {error}") from None
