"""Doctor checks of the alarms: every alarm of template.yaml exists, notifies the alarm topic, and is not
firing, nor stuck in ALARM where a new failure would notify nobody."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from wa_share.aws.access import AwsError, aws_call
from wa_share_cli.cfn_templates import load_template, templates_root
from wa_share_cli.operations.checks import Check, fail, ok, warn
from wa_share_cli.operations.stack import StackOutputs

ALARM_CHECK = "alarm armed and quiet"
# Every alarm of the stack fires on something new (an arrival, a failure in its period, a missing
# heartbeat): one that stays in ALARM for a day is either stuck or reporting a failure nobody fixed.
STUCK_AFTER = timedelta(days=1)


def now() -> datetime:
    return datetime.now(UTC)


def expected_alarms(stack_name: str) -> list[str]:
    """The names template.yaml gives the alarms of every stack of this name; an alarm that exists only in
    some configurations (Condition: the probe's) is checked by that feature's own doctor check."""
    template = load_template(templates_root() / "template.yaml")
    resources = template["Resources"].values()
    alarms = [item for item in resources if item["Type"] == "AWS::CloudWatch::Alarm" and "Condition" not in item]
    return [
        str(alarm["Properties"]["AlarmName"]["Fn::Sub"]).replace("${AWS::StackName}", stack_name) for alarm in alarms
    ]


def check_alarms(cloudwatch: Any, outputs: StackOutputs) -> list[Check]:
    prefix = f"{outputs.stack_name}-"
    try:
        found = {alarm["AlarmName"]: alarm for alarm in _describe(cloudwatch, prefix)}
    except AwsError as error:
        return [warn(ALARM_CHECK, f"alarms {prefix}*", str(error), "grant yourself cloudwatch:DescribeAlarms")]
    topic = outputs.outputs.get("AlarmTopicArn", "")
    return [_judge(name, found.get(name), topic) for name in expected_alarms(outputs.stack_name)]


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
    return fail(ALARM_CHECK, scope, detail, alarm.get("AlarmDescription") or "see README, Alarms")
