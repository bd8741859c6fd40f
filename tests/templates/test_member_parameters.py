"""One source of truth for the member side: the central stack's MemberRolesParameters and
MemberForwarderParameters outputs are exactly what its StackSets pass, under every setting that changes
them; and the forwarder StackSets fail loudly in default regions while tolerating opt-in ones."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.templates import CENTRAL, FORWARDER, ROOT, props, stack_parameters, template
from wa_share.domain import DEFAULT_WA_REGIONS
from wa_share_cli.operations.member_parameters import parse_parameters
from wa_share_sandbox.resolver import Resolver
from wa_share_sandbox.scenario import OPT_IN_REGIONS

ACCOUNT = "111122223333"
BUS_ARN = f"arn:aws:events:eu-west-1:{ACCOUNT}:event-bus/wa-share-central"
# Each setting that changes a member parameter, alone and all together.
SETTINGS: list[dict[str, Any]] = [
    {},
    {"OperatorPrincipalArns": [f"arn:aws:iam::{ACCOUNT}:role/ops", f"arn:aws:iam::{ACCOUNT}:role/sso-*"]},
    {"ShareWithOrganizationUnits": ["o-abcdefghij"]},
    {"PermissionDriftPolicy": "enforce"},
    {"FullSweepDay": "DAILY"},
    {"WaRegions": ["auto"], "WaOptInRegions": []},
    {"Announcements": "true"},
    {"MemberRoleName": "m", "ForwardingRoleName": "f", "CentralRolePrefix": "p", "CentralBusName": "b"},
    {
        "OperatorPrincipalArns": [f"arn:aws:iam::{ACCOUNT}:role/ops"],
        "ShareWithOrganizationUnits": ["ou-ab12-cdefgh34"],
        "PermissionDriftPolicy": "enforce",
        "Announcements": "true",
    },
]


def _resolver(chosen: dict[str, Any]) -> Resolver:
    values = stack_parameters(**chosen)
    resolver = Resolver(
        values, account=ACCOUNT, region="eu-west-1", stack="wa-share", conditions=template(CENTRAL)["Conditions"]
    )
    bus_arn = BUS_ARN.replace("wa-share-central", str(values["CentralBusName"]))
    resolver.define("CentralEventBus", ref=str(values["CentralBusName"]), arn=bus_arn)
    return resolver


def _stack_set(resolver: Resolver, logical_id: str) -> dict[str, str]:
    passed = resolver.value(props(CENTRAL, logical_id)["Parameters"])
    return {str(item["ParameterKey"]): str(item["ParameterValue"]) for item in passed}


def _output(resolver: Resolver, name: str) -> dict[str, str]:
    return parse_parameters(str(resolver.value(template(CENTRAL)["Outputs"][name]["Value"])), where=name)


@pytest.mark.parametrize("chosen", SETTINGS)
def test_the_member_parameter_outputs_are_what_the_stack_sets_pass(chosen: dict[str, Any]) -> None:
    resolver = _resolver(chosen)
    roles = _output(resolver, "MemberRolesParameters")
    assert roles == _stack_set(resolver, "MemberRolesStackSet")
    forwarder = _output(resolver, "MemberForwarderParameters")
    assert forwarder == _stack_set(resolver, "MemberForwarderStackSet")
    assert forwarder == _stack_set(resolver, "MemberOptInForwarderStackSet")
    assert roles["ProbeAccountId"] == roles["CentralAccountId"] == ACCOUNT  # what option B used to leave out
    assert ("OperatorPrincipalArns" in roles) is bool(chosen.get("OperatorPrincipalArns"))


def test_the_outputs_exist_whether_or_not_the_stack_deploys_the_stack_sets() -> None:
    outputs = template(CENTRAL)["Outputs"]
    for name in ("MemberRolesParameters", "MemberForwarderParameters"):
        assert "Condition" not in outputs[name]
    assert template(CENTRAL)["Resources"]["MemberRolesStackSet"]["Condition"] == "DeployStackSets"


def test_every_member_parameter_the_outputs_name_is_declared_by_its_template() -> None:
    resolver = _resolver(SETTINGS[-1])
    for output, path in (("MemberRolesParameters", "roles.yaml"), ("MemberForwarderParameters", "forwarder.yaml")):
        declared = template(ROOT / "member_stackset" / path)["Parameters"]
        passed = _output(resolver, output)
        assert set(passed) <= set(declared)
        assert {name for name, spec in declared.items() if "Default" not in spec} <= set(passed)


def test_default_regions_fail_loudly_and_opt_in_regions_are_tolerated() -> None:
    loud = props(CENTRAL, "MemberForwarderStackSet")
    tolerant = props(CENTRAL, "MemberOptInForwarderStackSet")
    assert loud["OperationPreferences"]["FailureTolerancePercentage"] <= 10
    assert tolerant["OperationPreferences"]["FailureTolerancePercentage"] == 100
    assert [group["Regions"] for group in loud["StackInstancesGroup"]] == [{"Ref": "WaRegions"}]
    assert [group["Regions"] for group in tolerant["StackInstancesGroup"]] == [{"Ref": "WaOptInRegions"}]
    for properties in (loud, tolerant):
        assert ROOT / properties["TemplateURL"] == FORWARDER
        assert "FailureToleranceCount" not in properties["OperationPreferences"]
    resources = template(CENTRAL)["Resources"]
    assert resources["MemberOptInForwarderStackSet"]["DependsOn"] == "MemberRolesStackSet"
    assert resources["MemberOptInForwarderStackSet"]["Condition"] == "DeployOptInForwarders"


@pytest.mark.parametrize(("opt_in", "deploy", "created"), [("", "true", False), ("ap-east-1", "true", True)])
def test_the_opt_in_stack_set_exists_only_with_opt_in_regions(opt_in: str, deploy: str, created: bool) -> None:
    resolver = _resolver({"WaOptInRegions": opt_in, "DeployMemberStackSets": deploy})
    assert resolver.condition("DeployOptInForwarders") is created
    assert resolver.condition("DeployStackSets")


def test_the_default_lists_split_the_known_regions_into_default_and_opt_in() -> None:
    parameters = template(CENTRAL)["Parameters"]
    default = parameters["WaRegions"]["Default"].split(",")
    opt_in = parameters["WaOptInRegions"]["Default"].split(",")
    assert set(opt_in) == OPT_IN_REGIONS
    assert not set(default) & set(opt_in)
    assert sorted(default + opt_in) == sorted(DEFAULT_WA_REGIONS)


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        ({}, DEFAULT_WA_REGIONS),
        ({"WaRegions": ["us-east-1"], "WaOptInRegions": []}, ("us-east-1",)),
        ({"WaRegions": ["auto"], "WaOptInRegions": []}, ("auto",)),
    ],
)
def test_the_sweep_covers_default_and_opt_in_regions(chosen: dict[str, Any], expected: tuple[str, ...]) -> None:
    resolver = _resolver(chosen)
    for function in ("SweepPlannerFunction", "SweepWorkerFunction"):
        value = resolver.value(props(CENTRAL, function)["Environment"]["Variables"]["WA_REGIONS"])
        assert sorted(region for region in str(value).split(",") if region) == sorted(expected)


def test_auto_regions_stand_alone() -> None:
    rule = template(CENTRAL)["Rules"]["SsmRegionsStandAlone"]
    assert rule["RuleCondition"] == {"Fn::Contains": [{"Ref": "WaRegions"}, "auto"]}
    assert rule["Assertions"][0]["Assert"] == {"Fn::EachMemberEquals": [{"Ref": "WaOptInRegions"}, ""]}
