"""The security page's role table, rendered from the templates: every IAM role, who may assume it, what it may do.

The docs site's build hook (docs/hooks/generated.py) puts it on the security page, so it cannot drift from the
templates. Parameters with a default show their default (`wa-share-member`); the others stay placeholders
(`${OrganizationId}`); `Fn::If` statements say which condition enables them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.integration.security.policies import CENTRAL, ROOT, USED_BY_AWS
from wa_share_sandbox.cfn_templates import load_template

WHERE = {
    "template.yaml": "central stack (automation account)",
    "member_stackset/roles.yaml": "every account",
    "member_stackset/reviews.yaml": "each reviews account (optional)",
}
_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")


def templates() -> list[Path]:
    return [CENTRAL, *sorted((ROOT / "member_stackset").glob("*.yaml"))]


class _Renderer:
    def __init__(self, template: dict[str, Any]) -> None:
        self.defaults = {
            name: str(spec["Default"])
            for name, spec in template.get("Parameters", {}).items()
            if spec.get("Default") not in (None, "") and spec.get("Type") == "String"
        } | {"AWS::Partition": "aws"}
        self.resources = set(template.get("Resources", {}))

    def sub(self, text: str) -> str:
        return _PLACEHOLDER.sub(lambda match: self.defaults.get(match[1], match[0]), text)

    def value(self, node: Any) -> str:
        if isinstance(node, list):
            return ", ".join(self.value(item) for item in node)
        if not isinstance(node, dict):
            return self.sub(str(node))
        ((key, argument),) = node.items()
        if key == "Ref":
            return str(argument) if argument in self.resources else self.sub(f"${{{argument}}}")
        if key == "Fn::GetAtt":
            return str(argument[0])  # the resource's logical ID stands for its ARN
        if key == "Fn::Sub":
            return self.sub(argument if isinstance(argument, str) else argument[0])
        return f"{key}({self.value(argument)})"

    def code(self, node: Any) -> str:
        items = node if isinstance(node, list) else [node]
        return " or ".join(f"`{self.value(item)}`" for item in items)

    def conditions(self, statement: dict[str, Any]) -> str:
        tests = [
            f"`{key}` {'is' if operator.endswith('Equals') else 'matches'} {self.code(expected)}"
            for operator, pairs in statement.get("Condition", {}).items()
            for key, expected in pairs.items()
        ]
        return f" when {' and '.join(tests)}" if tests else ""


def _branches(value: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(enabling condition or "", statement) for every statement, both kinds of Fn::If item included."""
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict) and set(item) == {"Fn::If"}:
            name, when_true, when_false = item["Fn::If"]
            if when_true != {"Ref": "AWS::NoValue"}:
                yield f"if {name}: ", when_true
            if when_false != {"Ref": "AWS::NoValue"}:
                yield f"unless {name}: ", when_false
        else:
            yield "", item


_ACCOUNT_ROOT = re.compile(r"arn:aws[a-z-]*:iam::(?P<account>[^:]+):root")


def _principal(renderer: _Renderer, principal: dict[str, Any]) -> str:
    if "Service" in principal:
        return f"the `{renderer.value(principal['Service'])}` service"
    names = [
        renderer.value(item)
        for item in (principal["AWS"] if isinstance(principal["AWS"], list) else [principal["AWS"]])
    ]
    roots = [_ACCOUNT_ROOT.fullmatch(name) for name in names]
    return " or ".join(
        f"account `{root['account']}`" if root else f"`{name}`" for root, name in zip(roots, names, strict=True)
    )


def _who(renderer: _Renderer, role: dict[str, Any]) -> str:
    lines = []
    for condition, statement in _branches(role["AssumeRolePolicyDocument"]["Statement"]):
        lines.append(f"{condition}{_principal(renderer, statement['Principal'])}{renderer.conditions(statement)}")
    return "<br>".join(lines)


def _what(renderer: _Renderer, logical_id: str, role: dict[str, Any]) -> str:
    lines = []
    for policy in role.get("Policies", []):
        for condition, statement in _branches(policy["PolicyDocument"]["Statement"]):
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            marked = [f"`{action}`{'†' if (logical_id, action) in USED_BY_AWS else ''}" for action in actions]
            on = renderer.code(statement["Resource"])
            lines.append(f"{condition}{', '.join(marked)} on {on}{renderer.conditions(statement)}")
    return "<br>".join(lines)


def rows() -> Iterator[list[str]]:
    for path in templates():
        template = load_template(path)
        renderer, name = _Renderer(template), str(path.relative_to(ROOT))
        for logical_id, resource in template["Resources"].items():
            if resource["Type"] != "AWS::IAM::Role":
                continue
            role = resource["Properties"]
            where = f"{name}: {logical_id}, {WHERE.get(name, name)}"
            yield [
                f"`{renderer.value(role['RoleName'])}`",
                where,
                _who(renderer, role),
                _what(renderer, logical_id, role),
            ]


def render() -> str:
    lines = ["| Role | Defined in | Who may assume it | What it may do |", "| --- | --- | --- | --- |"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows()]
    lines.append("")
    lines.append("† exercised by AWS itself on the role's behalf (beyond what wa-share's code does): " + _footnote())
    return "\n".join(lines)


def _footnote() -> str:
    reasons: dict[str, list[str]] = {}
    for (role, action), reason in sorted(USED_BY_AWS.items()):
        reasons.setdefault(reason, []).append(f"{role} `{action}`")
    return "; ".join(f"{', '.join(pairs)}: {reason}" for reason, pairs in reasons.items()) + "."
