"""The bill stays small: nothing in a member account costs money while idle, forwarder dead letters reach one
central alarm through the sweep, and the cost page counts what the templates and the code hold (the README quotes
its totals)."""

from __future__ import annotations

import re
from typing import Any

from tests.support.alarms import alarm_on, alarms, dashboard, emitted_by_code
from tests.support.templates import CENTRAL, FORWARDER, REVIEWS, ROLES, ROOT, props, role_statements, template
from wa_share.observability import Metric
from wa_share.sweep.forwarder_dead_letters import FORWARDER_DEAD_LETTER_QUEUE, FOUND_LOG

# Resource types free while idle, each by its pricing page: IAM is offered at no additional charge (AWS IAM);
# EventBridge bills events, not rules (Amazon EventBridge pricing); SQS bills requests, not queues (Amazon SQS
# pricing); a queue policy is an attribute of its queue. A CloudWatch alarm ($0.10 a month), a KMS key ($1 a
# month), a log group or a Lambda function with a schedule would multiply by accounts x regions.
FREE_WHILE_IDLE = frozenset({"AWS::IAM::Role", "AWS::Events::Rule", "AWS::SQS::Queue", "AWS::SQS::QueuePolicy"})
PROBE_METRICS = frozenset({"ProbesCreated", "ProbeShared", "ProbeLatency", "ProbeNotShared"})


def test_no_member_resource_costs_money_while_idle() -> None:
    for path in (FORWARDER, ROLES, REVIEWS):
        kinds = {resource["Type"] for resource in template(path)["Resources"].values()}
        assert kinds <= FREE_WHILE_IDLE, (path.name, kinds - FREE_WHILE_IDLE)


def test_the_sweep_reads_the_queue_doctor_reads_by_the_name_the_forwarder_gives_it_and_nothing_more() -> None:
    assert props(FORWARDER, "ForwardDeadLetterQueue")["QueueName"] == FORWARDER_DEAD_LETTER_QUEUE
    [grant] = [s for s in role_statements(ROLES, "MemberRole") if s.get("Sid") == "DoctorReadsForwardingDeadLetters"]
    assert grant["Action"] == "sqs:GetQueueAttributes"  # the depth only: no message is received
    assert grant["Resource"] == {
        "Fn::Sub": f"arn:${{AWS::Partition}}:sqs:*:${{AWS::AccountId}}:{FORWARDER_DEAD_LETTER_QUEUE}"
    }


def test_one_central_alarm_tells_the_operator_what_to_run() -> None:
    [alarm] = alarm_on("WaShare", Metric.FORWARDER_DEAD_LETTERS)
    assert (alarm["ComparisonOperator"], alarm["Threshold"], alarm["TreatMissingData"]) == (
        "GreaterThanThreshold",
        0,
        "notBreaching",  # the hour after the sweep: OK again, so the next night notifies again
    )
    assert alarm["Period"] == 3600
    assert alarm["EvaluationPeriods"] == 1
    description = " ".join(alarm["AlarmDescription"].split())
    for needed in ("`wa-share doctor`", FOUND_LOG, FORWARDER_DEAD_LETTER_QUEUE):
        assert needed in description
    widget = [metric[1] for metric in _dashboard_metrics() if metric[0] == "WaShare"]
    assert Metric.FORWARDER_DEAD_LETTERS in widget


def _dashboard_metrics() -> list[list[Any]]:
    return [
        metric
        for widget in dashboard()["widgets"]
        if widget["type"] == "metric"
        for metric in widget["properties"]["metrics"]
    ]


def _cost_section() -> str:
    return (ROOT / "docs" / "cost.md").read_text(encoding="utf-8")


def _counted(pattern: str) -> int:
    match = re.search(pattern, " ".join(_cost_section().split()))
    assert match, pattern
    return int(match.group(1))


def test_the_readmes_cost_model_counts_the_alarms_metrics_and_dashboards_that_exist() -> None:
    central = template(CENTRAL)["Resources"]
    unconditional = [name for name in alarms() if "Condition" not in central[name]]
    assert sorted(set(alarms()) - set(unconditional)) == ["ProbeAlarm"]
    assert _counted(r"(\d+) central alarms before the probe") == len(unconditional)
    emitted = emitted_by_code()
    assert emitted >= PROBE_METRICS
    assert _counted(r"(\d+) custom metrics with the probe's 4") == len(emitted), sorted(emitted)
    assert _counted(r"\((\d+) without;") == len(emitted - PROBE_METRICS)
    dashboards = [item for item in central.values() if item["Type"] == "AWS::CloudWatch::Dashboard"]
    assert _counted(r"(\d+) dashboard\.") == len(dashboards)
    # the alarms line after: one $0.10 alarm each, nothing per account
    assert f"**${len(unconditional) * 0.10:.2f}**" in _cost_section()


def test_the_readme_quotes_the_cost_pages_totals_and_its_metric_and_alarm_counts() -> None:
    total = next(line for line in _cost_section().splitlines() if line.startswith("| **total** |"))
    after = re.findall(r"→ (\$[\d,.]+)\*\*", total)
    probe = next(line for line in _cost_section().splitlines() if line.startswith("| the probe"))
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert len(after) == 3
    assert f"about **{after[0]} a month at 50 accounts, {after[1]} at 500 and {after[2]} at 5,000**" in readme
    assert f"plus {re.findall(r'\+ (\$[\d.]+)', probe)[0]} with the scheduled probe" in readme
    unconditional = [name for name in alarms() if "Condition" not in template(CENTRAL)["Resources"][name]]
    metrics = len(emitted_by_code() - PROBE_METRICS)
    count, alarms_cost = len(unconditional), f"${len(unconditional) * 0.10:.2f}"
    quoted = f"mostly the {metrics} custom metrics and the dashboard; the {count} alarms cost {alarms_cost}"
    assert quoted in readme
