"""The probe in template.yaml: off by default, one role that alone may create and delete workloads (probes
only, in this account and the probe region), a function and an alarm that exist only when scheduled."""

from __future__ import annotations

import importlib
from typing import Any

from tests.templates.test_templates import (
    CENTRAL,
    REVIEWS,
    ROLES,
    as_list,
    props,
    resources,
    role_statements,
    stack_parameters,
    statements,
    template,
)
from wa_share.probe.rule import PROBE_TAG_KEY, PROBE_TAG_VALUE
from wa_share_sandbox.resolver import Resolver

CONDITIONS = template(CENTRAL)["Conditions"]
WRITES = {"wellarchitected:CreateWorkload", "wellarchitected:DeleteWorkload"}
PROBE_REGION = {"Fn::If": ["HasProbeRegion", {"Ref": "ProbeRegion"}, {"Ref": "AWS::Region"}]}


def by_sid(role: str) -> dict[str, dict[str, Any]]:
    return {statement["Sid"]: statement for statement in role_statements(CENTRAL, role)}


def _probe_resources(**chosen: str) -> set[str]:
    """The probe's resources a stack creates from the template's defaults and the parameters chosen."""
    resolver = Resolver(
        stack_parameters(**chosen), account="111122223333", region="eu-west-1", stack="wa-share", conditions=CONDITIONS
    )
    created = {
        name
        for name, resource in resources(CENTRAL).items()
        if "Condition" not in resource or resolver.condition(resource["Condition"])
    }
    return {name for name in created if name.startswith("Probe")}


def test_the_probe_is_off_by_default_and_one_parameter_turns_it_on() -> None:
    assert _probe_resources() == set()  # a stack deployed with defaults creates no workload in any account
    assert _probe_resources(Probe="off") == set()
    assert _probe_resources(Probe="on-demand") == {"ProbeRole"}  # for `wa-share probe`, nothing scheduled
    assert _probe_resources(Probe="scheduled") == {"ProbeRole", "ProbeFunction", "ProbeFunctionLogGroup", "ProbeAlarm"}
    function = props(CENTRAL, "ProbeFunction")
    assert function["Events"]["Probe"]["Properties"]["Schedule"] == {"Ref": "ProbeSchedule"}
    module, attribute = function["Handler"].rsplit(".", 1)
    assert callable(getattr(importlib.import_module(module), attribute))  # the handler the function names exists


def test_only_the_probe_role_may_create_or_delete_workloads() -> None:
    for path in (CENTRAL, ROLES, REVIEWS):
        for role in resources(path, "AWS::IAM::Role"):
            granted = {action for statement in role_statements(path, role) for action in as_list(statement["Action"])}
            if (path, role) != (CENTRAL, "ProbeRole"):
                assert not granted & WRITES, (path.name, role)


def test_the_probe_role_creates_only_tagged_probes_in_the_probe_region() -> None:
    create = by_sid("ProbeRole")["CreateProbeWorkloads"]
    assert create["Action"] == "wellarchitected:CreateWorkload"
    assert create["Condition"] == {
        "StringEquals": {f"aws:RequestTag/{PROBE_TAG_KEY}": PROBE_TAG_VALUE, "aws:RequestedRegion": PROBE_REGION},
        "ForAllValues:StringEquals": {"aws:TagKeys": [PROBE_TAG_KEY]},
    }


def test_the_probe_role_reads_and_deletes_only_tagged_workloads_of_its_own_account() -> None:
    judge = by_sid("ProbeRole")["JudgeAndDeleteProbes"]
    assert set(judge["Action"]) == {"wellarchitected:ListWorkloadShares", "wellarchitected:DeleteWorkload"}
    arn, variables = judge["Resource"]["Fn::Sub"]
    assert arn == "arn:${AWS::Partition}:wellarchitected:${Region}:${AWS::AccountId}:workload/*"
    assert variables == {"Region": PROBE_REGION}
    assert judge["Condition"] == {"StringEquals": {f"aws:ResourceTag/{PROBE_TAG_KEY}": PROBE_TAG_VALUE}}


def test_the_probe_role_is_assumed_by_its_function_and_the_listed_operators_only() -> None:
    trust = list(statements(props(CENTRAL, "ProbeRole")["AssumeRolePolicyDocument"]))
    assert [statement["Principal"] for statement in trust] == [
        {"Service": "lambda.amazonaws.com"},
        {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}},
    ]
    assert trust[1]["Condition"] == {"ArnLike": {"aws:PrincipalArn": {"Ref": "OperatorPrincipalArns"}}}
    operators = props(CENTRAL, "ProbeRole")["AssumeRolePolicyDocument"]["Statement"][1]
    assert operators["Fn::If"][0] == "ProbeOperators"


def test_the_probe_alarm_breaches_when_no_probe_was_shared_in_the_window() -> None:
    env = template(CENTRAL)["Globals"]["Function"]["Environment"]["Variables"]
    alarm = props(CENTRAL, "ProbeAlarm")
    assert (alarm["Namespace"], alarm["MetricName"]) == (env["POWERTOOLS_METRICS_NAMESPACE"], "ProbeShared")
    assert alarm["Dimensions"] == [{"Name": "service", "Value": env["POWERTOOLS_SERVICE_NAME"]}]
    assert (alarm["Statistic"], alarm["Period"], alarm["Threshold"]) == ("Sum", 3600, 1)
    assert (alarm["ComparisonOperator"], alarm["TreatMissingData"]) == ("LessThanThreshold", "breaching")
    assert alarm["EvaluationPeriods"] == alarm["DatapointsToAlarm"] == {"Ref": "ProbeWindowHours"}
    for what in ("trail", "forwarding rule", "bus policy", "share function", "wa-share probe"):
        assert what in alarm["AlarmDescription"], what


def test_probes_are_recognised_whether_or_not_the_probe_runs() -> None:
    """The functions that meet probes (sharing one, sweeping past one) know the probe account, unconditionally."""
    for function in ("ShareFunction", "SweepWorkerFunction", "ProbeFunction"):
        env = props(CENTRAL, function)["Environment"]["Variables"]
        assert env["PROBE_ACCOUNT_ID"] == {"Ref": "AWS::AccountId"}, function
    assert props(CENTRAL, "ProbeFunction")["Environment"]["Variables"]["PROBE_REGION"] == {"Ref": "ProbeRegion"}
