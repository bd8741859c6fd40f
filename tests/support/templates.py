"""The templates as CloudFormation reads them (`!Ref`, `!GetAtt` and friends as their long forms), and the
pieces of them the template tests look at: resources, properties, parameter values, policy statements."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from wa_share_sandbox.cfn_templates import load_template, repo_root

ROOT = repo_root()
CENTRAL = ROOT / "template.yaml"
ROLES = ROOT / "member_stackset" / "roles.yaml"
FORWARDER = ROOT / "member_stackset" / "forwarder.yaml"
REVIEWS = ROOT / "member_stackset" / "reviews.yaml"


@cache
def template(path: Path) -> dict[str, Any]:
    return load_template(path)


def resources(path: Path, kind: str | None = None) -> dict[str, dict[str, Any]]:
    return {key: value for key, value in template(path)["Resources"].items() if kind in (None, value["Type"])}


def props(path: Path, logical_id: str) -> dict[str, Any]:
    properties: dict[str, Any] = template(path)["Resources"][logical_id]["Properties"]
    return properties


def stack_parameters(**chosen: Any) -> dict[str, Any]:
    """The central stack's parameter values as CloudFormation resolves them: each default (a comma-delimited
    list as a list), the two parameters without one filled in, then `chosen`."""
    declared = template(CENTRAL)["Parameters"]
    values: dict[str, Any] = {name: spec.get("Default") for name, spec in declared.items()}
    values |= {"OrganizationId": "o-abcdefghij", "ReviewsAccountIds": ["111122223333"]} | chosen
    for name, spec in declared.items():
        if spec.get("Type") == "CommaDelimitedList" and isinstance(values[name], str):
            values[name] = [item for item in values[name].split(",") if item]
    return values


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def items(value: Any) -> Iterator[dict[str, Any]]:
    """Every item of a list, both branches of an `Fn::If` item included (an `AWS::NoValue` branch is none)."""
    for item in as_list(value):
        branches = item["Fn::If"][1:] if "Fn::If" in item else [item]
        yield from (branch for branch in branches if branch != {"Ref": "AWS::NoValue"})


def statements(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    return items(document["Statement"])


def role_statements(path: Path, role: str) -> Iterator[dict[str, Any]]:
    for policy in props(path, role)["Policies"]:
        yield from statements(policy["PolicyDocument"])
