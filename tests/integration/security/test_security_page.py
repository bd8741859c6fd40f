"""The security page's role table is the templates' truth: the docs site's build hook renders it from them."""

from __future__ import annotations

from docs.hooks.generated import render as render_page
from tests.integration.security.policies import ROOT
from tests.integration.security.security_table import render

PAGE = ROOT / "docs" / "security.md"


def test_the_security_page_shows_the_table_the_templates_give() -> None:
    source = PAGE.read_text(encoding="utf-8")
    assert source.count("<!-- generated: security-table -->") == 1
    built = render_page(source)
    assert render() in built
    assert "<!-- generated" not in built


def test_every_role_of_every_template_is_in_the_table() -> None:
    table = render()
    for name in ("wa-share-share-function", "wa-share-sweep-planner", "wa-share-sweep-worker", "wa-share-member"):
        assert f"| `{name}` |" in table
    assert "| `wa-share-forwarder` |" in table
