"""The alarms and the dashboard watch what the code really emits, with the dimensions it emits them with,
and no alarm can be held in ALARM by a record kept on purpose."""

from __future__ import annotations

import re
from typing import Any

from tests.support.alarms import alarm_on, alarms, dashboard, emitted_by_code
from wa_share.observability import SHARES_METRIC_OF_PATH, Metric
from wa_share.sweep import coverage
from wa_share_sandbox.cfn_templates import load_template, repo_root

TEMPLATE = load_template(repo_root() / "template.yaml")
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
ENV = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
NAMESPACE = ENV["POWERTOOLS_METRICS_NAMESPACE"]
POWERTOOLS_DIMENSIONS = [{"Name": "service", "Value": ENV["POWERTOOLS_SERVICE_NAME"]}]
# AWS: a period of an hour or more may be evaluated over at most 7 days (under an hour: 1 day).
MAX_EVALUATION_SECONDS = 7 * 86400


def at_most(value: Any) -> int:
    """A number of the template, or the largest value its parameter allows."""
    if isinstance(value, dict):
        return int(TEMPLATE["Parameters"][value["Ref"]]["MaxValue"])
    return int(value)


def test_every_alarm_says_how_missing_data_counts_and_stays_within_awss_evaluation_limits() -> None:
    for name, alarm in alarms().items():
        assert alarm["TreatMissingData"] in {"notBreaching", "breaching"}, name
        window = alarm["Period"] * at_most(alarm["EvaluationPeriods"])
        assert window <= (MAX_EVALUATION_SECONDS if alarm["Period"] >= 3600 else 86400), name
    breaching = [name for name, alarm in alarms().items() if alarm["TreatMissingData"] == "breaching"]
    # Only where silence itself is the failure: no sweep completed, no probe shared.
    assert sorted(breaching) == ["ProbeAlarm", "SweepHeartbeatAlarm"]


def test_our_metric_alarms_watch_names_and_dimensions_the_code_emits() -> None:
    ours = {name: alarm for name, alarm in alarms().items() if alarm["Namespace"] == NAMESPACE}
    assert set(ours) >= {"SweepCoverageAlarm", "SweepHeartbeatAlarm", "MissedByRealtimeAlarm"}
    for name, alarm in ours.items():
        assert alarm["MetricName"] in emitted_by_code(), name
        assert alarm["Dimensions"] == POWERTOOLS_DIMENSIONS, name
        # Counts add up over the accounts; a queue depth is a gauge, read again when a work item is retried.
        gauge = alarm["MetricName"] == Metric.FORWARDER_DEAD_LETTERS
        assert alarm["Statistic"] == ("Maximum" if gauge else "Sum"), name


def test_any_workload_left_unshared_by_a_sweep_fires_the_coverage_alarm() -> None:
    [alarm] = alarm_on(NAMESPACE, Metric.COVERAGE_UNSHARED)
    assert (alarm["ComparisonOperator"], alarm["Threshold"], alarm["EvaluationPeriods"]) == (
        "GreaterThanThreshold",
        0,
        1,
    )
    assert alarm["TreatMissingData"] == "notBreaching"  # no sweep that hour: nothing left unshared by one
    for reason in ("coverage_reason", coverage.UNSHARED_LOG):
        assert reason in alarm["AlarmDescription"]  # the operator is told where the names and reasons are


def test_the_heartbeat_fires_after_26_hours_without_a_completed_sweep() -> None:
    [alarm] = alarm_on(NAMESPACE, Metric.SWEEP_ACCOUNTS_COMPLETED)
    assert alarm["Period"] * alarm["EvaluationPeriods"] == 26 * 3600
    assert alarm["DatapointsToAlarm"] == alarm["EvaluationPeriods"]  # every hour of the 26 without one
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("LessThanThreshold", 1)
    assert alarm["TreatMissingData"] == "breaching"


def queues_nobody_consumes() -> set[str]:
    """Dead-letter queues and destinations: what lands there is a failure an operator must hear about."""
    queues = {key for key, item in RESOURCES.items() if item["Type"] == "AWS::SQS::Queue"}
    consumed = {
        event["Properties"]["Queue"]["Fn::GetAtt"][0]
        for item in RESOURCES.values()
        if item["Type"] == "AWS::Serverless::Function"
        for event in item["Properties"].get("Events", {}).values()
        if event["Type"] == "SQS"
    }
    return queues - consumed


def test_every_failure_queue_alarms_on_each_arrival_never_on_depth() -> None:
    arrivals = {
        alarm["Dimensions"][0]["Value"]["Fn::GetAtt"][0]: alarm for alarm in alarm_on("AWS/SQS", "NumberOfMessagesSent")
    }
    assert set(arrivals) == queues_nobody_consumes() == {"ShareFailureQueue", "SweepDeadLetterQueue"}
    for queue, alarm in arrivals.items():
        assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}]
        assert (alarm["Statistic"], alarm["ComparisonOperator"], alarm["Threshold"]) == (
            "Sum",
            "GreaterThanThreshold",
            0,
        )
        assert alarm["TreatMissingData"] == "notBreaching"
    # A depth alarm stays in ALARM while `redrive` keeps a record on purpose, and then a new failure is silent.
    assert not [
        alarm for alarm in alarms().values() if alarm["Namespace"] == "AWS/SQS" and "Approximate" in alarm["MetricName"]
    ]


def test_the_redrive_policys_silent_moves_are_covered_by_the_worker_error_alarm() -> None:
    # SQS does not count its own dead-letter moves in NumberOfMessagesSent; they follow worker crashes.
    redrive = RESOURCES["SweepQueue"]["Properties"]["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": ["SweepDeadLetterQueue", "Arn"]}
    [alarm] = [
        a for a in alarm_on("AWS/Lambda", "Errors") if a["Dimensions"][0]["Value"] == {"Ref": "SweepWorkerFunction"}
    ]
    assert (alarm["Statistic"], alarm["Threshold"], alarm["TreatMissingData"]) == ("Sum", 0, "notBreaching")


def test_the_share_rules_failed_invocations_alarm_names_the_rule_and_its_bus() -> None:
    rule = RESOURCES["ShareRule"]["Properties"]
    [alarm] = alarm_on("AWS/Events", "FailedInvocations")
    # A rule on a custom bus publishes its metrics with both dimensions.
    assert alarm["Dimensions"] == [
        {"Name": "EventBusName", "Value": {"Ref": rule["EventBusName"]["Ref"]}},
        {"Name": "RuleName", "Value": rule["Name"]},
    ]
    assert (alarm["Statistic"], alarm["Threshold"], alarm["TreatMissingData"]) == ("Sum", 0, "notBreaching")


def test_the_share_function_error_alarm_watches_crashes_the_queue_would_dead_letter_without_a_reason() -> None:
    function = RESOURCES["ShareFunction"]["Properties"]
    assert "EventInvokeConfig" not in function  # the share queue is its only source: no async invocation
    alarms_on_errors = alarm_on("AWS/Lambda", "Errors")
    [alarm] = [alarm for alarm in alarms_on_errors if alarm["Dimensions"][0]["Value"] == {"Ref": "ShareFunction"}]
    assert (alarm["Statistic"], alarm["Threshold"], alarm["TreatMissingData"]) == ("Sum", 0, "notBreaching")


def widget_metrics(namespace: str) -> list[list[Any]]:
    return [
        metric
        for widget in dashboard()["widgets"]
        if widget["type"] == "metric"
        for metric in widget["properties"]["metrics"]
        if metric[0] == namespace
    ]


def test_the_dashboard_shows_only_metrics_the_code_emits_with_its_dimension() -> None:
    ours = widget_metrics(NAMESPACE)
    assert {metric[1] for metric in ours} <= emitted_by_code()
    service = POWERTOOLS_DIMENSIONS[0]
    assert all(metric[2:4] == [service["Name"], service["Value"]] for metric in ours)


def test_the_dashboard_shows_coverage_paths_latency_misses_failures_and_every_queue() -> None:
    shown = {metric[1] for metric in widget_metrics(NAMESPACE)}
    wanted = {
        Metric.COVERAGE_ELIGIBLE,
        Metric.COVERAGE_SHARED,
        Metric.COVERAGE_UNSHARED,
        Metric.SWEEP_ACCOUNTS_COMPLETED,
        "MissedByRealtime",
        *coverage.UNSHARED_METRIC_OF_REASON.values(),
        *SHARES_METRIC_OF_PATH.values(),
    }
    assert wanted <= shown
    latency = [metric[-1]["stat"] for metric in widget_metrics(NAMESPACE) if metric[1] == Metric.SHARE_LATENCY]
    assert sorted(latency) == ["p50", "p99"]
    queues = {metric[3] for metric in widget_metrics("AWS/SQS")}
    all_queues = {f"<{key}.QueueName>" for key, item in RESOURCES.items() if item["Type"] == "AWS::SQS::Queue"}
    assert queues == all_queues
    failures = {metric[1] for metric in widget_metrics("AWS/Events") + widget_metrics("AWS/Lambda")}
    assert failures == {"FailedInvocations", "Errors"}
    [rule_metric] = widget_metrics("AWS/Events")
    rule_name = re.sub(r"\$\{([^}]+)\}", r"<\1>", RESOURCES["ShareRule"]["Properties"]["Name"]["Fn::Sub"])
    assert rule_metric[2:] == ["EventBusName", "<CentralEventBus>", "RuleName", rule_name]
    [alarm_widget] = [widget for widget in dashboard()["widgets"] if widget["type"] == "alarm"]
    assert set(alarm_widget["properties"]["alarms"]) == {f"<{name}.Arn>" for name in alarms()}
