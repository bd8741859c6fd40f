"""What every command shares: finding the stack, one-line usage errors (exit 2), AWS errors (exit 1)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from tests.support.cli import Cli
from wa_share_cli.commands.arguments import account_id, aws_region, wa_region
from wa_share_cli.main import build_parser, main
from wa_share_cli.operations.stack import REQUIRED_OUTPUTS, _samconfig_stack_name, default_stack_name
from wa_share_sandbox.cfn_templates import load_template, repo_root


def one_line(text: str) -> bool:
    return len(text.strip().splitlines()) == 1 and "Traceback" not in text


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["sweep", "--account", "12345"], "'12345' is not an AWS account ID: pass 12 digits"),
        (["report", "--wa-region", "mars-east-1"], "'mars-east-1' is not a Well-Architected Tool region"),
        (["doctor", "--wa-region", "mars-east-1"], "'mars-east-1' is not a Well-Architected Tool region"),
        (["--region", "mars-east-1", "sweep"], "'mars-east-1' is not an AWS region"),
        (["doctor", "--account", "abcdefghijkl"], "is not an AWS account ID"),
        (["replay", "--since", "2h", "--region", "moon-1"], "'moon-1' is not an AWS region"),
        (["redrive", "nowhere"], "invalid choice: 'nowhere'"),
        (["redrive", "sweep-dlq", "--force"], "unrecognized arguments: --force"),  # share-failures' flag
        (["redrive", "share-failures", "--no-move-task"], "unrecognized arguments: --no-move-task"),
        (["replay"], "one of the arguments --since --start is required"),
        (["replay", "--since", "2 hours"], "'2 hours' is not a duration"),
        (["replay", "--start", "yesterday"], "'yesterday' is not a time"),
        (["replay", "--since", "2h", "--start", "2026-05-01T10:00Z"], "not allowed with"),
    ],
)
def test_bad_arguments_fail_in_one_line_before_any_call(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert says in err
    assert one_line(err)


def test_a_stack_without_the_outputs_is_a_usage_error(cli: Cli) -> None:
    stack = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}, "Outputs": {"Other": {"Value": "x"}}}
    cli.admin(cli.org.automation, "cloudformation").create_stack(StackName="other", TemplateBody=json.dumps(stack))
    result = cli("--stack-name", "other", "report")
    assert result.code == 2
    assert "stack other in us-east-1 lacks the outputs CentralEventBusArn" in result.err
    assert "--stack-name" in result.err
    assert one_line(result.err)


def test_a_missing_stack_names_the_call_and_what_to_pass(cli: Cli) -> None:
    result = cli("doctor", "--stack-name", "nope")
    assert result.code == 2
    assert result.err.startswith("wa-share doctor: cloudformation:DescribeStacks: no stack nope in us-east-1")
    assert one_line(result.err)


def test_an_aws_error_names_the_call_and_resource_and_debug_shows_the_traceback(cli: Cli) -> None:
    # The archive is gone: StartReplay fails in AWS, not in the arguments.
    cli.admin(cli.org.automation, "events").delete_archive(ArchiveName=cli.deployment.archive_arn.rsplit("/", 1)[1])
    result = cli("replay", "--since", "1h", "--force")
    assert result.code == 1
    assert f"events:StartReplay on archive {cli.deployment.archive_arn} failed: ValidationException" in result.err
    assert one_line(result.err)
    debug = cli("replay", "--since", "1h", "--force", "--debug")
    assert debug.code == 1
    assert "Traceback" in debug.err


def test_the_stack_name_comes_from_the_environment_then_samconfig(tmp_path: Path) -> None:
    assert default_stack_name({"WA_SHARE_STACK": "from-env"}, cwd=tmp_path) == "from-env"
    (tmp_path / "samconfig.toml").write_text('version = 0.1\n[default.deploy.parameters]\nstack_name = "from-sam"\n')
    assert default_stack_name({}, cwd=tmp_path) == "from-sam"
    (tmp_path / "samconfig.toml").write_text("not toml [")
    checkout = _samconfig_stack_name(repo_root() / "samconfig.toml")  # the checkout's own, if it has one
    assert default_stack_name({}, cwd=tmp_path) == (checkout or "wa-share")


def test_the_outputs_the_cli_reads_are_the_templates() -> None:
    outputs = load_template(repo_root() / "template.yaml")["Outputs"]
    assert set(REQUIRED_OUTPUTS) <= set(outputs)


@pytest.mark.parametrize(
    ("argv", "names"),
    [
        (["sweep", "--region", "us-east-1"], "pass --wa-region REGION"),
        (["report", "--region", "us-east-1", "--all"], "pass --wa-region REGION"),
        (["redrive", "--from", "sweep-dlq"], "wa-share redrive sweep-dlq"),
        (["redrive", "--from", "share-failures", "--force"], "wa-share redrive share-failures"),
        (["sandbox", "--json"], "--output json"),
        (["member-parameters", "roles", "--format", "overrides"], "--output (json or overrides)"),
    ],
)
def test_an_old_spelling_is_a_usage_error_naming_the_new_one(
    argv: list[str], names: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Never a silent new meaning: `sweep --region` once chose Well-Architected regions, and now would not."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert names in err
    assert one_line(err)


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    actions = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
    return {name: sub for action in actions for name, sub in action.choices.items()}


def _leaves(parser: argparse.ArgumentParser, path: str = "") -> dict[str, argparse.ArgumentParser]:
    children = _subcommands(parser)
    if not children:
        return {path: parser}
    return {leaf: sub for name, child in children.items() for leaf, sub in _leaves(child, f"{path} {name}").items()}


def _option(parser: argparse.ArgumentParser, flag: str) -> argparse.Action | None:
    return next((action for action in parser._actions if flag in action.option_strings), None)


def test_every_command_has_one_output_option_and_one_meaning_per_flag() -> None:
    """--output everywhere (json among its formats); --region the stack's region wherever it is accepted;
    Well-Architected regions only as --wa-region; --account only ever an account ID."""
    leaves = _leaves(build_parser())
    assert {name.strip() for name in leaves} >= {"doctor", "report", "sweep", "probe", "replay", "sandbox"}
    assert {"redrive sweep-dlq", "redrive share-failures"} <= {name.strip() for name in leaves}
    for name, parser in leaves.items():
        output = _option(parser, "--output")
        assert output is not None, name
        assert "json" in (output.choices or ()), name
        region = _option(parser, "--region")
        if region is not None and region.help != argparse.SUPPRESS:
            assert (region.type, region.dest) == (aws_region, "region"), name
        wa = _option(parser, "--wa-region")
        assert wa is None or (wa.type is wa_region and wa.dest == "wa_regions"), name
        account = _option(parser, "--account")
        assert account is None or account.type is account_id, name
    for name in ("report", "sweep", "doctor"):
        assert _option(leaves[f" {name}"], "--wa-region") is not None
        assert _option(leaves[f" {name}"], "--account") is not None
