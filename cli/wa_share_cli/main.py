"""wa-share: the operators' command line. Each subcommand lives in its own module with `register()`.

Exit codes: 0 success, 1 a failure or a gap found, 2 a usage error. Errors are one line; AWS errors name
the call and the resource, and show a traceback only with --debug.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from botocore.exceptions import BotoCoreError, NoCredentialsError, NoRegionError

from wa_share.aws.access import AwsError
from wa_share_cli.commands import doctor, member_parameters, probe, redrive, replay, report, sandbox, sweep
from wa_share_cli.commands.arguments import CliParser, UsageError
from wa_share_cli.commands.common import ExitCode, add_deployment_arguments, debug_enabled
from wa_share_cli.commands.output import one_line
from wa_share_cli.operations.replay import ReplayTimeout, ReplayWindowError
from wa_share_cli.operations.stack import StackError

COMMANDS = (replay, sweep, redrive, report, doctor, member_parameters, probe, sandbox)
USAGE_ERRORS = (UsageError, StackError, ReplayWindowError)


def build_parser() -> argparse.ArgumentParser:
    parser = CliParser(
        prog="wa-share",
        description="Operate wa-share: every Well-Architected workload shared with the reviews team.",
        epilog="Exit codes: 0 success, 1 failure or gap found, 2 usage error.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {installed_version()}")
    add_deployment_arguments(parser)
    subcommands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.register(subcommands)
    return parser


def installed_version() -> str:
    try:
        return version("wa-share")
    except PackageNotFoundError:  # run from a checkout without installing it
        return "unknown (not installed)"


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as done:  # --help, or a usage error already reported in one line
        return int(done.code or 0)
    try:
        return int(args.run(args))
    except USAGE_ERRORS as error:
        return _fail(args, f"wa-share {args.command}: {error}", ExitCode.USAGE, show_trace=False)
    except (NoCredentialsError, NoRegionError) as error:
        return _fail(args, f"wa-share {args.command}: {error}: configure credentials or pass --profile/--region", 2)
    except (AwsError, ReplayTimeout, BotoCoreError) as error:
        return _fail(args, f"wa-share {args.command}: {error}", ExitCode.FAILURE, show_trace=debug_enabled(args))
    except KeyboardInterrupt:
        return _fail(args, f"wa-share {args.command}: interrupted", 130)


def _fail(args: argparse.Namespace, message: str, code: int, *, show_trace: bool = False) -> int:
    if show_trace:
        traceback.print_exc()
    elif not debug_enabled(args) and code == ExitCode.FAILURE:
        message += " (--debug shows the traceback)"
    sys.stderr.write(one_line(message, limit=1000) + "\n")
    return code


if __name__ == "__main__":
    sys.exit(main())
