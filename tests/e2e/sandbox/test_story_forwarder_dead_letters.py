"""The sandbox story's undeliverable event: a forwarder the central bus refuses in phase 2, its dead letter
found by the nightly sweep (the one central metric), the workload shared anyway."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.story import phase, run_sandbox
from wa_share.observability import Metric
from wa_share.sweep.forwarder_dead_letters import FOUND_LOG
from wa_share_cli.main import main

ONE_HEALTHY_ACCOUNT = ["--accounts", "1", "--regions", "eu-west-1", "--workloads", "1"]
QUIET = ["--drop-rate", "0", "--throttle-rate", "0"]


@pytest.mark.slow
def test_a_refused_event_is_a_dead_letter_the_sweep_reports_and_the_workload_is_shared_anyway(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, report = run_sandbox(capsys, tmp_path, *ONE_HEALTHY_ACCOUNT, *QUIET)

    assert code == 0
    assert report["coverage"]["complete"]
    faults, sweep = phase(report, 2), phase(report, 3)
    assert faults["workloads_created"] == 1
    assert faults["events"] == 0  # refused by the central bus: the share function never saw it
    assert faults["details"]["undelivered_events"] == {"member-01 eu-west-1": 1}
    assert sweep["details"]["forwarder_dead_letters"] == {"member-01 eu-west-1": 1}
    assert sweep["metrics"][Metric.FORWARDER_DEAD_LETTERS] == 1  # the alarm's metric (its threshold is 0)
    assert sweep["metrics"]["MissedByRealtime"] == 1  # the sweep shared the refused workload
    lines = [json.loads(line) for line in Path(report["log_file"]).read_text().splitlines() if line.startswith("{")]
    found = [(line["region"], line["messages"]) for line in lines if line.get("message") == FOUND_LOG]
    assert found == [("eu-west-1", 1)] * 2  # phases 3 and 5: each night until someone purges the queue


@pytest.mark.slow
def test_without_a_refusing_forwarder_the_sweep_finds_no_dead_letter(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    scenario = tmp_path / "healthy.yaml"
    scenario.write_text("faults: {undeliverable_forwarders: []}\n")
    code, report = run_sandbox(capsys, tmp_path, "--scenario", str(scenario), *ONE_HEALTHY_ACCOUNT, *QUIET)

    assert code == 0
    assert phase(report, 2)["details"]["undelivered_events"] == {}
    assert phase(report, 2)["events"] == 1
    assert phase(report, 3)["details"]["forwarder_dead_letters"] == {}
    assert phase(report, 3)["metrics"]["MissedByRealtime"] == 0


def test_an_unknown_account_is_a_clear_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("accounts: 2\nfaults: {undeliverable_forwarders: [member-03]}\n")
    assert main(["sandbox", "--scenario", str(scenario), "--log-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "faults.undeliverable_forwarders: member-03 is not a member account" in err
