"""`wa-share doctor`: check a deployment end to end and print the fix for every failure."""

from __future__ import annotations

import argparse
from typing import Any

from rich.markup import escape

from wa_share.aws.regions import regions_wanted
from wa_share_cli.commands import output
from wa_share_cli.commands.arguments import account_id
from wa_share_cli.commands.common import ExitCode, add_deployment_arguments, add_output_argument, connect
from wa_share_cli.operations.checks import Check, Verdict
from wa_share_cli.operations.doctor import diagnose
from wa_share_cli.operations.sweep import target_accounts

COLUMNS = ("verdict", "name", "scope", "detail", "fix")
_STYLE = {Verdict.OK: "green", Verdict.WARN: "yellow", Verdict.FAIL: "red"}


def register(subcommands: Any) -> None:
    parser = subcommands.add_parser(
        "doctor",
        help="check the deployment and say how to fix each failure",
        description="Checks the bus policy, the dead-letter queues, and in every account (or --account): the "
        "member role, a logging CloudTrail trail, and the forwarding rule in each Well-Architected region.",
    )
    parser.add_argument("--account", type=account_id, action="append", default=[], help="account ID (repeatable)")
    add_output_argument(parser)
    add_deployment_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    context = connect(args)
    settings = context.outputs.settings()
    accounts = target_accounts(context.sessions, context.region, args.account)
    regions = regions_wanted(context.sessions, settings.home_region, configured=settings.wa_regions)
    with output.progress("doctor", total=len(accounts)) as ticker:
        checks = diagnose(
            context.sessions, context.outputs, accounts, regions, on_account=lambda _account: ticker.advance()
        )
    _show(args.output, checks)
    return ExitCode.FAILURE if any(check.verdict is Verdict.FAIL for check in checks) else ExitCode.OK


def _show(fmt: str, checks: list[Check]) -> None:
    rows = [check.as_dict() for check in checks]
    if fmt == "json":
        output.as_json({"checks": rows, "failed": sum(check.verdict is Verdict.FAIL for check in checks)})
        return
    if fmt == "csv":
        output.as_csv(COLUMNS, rows)
        return
    console = output.stdout()
    for check in checks:
        style = _STYLE[check.verdict]
        line = f"[{style}]{check.verdict.value:>4}[/{style}]  {escape(check.name)} — {escape(check.scope)}"
        console.print(line + (f": {escape(check.detail)}" if check.detail else ""), highlight=False, soft_wrap=True)
        if check.fix:
            console.print(f"      fix: {escape(check.fix)}", highlight=False, soft_wrap=True)
    failed = sum(check.verdict is Verdict.FAIL for check in checks)
    warned = sum(check.verdict is Verdict.WARN for check in checks)
    console.print(f"{len(checks)} checks: {failed} failed, {warned} undecided")
