"""Just enough of CloudFormation's intrinsic functions to read template.yaml's resources in the simulator."""

from __future__ import annotations

import re
from typing import Any

_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")
_NO_VALUE = object()  # Ref AWS::NoValue: the list item or property is dropped


class UnresolvableError(ValueError):
    """The template uses something the simulator cannot resolve: better loud than a silent wrong value."""


class Resolver:
    def __init__(
        self,
        parameters: dict[str, Any],
        *,
        account: str,
        region: str,
        stack: str,
        conditions: dict[str, Any] | None = None,
    ) -> None:
        self._conditions = conditions or {}
        self._refs: dict[str, Any] = dict(parameters) | {
            "AWS::AccountId": account,
            "AWS::Region": region,
            "AWS::Partition": "aws",
            "AWS::StackName": stack,
            "AWS::URLSuffix": "amazonaws.com",
        }
        self._attributes: dict[str, Any] = {}

    def define(self, logical_id: str, *, ref: str, arn: str, **attributes: str) -> None:
        self._refs[logical_id] = ref
        self._attributes[f"{logical_id}.Arn"] = arn
        for name, value in attributes.items():
            self._attributes[f"{logical_id}.{name}"] = value

    def value(self, node: Any) -> Any:
        if isinstance(node, list):
            return [value for value in (self.value(item) for item in node) if value is not _NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, argument),) = node.items()
            if key == "Ref":
                return _NO_VALUE if argument == "AWS::NoValue" else self._ref(str(argument))
            if key == "Fn::GetAtt":
                return self._attribute(".".join(argument) if isinstance(argument, list) else str(argument))
            if key == "Fn::Sub":
                return self._sub(argument)
            if key == "Fn::Join":
                separator, items = argument
                return str(separator).join(str(item) for item in self.value(items))
            if key == "Fn::If":
                name, when_true, when_false = argument
                return self.value(when_true if self.condition(name) else when_false)
            if key.startswith("Fn::"):
                raise UnresolvableError(f"{key} is not supported by the simulator's resolver")
        values = {key: self.value(item) for key, item in node.items()}
        return {key: value for key, value in values.items() if value is not _NO_VALUE}

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            raise UnresolvableError(f"Condition {name}: not defined in the template")
        return self._truth(self._conditions[name])

    def _truth(self, node: Any) -> bool:
        ((key, argument),) = node.items()
        if key == "Condition":
            return self.condition(str(argument))
        if key == "Fn::Equals":
            left, right = (self.value(item) for item in argument)
            return bool(left == right)
        if key == "Fn::Not":
            return not self._truth(argument[0])
        if key == "Fn::And":
            return all(self._truth(item) for item in argument)
        if key == "Fn::Or":
            return any(self._truth(item) for item in argument)
        raise UnresolvableError(f"{key} is not a condition function the simulator's resolver knows")

    def _ref(self, name: str) -> Any:
        if name not in self._refs:
            raise UnresolvableError(f"Ref {name}: not a parameter or a resource the simulator created")
        return self._refs[name]

    def _attribute(self, name: str) -> Any:
        if name not in self._attributes:
            raise UnresolvableError(f"GetAtt {name}: not an attribute the simulator knows")
        return self._attributes[name]

    def _sub(self, argument: Any) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else (argument[0], argument[1])

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(self.value(variables[name]))
            return str(self._attribute(name) if "." in name else self._ref(name))

        return _PLACEHOLDER.sub(replace, str(text))
