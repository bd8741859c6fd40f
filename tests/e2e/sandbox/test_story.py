"""`wa-share sandbox`: the whole story on a simulated organization, run as `make demo` runs it (short)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws
from rich.console import Console

from wa_share_cli.main import main
from wa_share_sandbox import wellarchitected as wab
from wa_share_sandbox.iam_trust import uninstall_trust_checks
from wa_share_sandbox.scenario import build_scenario
from wa_share_sandbox.serve import serve
from wa_share_sandbox.story import Story
from wa_share_sandbox.summary import emf_totals, percentile

SCENARIOS = Path(__file__).parent / "scenarios"
SHORT = ["--accounts", "2", "--regions", "eu-west-1", "--workloads", "1"]


@pytest.fixture(autouse=True)
def _fast_ec2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


def sandbox(capsys: pytest.CaptureFixture[str], tmp_path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    """Run `wa-share sandbox --output json`; the JSON document must be all there is on stdout."""
    code = main(["sandbox", "--output", "json", "--log-dir", str(tmp_path), *args])
    out = capsys.readouterr().out
    return code, json.loads(out)  # a function log line on stdout would break this


def _json_lines(log: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.splitlines() if line.startswith("{")]


def phase(report: dict[str, Any], number: int) -> dict[str, Any]:
    return next(item for item in report["phases"] if item["phase"] == number)


@pytest.mark.slow
def test_the_default_story_in_a_short_configuration_covers_every_eligible_workload(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, report = sandbox(capsys, tmp_path, *SHORT, "--drop-rate", "1.0", "--throttle-rate", "0")
    assert code == 0
    assert report["ok"]
    assert report["organization"]["without_role"] == ["member-02"]
    realtime, faults, sweep, outage, lifecycle = (phase(report, n) for n in (1, 2, 3, 4, 5))
    assert realtime["shares_created"] == realtime["events"] == realtime["workloads_created"] == 1
    assert 0 < realtime["details"]["probe_latency_seconds"] < 60  # the probe, shared (and not counted above)
    # Every phase-2 event is lost: nothing reaches the function, and the sweep shares member-01's workload.
    assert (faults["workloads_created"], faults["details"]["lost_events"], faults["events"]) == (2, 2, 0)
    assert sweep["metrics"]["MissedByRealtime"] == faults["details"]["lost_where_the_role_exists"] == 1
    assert sweep["failures"] == 1  # member-02's work item, dead-lettered: its role cannot be assumed
    assert sweep["details"]["accounts_swept"] == 4  # management, automation, reviews, member-01
    # The outage: both invocations lost, then the replay brings back the archive (moto replays it whole).
    assert outage["details"]["expired_invocations"] == 2
    assert outage["details"]["replay_state"] == "COMPLETED"
    assert outage["shares_created"] == 1
    assert outage["details"]["given_up"] == {"member-02": 1}  # its phase-4 event; phase 2's were lost
    # Weeks later: member-01's three shares, one deleted by a person, then expired, then deleted; all restored.
    assert lifecycle["details"] == {"deleted": 2, "expired": 1, "created": 2, "reshared": 1}
    assert lifecycle["metrics"]["SharesCreated"] == 3
    # The share guard: a person's delete undone in real time (the restore's own event no loop), an outside
    # share flagged and left in place.
    guard = phase(report, 6)
    assert guard["details"]["restore_outcomes"] == "created"
    assert guard["details"]["restore_calls"] == 3  # ListWorkloadShares, CreateWorkloadShare, ListWorkloadShares
    assert guard["details"]["flagged"] == "210987654321"
    assert (guard["metrics"]["SharesRestored"], guard["metrics"]["ExternalSharesFlagged"]) == (1, 1)
    coverage = report["coverage"]
    assert (coverage["eligible"], coverage["covered"], coverage["gaps"]) == (3, 3, [])
    assert coverage["not_coverable"] == {"member-02": 2}
    log = Path(report["log_file"]).read_text()
    assert '"MissedByRealtime"' in log
    assert any(line.get("message") == "share decided" and line.get("outcome") == "created" for line in _json_lines(log))


@pytest.mark.slow
def test_the_table_output_tells_each_phase_and_the_verdict(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(
        ["sandbox", "--log-dir", str(tmp_path), "--accounts", "1", "--regions", "us-east-1", "--workloads", "1"]
    )
    out = capsys.readouterr().out
    assert code == 0
    phases = ("1. real-time path", "2. lost events", "3. nightly sweep", "4. share function down")
    for line in (*phases, "5. deleted and expired", "6. share guard", "7. coverage"):
        assert line in out
    assert "MissedByRealtime" in out
    assert "3 of 3 eligible workloads shared exactly once" in out
    assert '"_aws"' not in out
    assert '"level"' not in out
    assert f"function logs: {tmp_path / 'functions.log'}" in out


@pytest.mark.slow
def test_existing_shares_are_reshared_left_alone_or_skipped_as_their_status_says(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, report = sandbox(capsys, tmp_path, "--scenario", str(SCENARIOS / "existing-shares.yaml"))
    assert code == 0
    assert report["coverage"]["complete"]
    sweep = phase(report, 3)
    # expired and revoked: reshared; never shared (management): created, but older than the forwarders, so a
    # backfill (SharedBeforeForwarder), not a miss of the real-time path
    assert sweep["shares_created"] == 3
    assert sweep["metrics"]["MissedByRealtime"] == 0
    assert sweep["metrics"]["SharedBeforeForwarder"] == 1
    coverage = report["coverage"]
    assert coverage["owned_by_reviews"] == 1
    assert (coverage["eligible"], coverage["covered"]) == (4 + 2 + 2 + 2, 10)  # existing, phases 1, 2, 4


@pytest.mark.slow
def test_a_lossy_throttled_day_still_ends_covered(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, report = sandbox(capsys, tmp_path, "--scenario", str(SCENARIOS / "lossy-and-throttled.yaml"))
    assert code == 0
    assert report["coverage"]["complete"]
    assert sum(item["throttled"] for item in report["phases"]) > 0
    assert phase(report, 2)["details"]["lost_events"] > 0
    assert report["coverage"]["not_coverable"] == {"member-02": 4}


@pytest.mark.slow
def test_when_nothing_can_be_shared_the_command_fails_and_names_the_gaps(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, report = sandbox(capsys, tmp_path, "--scenario", str(SCENARIOS / "throttled-to-a-standstill.yaml"))
    assert code == 1
    assert not report["ok"]
    coverage = report["coverage"]
    assert coverage["covered"] < coverage["eligible"]
    assert all("0 live shares with reviews" in gap for gap in coverage["gaps"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("accounts: 2\nfaults: {drop_rate: 1.5}\n", "faults.drop_rate: Input should be less than or equal to 1"),
        ("acounts: 2\n", "acounts: Extra inputs are not permitted"),
        ("regions: [us-east-1, mars-north-1]\n", "mars-north-1: not a Well-Architected region"),
        ("regions: [me-south-1]\n", "me-south-1: not a Well-Architected region enabled by default"),
        ("faults: {accounts_without_role: [member-09]}\n", "member-09 is not a member account"),
        ("existing: [{account: member-07, region: us-east-1, name: legacy}]\n", "existing.0.account: member-07"),
        ("existing: [{account: member-01, region: sa-east-1, name: legacy}]\n", "existing.0.region: sa-east-1"),
        ("existing: [{account: member-01, region: us-east-1, name: app-01}]\n", "a name the story gives"),
        ("existing: [{account: member-01, region: us-east-1, name: x, shares: []}]\n", "existing.0.name"),
        (
            "existing: [{account: member-01, region: us-east-1, name: abc, shares: [{with: member-01}]}]\n",
            "cannot be shared with its owner",
        ),
        ("- just\n- a list\n", "the top level must be a mapping"),
        ("accounts: [unclosed\n", "is not valid YAML or JSON"),
    ],
)
def test_a_bad_scenario_is_one_clear_line_and_exit_code_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, message: str
) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(content)
    assert main(["sandbox", "--scenario", str(scenario), "--log-dir", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err
    assert captured.err.count("\n") == 1
    assert not (tmp_path / "functions.log").exists()  # nothing ran


def test_a_json_scenario_and_flags_that_override_it(tmp_path: Path) -> None:
    data = json.loads('{"accounts": 3, "regions": "us-east-1,eu-west-1", "faults": {"drop_rate": 0.5}}')
    scenario = build_scenario(data, {"accounts": 2, "drop_rate": 0.0, "throttle_rate": None})
    assert (scenario.accounts, scenario.regions, scenario.faults.drop_rate) == (2, ("us-east-1", "eu-west-1"), 0.0)
    assert scenario.accounts_without_role == ("member-02",)


def test_a_scenario_that_conflicts_with_the_service_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    scenario = tmp_path / "two-live.yaml"
    scenario.write_text(
        "accounts: 1\nregions: [us-east-1]\nexisting:\n"
        "  - {account: member-01, region: us-east-1, name: twice, shares: [{with: reviews}, {with: reviews}]}\n"
    )
    assert main(["sandbox", "--scenario", str(scenario), "--log-dir", str(tmp_path)]) == 2
    assert "existing.0: Workload already shared with" in capsys.readouterr().err


def test_emf_totals_and_percentiles() -> None:
    records: list[dict[str, Any]] = [
        {
            "_aws": {"CloudWatchMetrics": [{"Metrics": [{"Name": "SharesCreated"}, {"Name": "Failed"}]}]},
            "SharesCreated": [1.0, 2.0],
            "Failed": 1,
        },
        {"level": "INFO", "message": "share created"},
        {"_aws": {"CloudWatchMetrics": [{"Metrics": [{"Name": "SharesCreated"}]}]}, "SharesCreated": 4.0},
    ]
    assert emf_totals(records) == {"SharesCreated": 7, "Failed": 1}
    assert (percentile([3.0, 1.0, 2.0], 0.5), percentile([3.0, 1.0, 2.0], 0.99)) == (2.0, 3.0)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Story, Path, threading.Event, Console]]:
    wab.install()
    with mock_aws():
        story = Story(build_scenario({"accounts": 1, "regions": "us-east-1", "workloads": 0}, {}), tmp_path / "log")
        story.build()
        stop = threading.Event()
        yield story, tmp_path, stop, Console(file=io.StringIO())
        stop.set()
        story.close()
    uninstall_trust_checks()


@pytest.mark.slow
def test_serve_lets_the_aws_sdk_create_a_workload_that_the_running_system_shares(
    served: tuple[Story, Path, threading.Event, Console],
) -> None:
    story, folder, stop, console = served
    thread = threading.Thread(
        target=serve, args=(story,), kwargs={"port": 0, "console": console, "folder": folder, "stop": stop}
    )
    thread.start()
    while not (folder / "aws-credentials").exists():
        time.sleep(0.05)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | {
        "AWS_CONFIG_FILE": str(folder / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(folder / "aws-credentials"),
        "AWS_PROFILE": "sandbox-member-01",
    }
    script = (
        "import boto3; wa = boto3.client('wellarchitected'); print(wa.create_workload(WorkloadName='from-the-sdk', "
        "Description='made through the server', Environment='PRODUCTION', Lenses=['wellarchitected'], "
        "AwsRegions=['us-east-1'], ReviewOwner='me@example.com')['WorkloadId'])"
    )
    command = [sys.executable, "-c", script]
    created = subprocess.run(command, env=env, capture_output=True, text=True, check=True)  # noqa: S603 - our script
    workload_id = created.stdout.strip()
    owner = story.ids["member-01"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not wab.get_backend(owner, "us-east-1").list_all_shares(workload_id):
        time.sleep(0.1)
    stop.set()
    thread.join()
    [share] = wab.get_backend(owner, "us-east-1").list_all_shares(workload_id)
    assert (share.shared_with, share.status) == (story.ids["reviews"], "PENDING")
