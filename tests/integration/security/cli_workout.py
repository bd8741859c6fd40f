"""The operators' `wa-share` commands on the sandbox, as a dedicated operator role of the automation account.

The operator role is listed in the member stacks' OperatorPrincipalArns (so it may assume the member
roles, as `report`, `doctor` and `sweep --local` do) and reaches the CLI the ordinary way, through
environment variables. A trail that logs is created in one member account so that `doctor` reads a trail
status too. Commands that are not registered (yet) are skipped and reported as such.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import boto3

from wa_share_sandbox.organization import SimulatedOrganization

OPERATOR_ROLE = "wa-share-operator"
STACK = ("--stack-name", "wa-share", "--region", "us-east-1")
COMMANDS: tuple[tuple[str, ...], ...] = (
    ("doctor",),
    ("report", "--output", "json"),
    ("sweep", "--local", "--output", "json"),
    ("sweep", "--dry-run"),
    ("replay", "--since", "1h", "--force"),
    ("redrive", "sweep-dlq"),
    ("probe", "--timeout", "1", "--interval", "1"),  # nothing delivers the event here: exit 1, probe deleted
    ("member-parameters", "roles"),
)
# Operation modules whose long polls moto would wait out on an empty queue.
_POLLERS = ("wa_share_cli.operations.redrive", "wa_share_cli.operations.share_failures")


@dataclass
class CliRun:
    argv: tuple[str, ...]
    code: int | None  # None: the command is not registered
    out: str
    err: str


def operator_arn(org: SimulatedOrganization) -> str:
    return f"arn:aws:iam::{org.automation}:role/{OPERATOR_ROLE}"


def create_operator(org: SimulatedOrganization) -> dict[str, str]:
    """The operator role in the automation account (trusted by that account), and its credentials."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{org.automation}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    org.client(org.automation, "iam").create_role(RoleName=OPERATOR_ROLE, AssumeRolePolicyDocument=json.dumps(trust))
    return org.role_credentials(org.automation, OPERATOR_ROLE, "operator")


def create_logging_trail(org: SimulatedOrganization, account: str) -> None:
    bucket = f"trail-{account}"
    org.client(account, "s3").create_bucket(Bucket=bucket)
    cloudtrail = org.client(account, "cloudtrail")
    cloudtrail.create_trail(Name="org-trail", S3BucketName=bucket, IsMultiRegionTrail=True)
    cloudtrail.start_logging(Name="org-trail")


def registered_commands() -> set[str]:
    try:
        from wa_share_cli.main import build_parser
    except ImportError:  # the CLI is being written: nothing to run yet
        return set()
    parser = build_parser()
    choices: set[str] = set()
    for action in parser._actions:
        choices.update(getattr(action, "choices", None) or {})
    return choices


@contextlib.contextmanager
def _as_operator(credentials: dict[str, str]) -> Iterator[None]:
    variables = {
        "AWS_ACCESS_KEY_ID": credentials["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": credentials["aws_secret_access_key"],
        "AWS_SESSION_TOKEN": credentials["aws_session_token"],
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    saved = {name: os.environ.get(name) for name in [*variables, "WA_SHARE_STACK"]}
    os.environ.update(variables)
    os.environ.pop("WA_SHARE_STACK", None)
    polls = _short_polls()
    boto3.DEFAULT_SESSION = None
    try:
        yield
    finally:
        for module, value in polls:
            module.RECEIVE_WAIT_SECONDS = value
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _short_polls() -> list[tuple[Any, Any]]:
    saved = []
    for name in _POLLERS:
        with contextlib.suppress(ImportError):
            module: Any = importlib.import_module(name)
            saved.append((module, module.RECEIVE_WAIT_SECONDS))
            module.RECEIVE_WAIT_SECONDS = 0
    return saved


def run_commands(credentials: dict[str, str], commands: Sequence[tuple[str, ...]] = COMMANDS) -> list[CliRun]:
    known = registered_commands()
    runs = []
    with _as_operator(credentials):
        for argv in commands:
            if argv[0] not in known:
                runs.append(CliRun(argv, None, "", "not registered"))
                continue
            runs.append(_run(argv))
    return runs


def _run(argv: tuple[str, ...]) -> CliRun:
    from wa_share_cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([*STACK, *argv])
        except SystemExit as exit_:  # argparse's usage errors
            code = int(exit_.code or 0)
    return CliRun(argv, code, out.getvalue(), err.getvalue())
