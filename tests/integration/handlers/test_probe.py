"""The live probe on the sandbox: the real probe and share functions, the real templates (Probe=scheduled).

Every test runs under each answer to tag-on-create (does CreateWorkload with Tags also need
wellarchitected:TagResource?): the probe role is granted what works under both. A probe is created by the
probe function in the automation account, travels the real-time path like any
workload, is shared with its latency recorded, and is judged and deleted by the next run. Broken forwarding
leaves a probe unshared: the next run counts it (ProbeNotShared) and deletes it. Workloads that only look
like probes are left alone, by the probe run and by the share path's bookkeeping alike.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import probe_function
from tests.support.factories import lambda_context, scheduled_event
from wa_share.probe.rule import PROBE_PREFIX, PROBE_TAG_KEY, ProbeRule, created_at, probe_name
from wa_share_sandbox import wellarchitected as wab
from wa_share_sandbox.deployment import Deployment
from wa_share_sandbox.metering import METER
from wa_share_sandbox.organization import SimulatedOrganization, create_workload
from wa_share_sandbox.runner import FunctionRunner, Invocation

HOUR = timedelta(hours=1)


@pytest.fixture
def functions(probed: Deployment, logs: io.StringIO) -> FunctionRunner:
    return FunctionRunner(probed, log_stream=logs)


def metric_sums(logs: io.StringIO) -> dict[str, float]:
    sums: dict[str, float] = {}
    for line in logs.getvalue().splitlines():
        if line.startswith('{"_aws"'):
            blob = json.loads(line)
            for definition in blob["_aws"]["CloudWatchMetrics"][0]["Metrics"]:
                value = blob[definition["Name"]]
                sums[definition["Name"]] = sums.get(definition["Name"], 0) + sum(
                    value if isinstance(value, list) else [value]
                )
    return sums


def log_records(logs: io.StringIO, message: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in logs.getvalue().splitlines() if line.startswith("{") and '"_aws"' not in line]
    return [line for line in lines if line.get("message") == message]


def probes_in(org: SimulatedOrganization, account: str, region: str = "us-east-1") -> dict[str, wab.Workload]:
    backend = wab.get_backend(account, region)
    with wab.LOCK:
        return {w.name: w for w in backend.workloads.values()}


def first_run_calls(functions: FunctionRunner) -> int:
    [probe_run] = [invocation for invocation in functions.invocations if invocation.function == "probe"]
    return probe_run.calls  # ListWorkloads (nothing to clean), CreateWorkload


def ran(invocation: Invocation) -> dict[str, Any]:
    assert invocation.error is None, invocation.error
    result: dict[str, Any] = invocation.result
    return result


def test_a_probe_is_shared_its_latency_recorded_and_the_next_run_deletes_it(
    org: SimulatedOrganization, functions: FunctionRunner, logs: io.StringIO
) -> None:
    first = ran(functions.run_probe())
    workload = probes_in(org, org.automation)[first["created"]]
    assert workload.params["Tags"] == {PROBE_TAG_KEY: "true"}
    assert first["created"].startswith(PROBE_PREFIX)
    assert first["cleaned"] == first["never_shared"] == []

    [shared] = functions.deliver_share_events()
    assert [item["outcome"] for item in ran(shared)["results"]] == ["created"]
    # A fresh event: AssumeRole, CreateWorkloadShare (no listing first), and GetWorkload (probe account only)
    # for the name
    assert (first_run_calls(functions), shared.calls) == (2, 3)
    rows = wab.get_backend(org.automation, "us-east-1").list_all_shares(first["workload_id"])
    assert [(row.shared_with, row.status) for row in rows] == [(org.reviews, "PENDING")]
    sums = metric_sums(logs)
    assert sums["ProbeShared"] == 1
    assert sums["ProbesCreated"] == 1
    assert 0 <= sums["ProbeLatency"] < 60  # seconds from the name's creation time to the share
    assert "SharesCreated" not in sums  # a probe is not an organization workload
    [line] = log_records(logs, "probe shared")
    assert line["probe"] == first["created"]

    second_run = functions.run_probe(datetime.now(UTC) + HOUR)
    second = ran(second_run)
    assert second_run.calls == 4  # ListWorkloads, ListWorkloadShares, DeleteWorkload, CreateWorkload
    assert second["cleaned"] == [first["created"]]
    assert second["never_shared"] == []
    assert set(probes_in(org, org.automation)) == {second["created"]}  # one probe at a time
    assert "ProbeNotShared" not in metric_sums(logs)


def test_broken_forwarding_leaves_a_probe_unshared_which_the_next_run_counts_and_deletes(
    org: SimulatedOrganization, functions: FunctionRunner, logs: io.StringIO
) -> None:
    # The forwarder of the probe account and region is gone: nothing reaches the central bus.
    org.client(org.automation, "cloudformation", "us-east-1").delete_stack(StackName="wa-share-forwarder")
    first = ran(functions.run_probe())
    assert functions.deliver_share_events() == []
    assert "ProbeShared" not in metric_sums(logs)  # no datapoint: the alarm's missing data breaches

    second = ran(functions.run_probe(datetime.now(UTC) + HOUR))
    assert second["never_shared"] == second["cleaned"] == [first["created"]]
    assert first["created"] not in probes_in(org, org.automation)
    assert metric_sums(logs)["ProbeNotShared"] == 1
    [trace] = log_records(logs, "probe never shared: the real-time path is broken")
    assert trace["probe"] == first["created"]
    assert "forwarding rule" in trace["check"]


def test_a_young_probe_is_left_for_the_next_run(org: SimulatedOrganization, functions: FunctionRunner) -> None:
    first = ran(functions.run_probe())
    second = ran(functions.run_probe(datetime.now(UTC) + timedelta(minutes=2)))
    assert second["in_flight"] == [first["created"]]
    assert second["cleaned"] == []
    assert {first["created"], second["created"]} <= set(probes_in(org, org.automation))


def test_workloads_that_only_look_like_probes_are_left_alone_and_counted_as_workloads(
    org: SimulatedOrganization, functions: FunctionRunner, logs: io.StringIO
) -> None:
    stamp = probe_name(datetime.now(UTC) - 3 * HOUR, "foreign")
    elsewhere = create_workload(org, org.members[0], "us-east-1", stamp)  # same name, another owner
    create_workload(org, org.automation, "us-east-1", "wa-share-probes-dashboard")  # similar name
    create_workload(org, org.automation, "eu-west-1", "wa-share-probe")  # no trailing dash
    functions.deliver_share_events()
    run = ran(functions.run_probe(datetime.now(UTC)))
    assert run["cleaned"] == []
    assert run["never_shared"] == []
    assert {"wa-share-probes-dashboard", run["created"]} == set(probes_in(org, org.automation))
    assert "wa-share-probe" in probes_in(org, org.automation, "eu-west-1")
    assert [row.shared_with for row in wab.get_backend(org.members[0], "us-east-1").list_all_shares(elsewhere)] == [
        org.reviews
    ]
    assert metric_sums(logs)["SharesCreated"] == 3  # ordinary workloads, counted as such
    assert "ProbeShared" not in metric_sums(logs)


def test_the_sweep_leaves_probes_alone_and_never_counts_them_missed(
    org: SimulatedOrganization, functions: FunctionRunner, logs: io.StringIO
) -> None:
    functions.run_probe()
    functions.discard_share_events()  # the probe's event is lost, as CloudTrail may lose any
    missed = create_workload(org, org.members[0], "eu-west-1", "missed")
    functions.discard_share_events()

    runs = functions.run_sweep()

    assert all(run.error is None for run in runs)
    assert metric_sums(logs)["MissedByRealtime"] == 1  # the member's workload, not the probe
    [probe] = [w for name, w in probes_in(org, org.automation).items() if name.startswith(PROBE_PREFIX)]
    assert wab.get_backend(org.automation, "us-east-1").list_all_shares(probe.workload_id) == []
    assert len(wab.get_backend(org.members[0], "eu-west-1").list_all_shares(missed)) == 1
    [summary] = [line for line in log_records(logs, "sweep summary") if line["account_id"] == org.automation]
    assert summary["workloads_seen"] == 0


def test_a_run_retried_by_lambda_finds_the_probe_it_created(
    org: SimulatedOrganization, functions: FunctionRunner
) -> None:
    event = scheduled_event(event_id="3f1d2c4b-0000-4000-8000-000000000001", time="2026-12-01T10:00:00Z")
    with functions.as_function("probe"):
        first = probe_function.handler(event, lambda_context())
        again = probe_function.handler(event, lambda_context())
    assert (again["created"], again["workload_id"]) == (first["created"], first["workload_id"])
    assert first["created"].endswith("-3f1d2c4b")
    assert len([name for name in probes_in(org, org.automation) if name.startswith(PROBE_PREFIX)]) == 1


@pytest.mark.parametrize(
    ("event", "problem"),
    [
        ({"time": "2026-12-01T10:00:00Z"}, "id: Field required"),
        ({"id": "x", "time": "yesterday"}, "time: Input should be a valid datetime"),
        ("not an event", "'id'"),
    ],
)
def test_a_malformed_schedule_event_is_refused_before_any_call(
    functions: FunctionRunner, event: Any, problem: str
) -> None:
    before = sum(METER.snapshot().values())
    invocation = functions.invoke("probe", event)
    assert invocation.error is not None
    assert problem in invocation.error
    assert sum(METER.snapshot().values()) == before


def test_the_rule_is_name_prefix_and_owner() -> None:
    rule = ProbeRule("111122223333")
    name = probe_name(datetime(2026, 12, 1, 13, 50, 1, tzinfo=UTC), "ab12cd34")
    precise = datetime(2026, 12, 1, 13, 50, 1, 123456, tzinfo=UTC)
    assert created_at(probe_name(precise, "x")) == precise.replace(microsecond=123000)
    assert name == "wa-share-probe-20261201T135001.000Z-ab12cd34"
    assert created_at(name) == datetime(2026, 12, 1, 13, 50, 1, tzinfo=UTC)
    assert rule.is_probe("111122223333", name)
    assert not rule.is_probe("444455556666", name)
    assert not rule.is_probe("111122223333", "wa-share-probes")
    assert not ProbeRule(None).is_probe("111122223333", name)
    assert created_at("wa-share-probe-garbage") is None


def test_a_probe_named_workload_iam_refuses_is_left_alone_and_the_run_goes_on(
    org: SimulatedOrganization, functions: FunctionRunner
) -> None:
    # Someone else's workload in the probe account took a probe's name but not the probe tag: in AWS the
    # probe role's aws:ResourceTag condition refuses it (the sandbox does not evaluate identity policies).
    squatter = probe_name(datetime.now(UTC) - 3 * HOUR, "squatter")
    create_workload(org, org.automation, "us-east-1", squatter)
    wab.configure_faults(
        fault=lambda operation, _account, _region: (
            "AccessDeniedException" if operation == "ListWorkloadShares" else None
        )
    )
    try:
        run = ran(functions.run_probe())
    finally:
        wab.reset_faults()
    assert run["refused"] == [squatter]
    assert run["cleaned"] == run["never_shared"] == []
    assert squatter in probes_in(org, org.automation)
