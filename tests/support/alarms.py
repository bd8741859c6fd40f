"""The central stack's alarms and dashboard, and the metric names the functions' code can emit."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.support.templates import CENTRAL, resources
from wa_share.observability import Metric


def alarms() -> dict[str, dict[str, Any]]:
    return {key: item["Properties"] for key, item in resources(CENTRAL, "AWS::CloudWatch::Alarm").items()}


def alarm_on(namespace: str, metric: str) -> list[dict[str, Any]]:
    return [alarm for alarm in alarms().values() if (alarm["Namespace"], alarm["MetricName"]) == (namespace, metric)]


def emitted_by_code() -> set[str]:
    """Every WaShare metric name the handlers can emit: `count` and the other recorders take only a `Metric`
    (mypy holds every call to it), so the enum is the list."""
    return {metric.value for metric in Metric}


def dashboard() -> dict[str, Any]:
    """The dashboard body with every ${...} replaced by a stand-in (it must be JSON either way), as deployed
    with every optional alarm (the probe's) on."""
    body, variables = resources(CENTRAL)["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    assert set(variables) == {"ProbeAlarmEntry"}
    body = body.replace("${ProbeAlarmEntry}", ', "${ProbeAlarm.Arn}"')
    parsed: dict[str, Any] = json.loads(re.sub(r"\$\{([^}]+)\}", r"<\1>", body))
    return parsed
