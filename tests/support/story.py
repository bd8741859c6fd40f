"""`wa-share sandbox` run in this process as `make demo` runs it, and its JSON report read back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wa_share_cli.main import main


def run_sandbox(capsys: pytest.CaptureFixture[str], tmp_path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    """Run `wa-share sandbox --output json`; the JSON document must be all there is on stdout."""
    code = main(["sandbox", "--output", "json", "--log-dir", str(tmp_path), *args])
    out = capsys.readouterr().out
    return code, json.loads(out)  # a function log line on stdout would break this


def phase(report: dict[str, Any], number: int) -> dict[str, Any]:
    return next(item for item in report["phases"] if item["phase"] == number)
