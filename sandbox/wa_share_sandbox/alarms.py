"""template.yaml's alarms and dashboard in the simulated automation account, as CloudFormation would create them."""

from __future__ import annotations

from typing import Any

from wa_share_sandbox.organization import HOME_REGION, SimulatedOrganization
from wa_share_sandbox.resolver import Resolver


def deploy_alarms(org: SimulatedOrganization, resources: dict[str, Any], resolver: Resolver) -> dict[str, str]:
    """template.yaml's alarms (those whose condition holds) and dashboard, as they are, into CloudWatch
    (`wa-share doctor` checks them). Each alarm starts where AWS starts a new one: INSUFFICIENT_DATA.
    Returns logical ID -> alarm name."""
    cloudwatch = org.client(org.automation, "cloudwatch")
    created: dict[str, str] = {}
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::CloudWatch::Alarm":
            continue
        if "Condition" in resource and not resolver.condition(resource["Condition"]):
            continue
        properties = resolver.value(resource["Properties"])
        for number in ("EvaluationPeriods", "DatapointsToAlarm", "Period"):  # a Ref resolves to text
            if number in properties:
                properties[number] = int(properties[number])
        properties["Threshold"] = float(properties["Threshold"])
        cloudwatch.put_metric_alarm(**properties)
        name = properties["AlarmName"]
        cloudwatch.set_alarm_state(AlarmName=name, StateValue="INSUFFICIENT_DATA", StateReason="new alarm")
        resolver.define(logical_id, ref=name, arn=f"arn:aws:cloudwatch:{HOME_REGION}:{org.automation}:alarm:{name}")
        created[logical_id] = name
    dashboard = resolver.value(resources["Dashboard"]["Properties"])
    cloudwatch.put_dashboard(DashboardName=dashboard["DashboardName"], DashboardBody=dashboard["DashboardBody"])
    return created
