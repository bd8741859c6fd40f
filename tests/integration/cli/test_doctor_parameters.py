"""`wa-share doctor` compares every member StackSet it administers, and the management account's plain
member stacks, with the member parameters the central stack needs, and prints the command that fixes each."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.cli import Cli, operator_cli
from wa_share_cli.operations.doctor_parameters import PARAMETERS_CHECK, PLAIN_STACKS
from wa_share_sandbox.cfn_templates import load_template, repo_root, template_json, templates_root
from wa_share_sandbox.organization import SimulatedOrganization


def parameter_checks(result: Any) -> dict[str, dict[str, str]]:
    return {check["scope"]: check for check in result.json()["checks"] if check["name"] == PARAMETERS_CHECK}


def old_readme_parameters(cli: Cli) -> list[dict[str, str]]:
    """What option B's commands (docs/deploy.md) passed before the central stack published its member parameters."""
    values = {
        "CentralAccountId": cli.org.automation,
        "OrganizationId": cli.org.org_id,
        "CentralBusArn": cli.deployment.bus_arn,
    }
    return [{"ParameterKey": key, "ParameterValue": value} for key, value in values.items()]


@pytest.fixture
def option_b(org: SimulatedOrganization, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    return operator_cli(org, monkeypatch, capsys, member_path="option-b")


def test_member_stack_sets_and_plain_stacks_as_the_central_stack_needs_pass(option_b: Cli) -> None:
    management = option_b.org.management
    result = option_b("doctor", "--account", management, "--output", "json")
    checks = parameter_checks(result)
    assert {scope: check["verdict"] for scope, check in checks.items()} == {
        "StackSet wa-share-roles (roles.yaml)": "ok",
        "StackSet wa-share-forwarder (forwarder.yaml)": "ok",
        f"account {management} us-east-1 stack wa-share-roles": "ok",
        f"account {management} us-east-1 stack wa-share-forwarder": "ok",
        f"account {management} eu-west-1 stack wa-share-forwarder": "ok",
    }


def test_a_stack_set_made_with_the_old_readmes_parameters_fails_and_its_fix_repairs_it(option_b: Cli) -> None:
    cloudformation = option_b.admin(option_b.org.automation, "cloudformation")
    cloudformation.delete_stack_set(StackSetName="wa-share-roles", CallAs="DELEGATED_ADMIN")
    cloudformation.create_stack_set(
        StackSetName="wa-share-roles",
        TemplateBody=template_json(templates_root() / "member_stackset" / "roles.yaml"),
        Parameters=old_readme_parameters(option_b),
        PermissionModel="SERVICE_MANAGED",
        CallAs="DELEGATED_ADMIN",
    )
    result = option_b("doctor", "--account", option_b.org.members[0], "--output", "json")
    assert result.code == 1
    drifted = parameter_checks(result)["StackSet wa-share-roles (roles.yaml)"]
    assert drifted["verdict"] == "FAIL"
    assert f"ProbeAccountId='' (needed: '{option_b.org.automation}')" in drifted["detail"]  # GetWorkload, probes
    assert "ReviewsSideRead='false' (needed: 'true')" in drifted["detail"]
    assert drifted["fix"] == (
        "wa-share member-parameters roles > roles-parameters.json, then aws cloudformation update-stack-set "
        "--call-as DELEGATED_ADMIN --region us-east-1 --stack-set-name wa-share-roles --use-previous-template "
        "--capabilities CAPABILITY_NAMED_IAM --parameters file://roles-parameters.json"
    )
    # The fix, as the operator runs it (moto's UpdateStackSet takes the parameter file's content).
    printed = option_b("member-parameters", "roles")
    cloudformation.update_stack_set(
        StackSetName="wa-share-roles",
        UsePreviousTemplate=True,
        Parameters=json.loads(printed.out),
        CallAs="DELEGATED_ADMIN",
    )
    repaired = option_b("doctor", "--account", option_b.org.members[0], "--output", "json")
    assert parameter_checks(repaired)["StackSet wa-share-roles (roles.yaml)"]["verdict"] == "ok"


def test_the_management_accounts_plain_stack_with_a_drifted_parameter_fails_with_the_deploy_command(
    option_b: Cli,
) -> None:
    management = option_b.org.management
    cloudformation = option_b.admin(management, "cloudformation")
    cloudformation.update_stack(
        StackName="wa-share-roles",
        TemplateBody=template_json(templates_root() / "member_stackset" / "roles.yaml"),
        Parameters=old_readme_parameters(option_b),
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    result = option_b("doctor", "--account", management, "--output", "json")
    assert result.code == 1
    drifted = parameter_checks(result)[f"account {management} us-east-1 stack wa-share-roles"]
    assert drifted["verdict"] == "FAIL"
    assert "OperatorPrincipalArns=''" in drifted["detail"]
    assert drifted["fix"] == (
        "wa-share member-parameters roles > roles-parameters.json (automation account), then in "
        f"{management}: aws cloudformation deploy --stack-name wa-share-roles --region us-east-1 --template-file "
        "member_stackset/roles.yaml --capabilities CAPABILITY_NAMED_IAM --parameter-overrides file://roles-parameters.json"
    )
    forwarders = [scope for scope in parameter_checks(result) if "wa-share-forwarder" in scope]
    assert all(parameter_checks(result)[scope]["verdict"] == "ok" for scope in forwarders)


def test_stack_sets_of_another_central_stack_are_not_judged(option_b: Cli) -> None:
    cloudformation = option_b.admin(option_b.org.automation, "cloudformation")
    other = [{"ParameterKey": "CentralAccountId", "ParameterValue": "999999999999"}]
    cloudformation.create_stack_set(
        StackSetName="staging-roles",
        TemplateBody=template_json(templates_root() / "member_stackset" / "roles.yaml"),
        Parameters=other,
        CallAs="DELEGATED_ADMIN",
    )
    result = option_b("doctor", "--account", option_b.org.members[0], "--output", "json")
    assert not [scope for scope in parameter_checks(result) if "staging" in scope]


def test_the_member_role_may_read_exactly_the_plain_stacks_doctor_looks_for() -> None:
    roles = load_template(repo_root() / "member_stackset" / "roles.yaml")
    [policy] = roles["Resources"]["MemberRole"]["Properties"]["Policies"]
    [grant] = [s for s in policy["PolicyDocument"]["Statement"] if s.get("Sid") == "DoctorReadsMemberStacks"]
    assert grant["Action"] == "cloudformation:DescribeStacks"
    assert [resource["Fn::Sub"].rsplit(":", 1)[-1] for resource in grant["Resource"]] == [
        f"stack/{name}/*" for name in PLAIN_STACKS.values()
    ]
