"""Read the CloudFormation templates and their event patterns (which live there only: never copy them)."""

import copy
import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from wa_share_cli.operations.stack import checkout_root

_FUNCTIONS = ("Base64", "Cidr", "FindInMap", "GetAZs", "ImportValue", "Join", "Select", "Split", "Sub")
_CONDITIONS = ("If", "Equals", "Not", "And", "Or", "Contains")


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader that knows CloudFormation's `!Tag` short forms and, like CloudFormation, no timestamps."""


# CloudFormation reads `Version: 2012-10-17` as a string; plain YAML would make it a date.
_CfnLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _value(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    raise yaml.constructor.ConstructorError(None, None, f"unexpected node {node.tag}", node.start_mark)


def _get_att(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
    value = _value(loader, node)
    if isinstance(value, str):  # `!GetAtt Resource.Attribute`; the attribute itself may contain dots
        resource, _, attribute = value.partition(".")
        return {"Fn::GetAtt": [resource, attribute]}
    return {"Fn::GetAtt": value}


def _wrapped(key: str) -> Callable[[yaml.SafeLoader, yaml.Node], dict[str, Any]]:
    return lambda loader, node: {key: _value(loader, node)}


_CfnLoader.add_constructor("!Ref", _wrapped("Ref"))
_CfnLoader.add_constructor("!Condition", _wrapped("Condition"))  # the long form is {"Condition": name}
_CfnLoader.add_constructor("!GetAtt", _get_att)
for _name in _FUNCTIONS + _CONDITIONS:
    _CfnLoader.add_constructor(f"!{_name}", _wrapped(f"Fn::{_name}"))


def load_template(path: Path) -> dict[str, Any]:
    """The template at `path` as plain data, short-form intrinsics turned into their long forms."""
    return copy.deepcopy(_parsed(path.resolve(), path.stat().st_mtime_ns))


@functools.cache
def _parsed(path: Path, _mtime_ns: int) -> dict[str, Any]:
    # Parsed once per file version: the simulator deploys the same templates many times.
    with path.open(encoding="utf-8") as stream:
        template = yaml.load(stream, Loader=_CfnLoader)  # noqa: S506 - a SafeLoader subclass
    if not isinstance(template, dict):
        raise TypeError(f"{path} is not a CloudFormation template (no top-level mapping)")
    return template


def template_json(path: Path) -> str:
    """The template as JSON text (long-form intrinsics): CloudFormation accepts it, and parses it faster."""
    return json.dumps(_parsed(path.resolve(), path.stat().st_mtime_ns))


def templates_root() -> Path:
    """The deployable templates, as the package ships them: `template.yaml` and `member_stackset/*.yaml`.

    The simulator deploys them (only `wa-share sandbox` needs templates: the other commands read what is
    deployed). In a checkout they are symlinks to the files at its top; a built wheel carries copies.
    """
    return Path(__file__).parent / "templates"


def repo_root() -> Path:
    """The checkout's top, for what exists only there (tests, the build); an error in an installed wheel."""
    root = checkout_root()
    if root is None:
        raise FileNotFoundError("wa-share is not running from a checkout (pip install -e .)")
    return root


def event_pattern(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    """The EventPattern of an AWS::Events::Rule or AWS::Events::Archive, parsed if written as JSON text."""
    pattern = template["Resources"][logical_id]["Properties"]["EventPattern"]
    if isinstance(pattern, str):
        pattern = json.loads(pattern)
    if not isinstance(pattern, dict):
        raise TypeError(f"{logical_id}: EventPattern is not a JSON object")
    return pattern
