"""The docs: a README a newcomer reads in minutes, pages that name no test file, and the generated parts (the
parameter tables, the security table, the home page) rendered from what they describe. `make docs` builds the
site with --strict (broken links, anchors and pages fail); these tests hold what a link checker cannot."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from docs.hooks.generated import ROOT, UnknownMarkerError, parameter_table, render
from wa_share_sandbox.cfn_templates import load_template

README = ROOT / "README.md"
PAGES = sorted((ROOT / "docs").glob("*.md"))
TEMPLATES = [
    "template.yaml",
    *(f"member_stackset/{path.name}" for path in sorted((ROOT / "member_stackset").glob("*.yaml"))),
]
_TEST_FILE = re.compile(r"\btests/[\w/]*\.py\b")
_TEST_FOLDER = re.compile(r"\btests/\w")


def _built(page: Path) -> str:
    return render(page.read_text(encoding="utf-8"))


def test_the_readme_is_read_in_minutes() -> None:
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 300


@pytest.mark.parametrize("page", [README, *PAGES], ids=lambda page: page.name)
def test_no_user_facing_page_names_a_test_file(page: Path) -> None:
    text = _built(page) if page != README else page.read_text(encoding="utf-8")
    assert _TEST_FILE.findall(text) == []
    if page.name != "development.md":  # the contributors' page names the test rooms, never a file
        assert _TEST_FOLDER.findall(text) == []


@pytest.mark.parametrize("path", TEMPLATES)
def test_each_parameter_table_carries_every_parameter_with_its_default(path: str) -> None:
    table = parameter_table(path)
    for name, spec in load_template(ROOT / path)["Parameters"].items():
        [row] = [line for line in table.splitlines() if line.startswith(f"| `{name}` |")]
        default = (
            "— (required)" if "Default" not in spec else (f"`{spec['Default']}`" if spec["Default"] != "" else "empty")
        )
        assert row.split(" | ")[1] == default, row
    assert f"<!-- generated: parameters {path} -->" in (ROOT / "docs" / "parameters.md").read_text(encoding="utf-8")


def test_the_readmes_parameters_are_the_central_templates_with_their_defaults() -> None:
    parameters = load_template(ROOT / "template.yaml")["Parameters"]
    section = README.read_text(encoding="utf-8").split("## The parameters people change", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| ([^|]+) \|", section, flags=re.MULTILINE)
    assert len(rows) >= 8
    for name, default in rows:
        spec = parameters[name]
        expected = "—" if "Default" not in spec else (f"`{spec['Default']}`" if spec["Default"] != "" else "empty")
        assert default.strip() == expected, name


def test_the_readme_and_the_alarms_page_name_every_alarm() -> None:
    resources = load_template(ROOT / "template.yaml")["Resources"]
    names = [
        resource["Properties"]["AlarmName"]["Fn::Sub"].removeprefix("${AWS::StackName}-")
        for resource in resources.values()
        if resource["Type"] == "AWS::CloudWatch::Alarm"
    ]
    assert len(names) >= 10
    for text in (README.read_text(encoding="utf-8"), (ROOT / "docs" / "alarms.md").read_text(encoding="utf-8")):
        assert [name for name in names if f"| `{name}`" not in text] == []


def test_the_home_page_is_the_readme_with_the_sites_links() -> None:
    home = render((ROOT / "docs" / "index.md").read_text(encoding="utf-8"))
    assert home.startswith("# wa-share")
    assert "](docs/" not in home
    assert "](deploy.md#option-b)" in home


def test_a_marker_the_hook_does_not_know_fails_the_build() -> None:
    with pytest.raises(UnknownMarkerError, match="unknown marker"):
        render("<!-- generated: parameter template.yaml -->")
