"""`wa-share member-parameters`: what a member template must be deployed with, ready for the aws CLI."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from wa_share_cli.commands.common import ExitCode, add_deployment_arguments, add_output_argument, connect, retire
from wa_share_cli.operations.member_parameters import (
    MEMBER_OUTPUTS,
    as_cloudformation_json,
    as_overrides,
    member_parameters,
)


def register(subcommands: Any) -> None:
    parser = subcommands.add_parser(
        "member-parameters",
        help="print the parameters of a member template, as the central stack needs them",
        description="Prints the parameters of member_stackset/roles.yaml or forwarder.yaml exactly as the central "
        "stack's own StackSets pass them (its MemberRolesParameters / MemberForwarderParameters outputs). "
        "json (default) is CloudFormation's parameter file: create-stack-set --parameters file://FILE, "
        "aws cloudformation deploy --parameter-overrides file://FILE. overrides: Key=Value words.",
    )
    parser.add_argument("template", choices=tuple(MEMBER_OUTPUTS), help="the member template: roles or forwarder")
    add_output_argument(parser, ("json", "overrides"))
    retire(parser, "--format", "is now --output (json or overrides)")
    add_deployment_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    values = member_parameters(connect(args).outputs, args.template)
    text = as_cloudformation_json(values) if args.output == "json" else as_overrides(values)
    sys.stdout.write(text + "\n")
    return ExitCode.OK
