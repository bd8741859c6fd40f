"""The Tracing parameter through SAM's own transform, with the template's conditions resolved: Active traces
every function, tells the code to trace (POWERTOOLS_TRACE_DISABLED=false) and grants each function's role
X-Ray's two Put actions; Disabled leaves out all three. SAM adds no managed policy: the roles are our own."""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import pytest
from samtranslator.translator.transform import transform

from tests.integration.security.policies import prune
from tests.templates.test_templates import stack_parameters
from wa_share.runtime.tracing import SWITCH, tracing_switched_off
from wa_share_cli.cfn_templates import load_template, repo_root
from wa_share_sandbox.resolver import Resolver

TEMPLATE = repo_root() / "template.yaml"
X_RAY_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
CONFIGURATIONS = [(tracing, probe) for tracing in ("Active", "Disabled") for probe in ("scheduled", "on-demand")]


class NoManagedPolicies:
    """SAM's managed-policy lookup (IAM's list of AWS managed policies): our functions name none."""

    def load(self) -> dict[str, str]:
        return {}


@cache
def deployed(tracing: str, probe: str) -> tuple[dict[str, Any], Resolver]:
    """The template as CloudFormation gets it after the SAM transform, and a resolver of its conditions."""
    template = copy.deepcopy(load_template(TEMPLATE))
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = "s3://artifacts/handlers.zip"  # what `sam package` leaves there
    values = stack_parameters(Tracing=tracing, Probe=probe)
    output = transform(template, values, NoManagedPolicies())
    resolver = Resolver(
        values, account="111111111111", region="us-east-1", stack="wa-share", conditions=output["Conditions"]
    )
    return output, resolver


def functions(output: dict[str, Any], resolver: Resolver) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in output["Resources"].items()
        if resource["Type"] == "AWS::Lambda::Function"
        and ("Condition" not in resource or resolver.condition(resource["Condition"]))
    }


def x_ray_statements(role: dict[str, Any], resolver: Resolver) -> list[dict[str, Any]]:
    policies = prune(role["Properties"], resolver)["Policies"]
    return [
        statement
        for policy in policies
        for statement in policy["PolicyDocument"]["Statement"]
        if any(str(action).startswith("xray:") for action in statement["Action"])
    ]


@pytest.fixture(autouse=True)
def _region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")  # SAM's pseudo-parameters need one


@pytest.mark.parametrize(("tracing", "probe"), CONFIGURATIONS)
def test_each_function_is_traced_exactly_when_tracing_is_active(
    monkeypatch: pytest.MonkeyPatch, tracing: str, probe: str
) -> None:
    output, resolver = deployed(tracing, probe)
    traced = functions(output, resolver)
    assert len(traced) == (4 if probe == "scheduled" else 3)
    for logical_id, function in traced.items():
        properties = function["Properties"]
        mode = resolver.value(properties["TracingConfig"]["Mode"]) if "TracingConfig" in properties else None
        assert mode == ("Active" if tracing == "Active" else None), logical_id
        monkeypatch.setenv(SWITCH, resolver.value(properties["Environment"]["Variables"][SWITCH]))
        assert tracing_switched_off() is (tracing != "Active"), logical_id


@pytest.mark.parametrize(("tracing", "probe"), CONFIGURATIONS)
def test_a_functions_role_may_send_traces_exactly_when_it_is_traced(tracing: str, probe: str) -> None:
    output, resolver = deployed(tracing, probe)
    traced_roles = {
        function["Properties"]["Role"]["Fn::GetAtt"][0] for function in functions(output, resolver).values()
    }
    roles = {
        logical_id: role
        for logical_id, role in output["Resources"].items()
        if role["Type"] == "AWS::IAM::Role" and ("Condition" not in role or resolver.condition(role["Condition"]))
    }
    # Probe=on-demand: the probe role serves operators only, with no function to trace.
    assert ("ProbeRole" in roles, "ProbeRole" in traced_roles) == (True, probe == "scheduled")
    for logical_id, role in roles.items():
        assert "ManagedPolicyArns" not in role["Properties"], logical_id
        granted = [(s["Effect"], s["Action"], s["Resource"]) for s in x_ray_statements(role, resolver)]
        wanted = tracing == "Active" and logical_id in traced_roles
        # X-Ray's Put actions support no resource-level permission: "*" is the only resource they take.
        assert granted == ([("Allow", X_RAY_ACTIONS, "*")] if wanted else []), logical_id
