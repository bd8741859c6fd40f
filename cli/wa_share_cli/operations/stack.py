"""Find a wa-share deployment from its CloudFormation stack: outputs for the resources, parameters for the policy.

Nobody pastes ARNs: every command starts here. The sharing settings the functions run with are rebuilt
from the stack's parameters through template.yaml's own environment of the sweep worker (whose settings hold
everything the commands decide by), so the CLI decides exactly as the deployed functions do (the template
is the only place that maps parameters to variables).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wa_share.aws.access import AwsError, aws_call
from wa_share.settings import SettingsError, WorkerSettings
from wa_share_cli.cfn_templates import checkout_root, load_template, templates_root

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient

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
)
# Resources the functions' environment refers to, and the output that carries each.
_RESOURCE_OUTPUTS = {
    "SweepQueue": "SweepQueueUrl",
    "SweepDeadLetterQueue": "SweepDeadLetterQueueUrl",
    "ShareFailureQueue": "ShareFailureQueueUrl",
}
# The function whose settings the commands use: the sweep worker's are the sweep's, and hold the policy.
SETTINGS_FUNCTION = "SweepWorkerFunction"


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

    def settings(self) -> WorkerSettings:
        """The sweep worker's settings, as template.yaml derives them from these parameters."""
        # For a stack that does not list its parameters: its outputs name the reviews accounts and organization.
        env = {
            "REVIEWS_ACCOUNT_IDS": self["ReviewsAccountIds"],
            "ORGANIZATION_ID": self.outputs.get("OrganizationId", ""),
        }
        env |= function_environment(self.parameters, self.outputs, SETTINGS_FUNCTION) | {"AWS_REGION": self.region}
        try:
            return WorkerSettings.from_env(env)
        except SettingsError as error:
            raise StackError(f"stack {self.stack_name}: {error}") from None


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


def function_environment(parameters: Mapping[str, str], outputs: Mapping[str, str], function: str) -> dict[str, str]:
    """template.yaml's environment of `function` (a logical ID: Globals, then its own variables), with the
    stack's parameter values (the template's defaults else); a value it cannot resolve (an !If) is left out."""
    template = load_template(templates_root() / "template.yaml")
    values = {name: spec.get("Default") for name, spec in template["Parameters"].items()} | dict(parameters)
    if outputs.get("CentralEventBusArn"):  # the bus lives in the stack's account
        values["AWS::AccountId"] = outputs["CentralEventBusArn"].split(":")[4]
    env: dict[str, str] = {}
    shared = template["Globals"]["Function"].get("Environment", {}).get("Variables", {})
    variables = shared | template["Resources"][function]["Properties"].get("Environment", {}).get("Variables", {})
    for variable, expression in variables.items():
        value = _resolve(expression, values, outputs)
        if value is not None:
            env[variable] = value
    return env


def _resolve(expression: Any, parameters: Mapping[str, Any], outputs: Mapping[str, str]) -> str | None:
    """Just the forms the functions' environment uses: literals, Ref, and Join of a list parameter."""
    if isinstance(expression, str | int | float):
        return str(expression)
    if isinstance(expression, dict) and "Ref" in expression:
        name = expression["Ref"]
        if name in _RESOURCE_OUTPUTS:
            return outputs.get(_RESOURCE_OUTPUTS[name])
        value = parameters.get(name)
        return None if value is None else _joined(value)
    if isinstance(expression, dict) and "Fn::Join" in expression:
        separator, items = expression["Fn::Join"]
        resolved = [_resolve(item, parameters, outputs) for item in (items if isinstance(items, list) else [items])]
        return None if None in resolved else str(separator).join(item for item in resolved if item is not None)
    return None


def _joined(value: Any) -> str:
    return ",".join(str(item) for item in value) if isinstance(value, list) else str(value)
