"""The central stack's alarms and dashboard, and the metric names the functions' code can emit."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.support.templates import CENTRAL, ROOT, resources
from wa_share.observability import LATENCY_METRIC, METRIC_OF_OUTCOME, SHARES_METRIC_OF_PATH
from wa_share.realtime import guard
from wa_share.rules import outsiders
from wa_share.sweep import coverage
from wa_share.sweep.forwarder_dead_letters import FORWARDER_DEAD_LETTERS_METRIC


def alarms() -> dict[str, dict[str, Any]]:
    return {key: item["Properties"] for key, item in resources(CENTRAL, "AWS::CloudWatch::Alarm").items()}


def alarm_on(namespace: str, metric: str) -> list[dict[str, Any]]:
    return [alarm for alarm in alarms().values() if (alarm["Namespace"], alarm["MetricName"]) == (namespace, metric)]


def emitted_by_code() -> set[str]:
    """Every WaShare metric name the handlers can emit: the modules' constants and their count("...") calls."""
    source = "\n".join(path.read_text() for path in (ROOT / "handlers" / "wa_share").rglob("*.py"))
    literal = set(re.findall(r'count\(\s*"(\w+)"', source)) | set(re.findall(r'add_metric\(\s*name="(\w+)"', source))
    constants = {
        coverage.ELIGIBLE_METRIC,
        coverage.SHARED_METRIC,
        coverage.UNSHARED_METRIC,
        coverage.ACCOUNTS_SWEPT_METRIC,
        LATENCY_METRIC,
        FORWARDER_DEAD_LETTERS_METRIC,
        outsiders.FLAGGED_METRIC,
        outsiders.LISTED_METRIC,
        outsiders.UNJUDGED_METRIC,
        guard.OWN_CALLS_METRIC,
        guard.RESTORED_METRIC,
        guard.RESTORE_LATENCY_METRIC,
        *coverage.UNSHARED_METRIC_OF_REASON.values(),
        *SHARES_METRIC_OF_PATH.values(),
        *METRIC_OF_OUTCOME.values(),
    }
    return literal | constants


def dashboard() -> dict[str, Any]:
    """The dashboard body with every ${...} replaced by a stand-in (it must be JSON either way), as deployed
    with every optional alarm (the probe's) on."""
    body, variables = resources(CENTRAL)["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    assert set(variables) == {"ProbeAlarmEntry"}
    body = body.replace("${ProbeAlarmEntry}", ', "${ProbeAlarm.Arn}"')
    parsed: dict[str, Any] = json.loads(re.sub(r"\$\{([^}]+)\}", r"<\1>", body))
    return parsed
