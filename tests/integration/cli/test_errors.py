"""What every command shares: finding the stack, one-line usage errors (exit 2), AWS errors (exit 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import Cli
from wa_share_cli.cfn_templates import load_template, repo_root
from wa_share_cli.main import main
from wa_share_cli.operations.stack import REQUIRED_OUTPUTS, _samconfig_stack_name, default_stack_name


def one_line(text: str) -> bool:
    return len(text.strip().splitlines()) == 1 and "Traceback" not in text


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["sweep", "--account", "12345"], "'12345' is not an AWS account ID: pass 12 digits"),
        (["report", "--region", "mars-east-1"], "'mars-east-1' is not a Well-Architected Tool region"),
        (["doctor", "--account", "abcdefghijkl"], "is not an AWS account ID"),
        (["replay", "--since", "2h", "--region", "moon-1"], "'moon-1' is not an AWS region"),
        (["redrive", "--from", "nowhere"], "invalid choice: 'nowhere'"),
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
