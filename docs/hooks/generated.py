"""MkDocs hook (the docs site only; never shipped): the parts of pages that describe the repository are rendered
from it at build time, so they cannot drift from what they describe.

- `<!-- generated: readme -->`: README.md, whose `docs/` links become the site's own (the home page);
- `<!-- generated: parameters PATH -->`: the parameter table of the template at PATH;
- `<!-- generated: security-table -->`: every IAM role of every template, who may assume it, what it may do;
- `<!-- generated: example PATH -->`: the file at PATH, as a code block (an example the tests run).

A marker this hook does not know fails the build, as does a template without parameters.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the security table's renderer lives with the tests that check it
    sys.path.insert(0, str(ROOT))

from tests.integration.security.security_table import render as security_table  # noqa: E402
from wa_share_sandbox.cfn_templates import load_template  # noqa: E402

MARKER = re.compile(r"<!-- generated: (?P<what>[a-z-]+)(?: (?P<argument>\S+))? -->")
_DOCS_LINK = re.compile(r"\]\(docs/")


class UnknownMarkerError(ValueError):
    pass


def readme() -> str:
    """README.md as a page of the site: its links into docs/ made relative to the site's root."""
    return _DOCS_LINK.sub("](", (ROOT / "README.md").read_text(encoding="utf-8"))


def parameter_table(relative_path: str) -> str:
    parameters: dict[str, dict[str, Any]] = load_template(ROOT / relative_path).get("Parameters", {})
    if not parameters:
        raise UnknownMarkerError(f"{relative_path} has no Parameters to document")
    lines = ["| parameter | default | allowed | meaning |", "|---|---|---|---|"]
    lines += [
        f"| `{name}` | {_default(spec)} | {_allowed(spec)} | {_cell(spec.get('Description', ''))} |"
        for name, spec in parameters.items()
    ]
    return "\n".join(lines)


def example(relative_path: str) -> str:
    path = ROOT / relative_path
    return f"```{path.suffix.removeprefix('.')}\n{path.read_text(encoding='utf-8').rstrip()}\n```"


def _default(spec: dict[str, Any]) -> str:
    if "Default" not in spec:
        return "— (required)"
    default = str(spec["Default"])
    return f"`{_cell(default)}`" if default else "empty"


def _allowed(spec: dict[str, Any]) -> str:
    if "AllowedValues" in spec:
        return ", ".join(f"`{value}`" for value in spec["AllowedValues"])
    bounds = [f"{word} {spec[key]}" for key, word in (("MinValue", "≥"), ("MaxValue", "≤")) if key in spec]
    if "AllowedPattern" in spec:
        bounds.append(f"pattern `{_cell(str(spec['AllowedPattern']))}`")
    return "<br>".join(bounds) or str(spec.get("Type", "String"))


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _expand(match: re.Match[str]) -> str:
    what, argument = match["what"], match["argument"]
    if what == "readme" and argument is None:
        return readme()
    if what == "parameters" and argument:
        return parameter_table(argument)
    if what == "example" and argument:
        return example(argument)
    if what == "security-table" and argument is None:
        return security_table()
    raise UnknownMarkerError(f"unknown marker {match[0]!r}")


def render(markdown: str) -> str:
    """The page with every marker replaced by what it stands for."""
    return MARKER.sub(_expand, markdown)


def on_page_markdown(markdown: str, **_: Any) -> str:
    return render(markdown)
