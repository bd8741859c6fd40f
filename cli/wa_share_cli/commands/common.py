"""Plumbing every command shares: deployment options, the operator's session, stack discovery, exit codes."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING, Any, cast

import botocore.session
from botocore.exceptions import ProfileNotFound

from wa_share.aws.access import AccountSession, Sessions
from wa_share_cli.commands.arguments import UsageError, account_id, aws_region, stack_name, wa_region
from wa_share_cli.operations.stack import STACK_ENV, StackOutputs, default_stack_name, discover

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient

OPERATOR_SESSION_NAME = "wa-share-operator"  # what CloudTrail shows for the member roles the CLI assumes


class ExitCode(IntEnum):
    OK = 0
    FAILURE = 1  # something failed, or a gap was found
    USAGE = 2


def add_deployment_arguments(parser: argparse.ArgumentParser, *, region: bool = True) -> None:
    """--stack-name/--region/--profile/--debug; SUPPRESS lets them go before or after the command."""
    parser.add_argument(
        "--stack-name",
        type=stack_name,
        default=argparse.SUPPRESS,
        help=f"the wa-share stack (default: ${STACK_ENV}, else samconfig.toml's stack_name, else wa-share)",
    )
    if region:
        parser.add_argument(
            "--region", type=aws_region, default=argparse.SUPPRESS, help="region of the stack (default: the profile's)"
        )
    parser.add_argument("--profile", default=argparse.SUPPRESS, help="AWS profile of the operator")
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks of AWS errors")


def add_scope_arguments(parser: argparse.ArgumentParser) -> None:
    """--account/--region to narrow a command to some accounts and Well-Architected regions."""
    parser.add_argument("--account", type=account_id, action="append", default=[], help="account ID (repeatable)")
    parser.add_argument(
        "--region",
        dest="wa_regions",
        metavar="REGION",
        type=wa_region,
        action="append",
        default=[],
        help="Well-Architected region (repeatable)",
    )


def add_output_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--output", choices=("table", "json", "csv"), default="table", help="table (default), json or csv"
    )


@dataclass
class Context:
    """One command's view of the deployment, through the operator's own credentials."""

    outputs: StackOutputs
    sessions: Sessions

    @property
    def region(self) -> str:
        return self.outputs.region

    @property
    def operator(self) -> AccountSession:
        return self.sessions.central


def operator_session(profile: str | None, region: str | None) -> tuple[botocore.session.Session, str]:
    try:
        session = botocore.session.Session(profile=profile)
        chosen = region or session.get_config_variable("region")
    except ProfileNotFound:
        raise UsageError(f"AWS profile {profile!r} is not configured: pass an existing --profile") from None
    if not chosen:
        raise UsageError("no AWS region: pass --region (the wa-share stack's region) or set AWS_REGION")
    return session, str(chosen)


def connect(args: argparse.Namespace) -> Context:
    """The operator's session (profile, environment, SSO: botocore's usual chain), then the stack's outputs."""
    base, region = operator_session(getattr(args, "profile", None), getattr(args, "region", None))
    stack_name = getattr(args, "stack_name", None) or default_stack_name()
    cloudformation = cast("CloudFormationClient", AccountSession("operator", base).client("cloudformation", region))
    outputs = discover(cloudformation, stack_name, region)
    sessions = Sessions(
        member_role_name=outputs["MemberRoleName"],
        home_region=region,
        central=base,
        session_name=OPERATOR_SESSION_NAME,
    )
    return Context(outputs, sessions)


def debug_enabled(args: Any) -> bool:
    return bool(getattr(args, "debug", False))
