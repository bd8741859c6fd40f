"""Doctor checks of the alarms: every alarm the stack deployed exists, notifies the alarm topic, and is not
firing, nor stuck in ALARM where a new failure would notify nobody."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from wa_share.aws.access import AwsError, aws_call
from wa_share_cli.operations.checks import Check, fail, ok, warn
from wa_share_cli.operations.stack import StackOutputs

ALARM_CHECK = "alarm armed and quiet"
# Every alarm of the stack fires on something new (an arrival, a failure in its period, a missing
# heartbeat): one that stays in ALARM for a day is either stuck or reporting a failure nobody fixed.
STUCK_AFTER = timedelta(days=1)


def now() -> datetime:
    return datetime.now(UTC)


def expected_alarms(cloudformation: Any, outputs: StackOutputs) -> list[str]:
    """The alarms the stack deployed (its AWS::CloudWatch::Alarm resources: CloudFormation's own list, so
    whatever template version deployed it); the probe's alarm has its own doctor check."""
    probe = outputs.outputs.get("ProbeAlarmName")
    with aws_call("cloudformation:ListStackResources", f"stack {outputs.stack_name}"):
        pages = cloudformation.get_paginator("list_stack_resources").paginate(StackName=outputs.stack_name)
        resources = [item for page in pages for item in page.get("StackResourceSummaries", [])]
    return [
        str(item["PhysicalResourceId"])
        for item in resources
        if item["ResourceType"] == "AWS::CloudWatch::Alarm"
        and item.get("PhysicalResourceId")
        and item["PhysicalResourceId"] != probe
        and not str(item.get("ResourceStatus", "")).startswith("DELETE")
    ]


def check_alarms(cloudwatch: Any, cloudformation: Any, outputs: StackOutputs) -> list[Check]:
    prefix = f"{outputs.stack_name}-"
    try:
        found = {alarm["AlarmName"]: alarm for alarm in _describe(cloudwatch, prefix)}
    except AwsError as error:
        return [warn(ALARM_CHECK, f"alarms {prefix}*", str(error), "grant yourself cloudwatch:DescribeAlarms")]
    try:
        expected = expected_alarms(cloudformation, outputs)
    except AwsError as error:
        scope = f"alarms of stack {outputs.stack_name}"
        return [warn(ALARM_CHECK, scope, str(error), "grant yourself cloudformation:ListStackResources")]
    topic = outputs.outputs.get("AlarmTopicArn", "")
    return [_judge(name, found.get(name), topic) for name in expected]


def _describe(cloudwatch: Any, prefix: str) -> list[dict[str, Any]]:
    pages = cloudwatch.get_paginator("describe_alarms").paginate(AlarmNamePrefix=prefix, AlarmTypes=["MetricAlarm"])
    with aws_call("cloudwatch:DescribeAlarms", f"alarms {prefix}*"):
        return [alarm for page in pages for alarm in page.get("MetricAlarms", [])]


def _judge(name: str, alarm: dict[str, Any] | None, topic: str) -> Check:
    scope = f"alarm {name}"
    if alarm is None:
        return fail(ALARM_CHECK, scope, "missing: nothing would tell you about this failure", "redeploy the stack")
    if not alarm.get("ActionsEnabled", True):
        return fail(
            ALARM_CHECK,
            scope,
            "actions disabled: it notifies nobody",
            f"aws cloudwatch enable-alarm-actions --alarm-names {name}",
        )
    if topic and topic not in alarm.get("AlarmActions", []):
        return fail(ALARM_CHECK, scope, f"does not notify the alarm topic {topic}", "redeploy the stack")
    if alarm.get("StateValue") != "ALARM":
        return ok(ALARM_CHECK, scope, str(alarm.get("StateValue", "")))
    since: datetime = alarm["StateUpdatedTimestamp"]
    age = now() - since
    state = "stuck in ALARM" if age > STUCK_AFTER else "firing"
    hours = age.total_seconds() / 3600
    detail = f"{state} since {since.astimezone(UTC):%Y-%m-%dT%H:%MZ} ({hours:.0f} h): {alarm.get('StateReason', '')}"
    return fail(ALARM_CHECK, scope, detail, alarm.get("AlarmDescription") or "see docs/alarms.md")
