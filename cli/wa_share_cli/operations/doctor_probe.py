"""Doctor check of the live probe (Probe=scheduled): the state of the alarm that says no probe got shared."""

from __future__ import annotations

from typing import Any

from wa_share.aws.access import AwsError, aws_call
from wa_share_cli.operations.checks import Check, fail, ok, warn
from wa_share_cli.operations.stack import StackOutputs

PROBE_CHECK = "live probe shared within its window"
PROBE_FIX = "run `wa-share probe` to see which hop is missing; the alarm's description lists what to check"


def check_probe_alarm(cloudwatch: Any, outputs: StackOutputs) -> Check:
    name = outputs["ProbeAlarmName"]
    scope = f"alarm {name}"
    try:
        with aws_call("cloudwatch:DescribeAlarms", name):
            alarms = cloudwatch.describe_alarms(AlarmNames=[name], AlarmTypes=["MetricAlarm"])["MetricAlarms"]
    except AwsError as error:
        return warn(PROBE_CHECK, scope, str(error), "grant yourself cloudwatch:DescribeAlarms on the probe alarm")
    if not alarms:
        return fail(PROBE_CHECK, scope, "the alarm does not exist", "redeploy the stack with Probe=scheduled")
    alarm: dict[str, Any] = alarms[0]
    state, reason = alarm.get("StateValue", ""), alarm.get("StateReason", "")
    if state == "ALARM":
        return fail(PROBE_CHECK, scope, f"no probe shared: {alarm.get('AlarmDescription', reason)}", PROBE_FIX)
    if state == "OK":
        return ok(PROBE_CHECK, scope, "a probe was shared within the window")
    return warn(PROBE_CHECK, scope, f"{state or 'unknown state'}: {reason}", "wait for the next probe run")
