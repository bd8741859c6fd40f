"""The README's Security section is the templates' truth: its role table is rendered from them (readme_table.py)."""

from __future__ import annotations

from tests.integration.security.policies import ROOT
from tests.integration.security.readme_table import END, START, readme_section, render


def test_the_readme_security_table_is_the_one_the_templates_give() -> None:
    readme = ROOT / "README.md"
    found = readme_section(readme.read_text(encoding="utf-8")) if readme.is_file() else None
    expected = render()
    assert found == expected, (
        f"README.md must carry, between {START} and {END}, the table rendered from the templates "
        "(python -m tests.integration.security.readme_table prints it):\n" + expected
    )


def test_every_role_of_every_template_is_in_the_table() -> None:
    table = render()
    for name in ("wa-share-share-function", "wa-share-sweep-planner", "wa-share-sweep-worker", "wa-share-member"):
        assert f"| `{name}` |" in table
    assert "| `wa-share-forwarder` |" in table
