"""Which modules may import which: observability (logger, metrics) depends on nothing of the domain."""

from __future__ import annotations

import ast
from pathlib import Path

import wa_share.domain
import wa_share.observability
import wa_share.settings


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def package_imports(module: object) -> set[str]:
    path = Path(str(getattr(module, "__file__", "")))
    return {name for name in imported_modules(path) if name.split(".")[0] == "wa_share"}


def test_observability_imports_nothing_of_wa_share() -> None:
    assert package_imports(wa_share.observability) == set()


def test_the_domain_facts_import_nothing_of_wa_share() -> None:
    assert package_imports(wa_share.domain) == set()


def test_settings_import_the_domain_and_no_function_code() -> None:
    assert package_imports(wa_share.settings) == {"wa_share.domain", "wa_share.probe", "wa_share.validation"}


def test_the_metric_table_covers_every_outcome_and_counts_exactly_the_changes_as_made() -> None:
    """observability keys its table by plain strings: held equal to the domain's outcomes here."""
    from wa_share.observability import METRIC_OF_OUTCOME, SHARES_MADE_METRICS
    from wa_share.sharing import CHANGES, Outcome

    assert set(METRIC_OF_OUTCOME) == {outcome.value for outcome in Outcome}
    made = {outcome for outcome in Outcome if METRIC_OF_OUTCOME[outcome] in SHARES_MADE_METRICS}
    assert made == CHANGES
