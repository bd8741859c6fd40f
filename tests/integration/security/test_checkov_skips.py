"""checkov runs in CI (`make checkov`, its own venv, offline) with zero failed checks. Each check it skips
is skipped inside the resource it concerns, with a reason a reviewer can judge; nothing is skipped globally."""

from __future__ import annotations

import re

import pytest

from tests.integration.security.policies import ROOT
from tests.integration.security.security_table import templates

SKIP = re.compile(r"#\s*checkov:skip=(?P<ids>[A-Z0-9_,]+)(?::(?P<reason>.*))?$")
RESOURCE = re.compile(r"^  (?P<name>[A-Za-z0-9]+):\s*$")
MIN_REASON = 40  # characters: a reason, not a shrug


@pytest.mark.parametrize("path", templates(), ids=lambda path: path.name)
def test_every_skip_sits_in_its_resource_with_a_reason(path: object) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()  # type: ignore[attr-defined]
    section, resource = "", ""
    for number, line in enumerate(lines, 1):
        if re.match(r"^[A-Za-z]", line):
            section, resource = line.rstrip(":"), ""
        elif section == "Resources" and (match := RESOURCE.match(line)):
            resource = match["name"]
        skip = SKIP.search(line)
        if skip is None:
            continue
        where = f"{path.name}:{number}"  # type: ignore[attr-defined]
        assert section == "Resources", f"{where}: a skip outside the resources"
        assert resource, f"{where}: a skip outside any resource"
        assert all(re.fullmatch(r"CKV2?_AWS_\d+", check) for check in skip["ids"].split(",")), where
        assert len((skip["reason"] or "").strip()) >= MIN_REASON, f"{where}: say why the check does not apply"


def test_nothing_is_skipped_for_the_whole_run() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--skip-download" in makefile
    for global_skip in ("--skip-check", "--soft-fail"):
        assert global_skip not in makefile
    for config in (".checkov.yaml", ".checkov.yml"):
        assert not (ROOT / config).exists()
