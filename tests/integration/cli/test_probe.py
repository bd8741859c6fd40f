"""`wa-share probe` on the sandbox: the operator's probe goes through the real-time path (the real share
function runs while the command waits), each hop is printed with its time, and the probe is deleted.
Exit codes: 0 shared in time, 1 not, 2 usage errors."""

from __future__ import annotations

import io
import json

import pytest

from tests.integration.cli.conftest import Cli, act_as_operator, deploy_for_operator
from tests.support.acceptor import deploy_acceptor
from wa_share.probe.rule import PROBE_PREFIX
from wa_share_cli.operations import probe as operation
from wa_share_sandbox import wellarchitected as wab
from wa_share_sandbox.organization import SimulatedOrganization, create_workload
from wa_share_sandbox.runner import FunctionRunner


def probe_cli(
    org: SimulatedOrganization, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], **overrides: str
) -> Cli:
    deployed = deploy_for_operator(org, overrides={"Probe": "on-demand", **overrides})
    act_as_operator(monkeypatch, org)
    return Cli(org, deployed, capsys)


def run_share_function_while_waiting(monkeypatch: pytest.MonkeyPatch, functions: FunctionRunner) -> None:
    monkeypatch.setattr(operation, "pause", lambda _seconds: functions.deliver_share_events())


def automation_workloads(org: SimulatedOrganization) -> list[str]:
    with wab.LOCK:
        return [w.name for w in wab.get_backend(org.automation, "us-east-1").workloads.values()]


def test_a_probe_is_shared_in_time_its_hops_printed_and_it_is_deleted(
    org: SimulatedOrganization, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = probe_cli(org, monkeypatch, capsys)
    logs = io.StringIO()
    run_share_function_while_waiting(monkeypatch, FunctionRunner(cli.deployment, log_stream=logs))

    result = cli("probe", "--timeout", "30", "--interval", "1")

    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith(f"probe {PROBE_PREFIX}")
    assert "in us-east-1" in lines[0]
    assert [line.split()[0] for line in lines[1:]] == ["created", "shared", "deleted"]
    assert f"{cli.org.reviews} PENDING" in lines[2]
    assert automation_workloads(org) == []
    emitted = [json.loads(line) for line in logs.getvalue().splitlines() if line.startswith('{"_aws"')]
    assert [blob["ProbeShared"] for blob in emitted if "ProbeLatency" in blob] == [[1.0]]


def test_with_auto_accept_the_accepted_hop_is_shown_too_as_json(
    org: SimulatedOrganization, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = probe_cli(org, monkeypatch, capsys, AcceptorRoleName="wa-share-acceptor")
    deploy_acceptor(org, "wa-share-acceptor")
    run_share_function_while_waiting(monkeypatch, FunctionRunner(cli.deployment, log_stream=io.StringIO()))

    result = cli("probe", "--timeout", "30", "--output", "json")

    assert result.code == 0, result.err
    report = result.json()
    assert [hop["hop"] for hop in report["hops"]] == ["created", "shared", "accepted", "deleted"]
    assert report["shared"] is True
    assert report["accepted"] is True
    assert report["check"] is None
    seconds = [hop["seconds"] for hop in report["hops"]]
    assert seconds == sorted(seconds)
    assert automation_workloads(org) == []


def test_a_probe_not_shared_in_time_exits_1_naming_what_to_check_and_is_deleted(
    org: SimulatedOrganization, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = probe_cli(org, monkeypatch, capsys)
    cli.admin(org.automation, "cloudformation").delete_stack(StackName="wa-share-forwarder")  # forwarding broken
    run_share_function_while_waiting(monkeypatch, FunctionRunner(cli.deployment, log_stream=io.StringIO()))

    result = cli("probe", "--timeout", "1", "--interval", "1")

    assert result.code == 1
    assert [line.split()[0] for line in result.out.splitlines()[1:3]] == ["created", "deleted"]
    assert "not shared within 1s" in result.out
    assert "forwarding rule" in result.out
    assert automation_workloads(org) == []


def test_a_stack_without_the_probe_role_is_a_usage_error(cli: Cli) -> None:
    result = cli("probe")
    assert result.code == 2
    assert "no probe role" in result.err
    assert "Probe=on-demand" in result.err
    assert automation_workloads(cli.org) == []


@pytest.mark.parametrize("argv", [("--timeout", "0"), ("--timeout", "soon"), ("--interval", "3601")])
def test_bad_arguments_are_usage_errors(cli: Cli, argv: tuple[str, ...]) -> None:
    result = cli("probe", *argv)
    assert result.code == 2
    assert "seconds between 1 and 3600" in result.err


def test_doctor_reads_the_probe_alarm(
    org: SimulatedOrganization, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = probe_cli(org, monkeypatch, capsys, Probe="scheduled")
    cloudwatch = cli.admin(org.automation, "cloudwatch")
    name = "wa-share-probe-not-shared"

    def probe_check() -> dict[str, str]:
        result = cli("doctor", "--output", "json", "--account", org.automation)
        [check] = [check for check in result.json()["checks"] if check["name"] == "live probe shared within its window"]
        return dict(check)

    assert probe_check()["verdict"] == "warn"  # no datapoint yet
    cloudwatch.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="Threshold Crossed: no datapoints")
    failed = probe_check()
    assert failed["verdict"] == "FAIL"
    assert "forwarding rule" in failed["detail"]
    assert "wa-share probe" in failed["fix"]
    cloudwatch.set_alarm_state(AlarmName=name, StateValue="OK", StateReason="a probe was shared")
    assert probe_check()["verdict"] == "ok"


def test_report_leaves_probes_out_and_counts_a_look_alike_elsewhere(
    org: SimulatedOrganization, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = probe_cli(org, monkeypatch, capsys, Probe="scheduled")
    functions = FunctionRunner(cli.deployment, log_stream=io.StringIO())
    probe = functions.run_probe().result["created"]  # never delivered: an unshared probe, not a gap
    create_workload(org, org.members[0], "us-east-1", probe)  # the same name in another account: a workload

    report = cli("report", "--output", "json").json()

    assert [(row["account_id"], row["state"]) for row in report["workloads"]] == [(org.members[0], "missing")]
    assert report["gaps"] == 1
