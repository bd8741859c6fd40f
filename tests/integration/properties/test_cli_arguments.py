"""Property: whatever an operator types, `wa-share` answers with one line and exit code 2, or does the job.

Bulk (1,000 examples): the argument parser, generated from its own definition (cli_arguments.py). A bad
command line is refused in one line naming the problem, with exit code 2 and no AWS call; an accepted one
holds only valid values (checked against independent oracles). A smaller sample runs `main()` on an empty
sandbox: never a traceback, never an exception escaping, exit codes 0, 1 or 2 only.
"""

from __future__ import annotations

import argparse
import contextlib
import io
from datetime import timedelta
from typing import Any

import botocore.session
import pytest
from hypothesis import HealthCheck, given, settings

from tests.integration.properties import oracles
from tests.integration.properties.cli_arguments import cli_commands, command_lines
from tests.support.request_log import REQUESTS, install_request_log
from wa_share_cli.main import build_parser, main

PARSER = build_parser()
# Every command but `sandbox`, which runs a whole simulated organization.
OPERATOR_COMMANDS = sorted(name for name in cli_commands(PARSER) if name != "sandbox")
WA_REGIONS = frozenset(botocore.session.Session().get_available_regions("wellarchitected"))


def _parse(argv: list[str]) -> tuple[argparse.Namespace | None, int | None, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            return build_parser().parse_args(argv), None, err.getvalue()
        except SystemExit as exit_:
            return None, int(exit_.code or 0), err.getvalue()


def _one_line(message: str, argv: list[str]) -> bool:
    """One line, give or take the newlines the operator's own arguments brought in."""
    return message.endswith("\n") and message.count("\n") <= 1 + sum(arg.count("\n") for arg in argv)


def _accepted_values_are_valid(args: argparse.Namespace) -> None:
    for account in getattr(args, "account", None) or []:
        assert oracles.ACCOUNT.fullmatch(account), f"invalid account accepted: {account!r}"
    for region in (getattr(args, "wa_regions", None) or []) + [getattr(args, "region", None) or "us-east-1"]:
        assert region in WA_REGIONS or region.isascii(), f"invalid region accepted: {region!r}"
    since = getattr(args, "since", None)
    assert since is None or (isinstance(since, timedelta) and since > timedelta(0))
    for moment in (getattr(args, "start", None), getattr(args, "end", None)):
        assert moment is None or moment.tzinfo is not None


@settings(max_examples=1000, deadline=None)
@given(argv=command_lines(PARSER))
def test_a_command_line_is_refused_in_one_line_with_code_2_or_holds_only_valid_values(argv: list[str]) -> None:
    install_request_log()
    with REQUESTS.recording() as recording:
        args, code, err = _parse(argv)
    assert recording.requests == [], "parsing arguments called AWS"
    if args is None:
        assert code == 2, (code, err)
        assert _one_line(err, argv), err
        assert err.startswith("wa-share"), err
        assert "--help" in err, err
        return
    assert err == ""
    _accepted_values_are_valid(args)


@pytest.fixture
def empty_sandbox(moto_aws: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """Credentials that reach moto only, no wa-share stack, and no samconfig.toml to find one in."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WA_SHARE_STACK", raising=False)


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(argv=command_lines(PARSER, OPERATOR_COMMANDS))
def test_main_never_shows_a_traceback_and_exits_0_1_or_2(empty_sandbox: None, argv: list[str]) -> None:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exit_:  # argparse refused the command line
            code = int(exit_.code or 0)
    assert code in (0, 1, 2), (code, err.getvalue())
    assert "--debug" in argv or "Traceback" not in err.getvalue() + out.getvalue()
    if code == 2:
        assert _one_line(err.getvalue(), argv), err.getvalue()


def test_a_stack_name_with_a_control_character_is_refused_with_code_2(empty_sandbox: None) -> None:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(["--stack-name", "\x1f", "doctor"])
        except SystemExit as exit_:
            code = int(exit_.code or 0)
    assert code == 2, err.getvalue()
    assert _one_line(err.getvalue(), []), err.getvalue()
