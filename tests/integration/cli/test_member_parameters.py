"""`wa-share member-parameters`: the member templates' parameters as the central stack needs them, the one
source option B's commands (docs/deploy.md) and the README's management-account commands read (tests here hold
them to it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import Cli
from tests.support.readme_commands import Command, section_commands
from wa_share_cli.operations.member_parameters import parse_parameters
from wa_share_sandbox.cfn_templates import load_template, repo_root
from wa_share_sandbox.deployment import stackset_parameters

# (heading, page): where each path's commands are documented
OPTION_B = ("**Option B", "docs/deploy.md")
MANAGEMENT = ("**The management account**", "README.md")
STACK_SETS = {"roles": "MemberRolesStackSet", "forwarder": "MemberForwarderStackSet"}


def as_dict(parameter_file: str) -> dict[str, str]:
    return {item["ParameterKey"]: item["ParameterValue"] for item in json.loads(parameter_file)}


@pytest.mark.parametrize("template", ["roles", "forwarder"])
def test_it_prints_exactly_what_the_central_stack_sets_pass(cli: Cli, template: str) -> None:
    expected = stackset_parameters(cli.deployment, STACK_SETS[template])
    printed = cli("member-parameters", template)
    assert printed.code == 0, printed.err
    assert as_dict(printed.out) == expected
    words = cli("member-parameters", template, "--output", "overrides")
    assert parse_parameters(words.out, where="stdout") == expected
    if template == "roles":  # what the README's commands used to leave out
        assert expected["ProbeAccountId"] == expected["CentralAccountId"] == cli.org.automation
        assert expected["ReviewsSideRead"] == "true"


def test_a_stack_without_the_outputs_is_a_usage_error_that_says_to_update_it(cli: Cli) -> None:
    cloudformation = cli.admin(cli.org.automation, "cloudformation")
    stack = cloudformation.describe_stacks(StackName="wa-share")["Stacks"][0]
    outputs = {item["OutputKey"]: item["OutputValue"] for item in stack["Outputs"]}
    del outputs["MemberRolesParameters"]
    body = {
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {name: {"Value": value} for name, value in outputs.items()},
    }
    cloudformation.create_stack(StackName="old-wa-share", TemplateBody=json.dumps(body))
    result = cli("member-parameters", "roles", "--stack-name", "old-wa-share")
    assert result.code == 2
    assert "has no output MemberRolesParameters: update it to the current template.yaml" in result.err


def _files(commands: list[Command]) -> dict[str, str]:
    """file -> member template, for each `wa-share member-parameters T > file`."""
    made = {}
    for command in commands:
        if command.words[:2] == ("wa-share", "member-parameters"):
            assert command.redirect, command.words
            made[command.redirect] = command.words[2]
    return made


def _deploying(commands: list[Command]) -> list[Command]:
    verbs = {"create-stack-set", "update-stack-set", "deploy", "create-stack", "update-stack"}
    cloudformation = [command for command in commands if command.words[:2] == ("aws", "cloudformation")]
    return [command for command in cloudformation if command.words[2] in verbs]


@pytest.mark.parametrize("section", [OPTION_B, MANAGEMENT])
def test_the_docs_deploy_the_member_templates_only_with_the_commands_files(section: tuple[str, str]) -> None:
    made = _files(section_commands(*section))  # each path makes its own files
    assert set(made.values()) == {"roles", "forwarder"}
    deploying = _deploying(section_commands(*section))
    assert deploying
    for command in deploying:
        template = Path(command.option("--template-body") or command.option("--template-file") or "").stem
        given = command.values("--parameters") or command.values("--parameter-overrides")
        assert given == [f"file://{file}" for file, chosen in made.items() if chosen == template], command.words
    assert "ParameterKey=" not in " ".join(" ".join(command.words) for command in section_commands(*section))


def test_the_docs_run_the_forwarder_with_the_templates_regions_and_tolerances() -> None:
    parameters = load_template(repo_root() / "template.yaml")["Parameters"]
    default = parameters["WaRegions"]["Default"].split(",")
    opt_in = parameters["WaOptInRegions"]["Default"].split(",")
    instances = {
        command.option("--stack-set-name"): command
        for command in section_commands(*OPTION_B)
        if command.words[2] == "create-stack-instances"
    }
    assert instances["wa-share-forwarder"].values("--regions") == default
    loud, tolerant = instances["wa-share-forwarder"], instances["wa-share-forwarder-opt-in"]
    assert "FailureTolerancePercentage=10," in str(loud.option("--operation-preferences"))
    assert tolerant.values("--regions") == opt_in
    assert "FailureTolerancePercentage=100," in str(tolerant.option("--operation-preferences"))
    text = (repo_root() / "README.md").read_text(encoding="utf-8")
    assert f' {" ".join(default + opt_in)} " in' in text  # the management account's loop covers both lists


def test_the_readme_commands_print_what_the_management_account_was_deployed_with(cli: Cli, tmp_path: Path) -> None:
    """Run option B's `wa-share member-parameters` lines; the files they write are what the sandbox gave
    the management account's plain stacks (and what the central stack's StackSets pass)."""
    for file, template in _files(section_commands(*OPTION_B)).items():
        command = next(c for c in section_commands(*OPTION_B) if c.redirect == file)
        result = cli(*command.words[1:])
        assert result.code == 0, result.err
        (tmp_path / file).write_text(result.out, encoding="utf-8")
        stack = "wa-share-roles" if template == "roles" else "wa-share-forwarder"
        deployed = cli.admin(cli.org.management, "cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
        on_the_stack = {item["ParameterKey"]: item["ParameterValue"] for item in deployed["Parameters"]}
        written = as_dict((tmp_path / file).read_text(encoding="utf-8"))
        assert {key: on_the_stack[key] for key in written} == written
        assert written == stackset_parameters(cli.deployment, STACK_SETS[template])
