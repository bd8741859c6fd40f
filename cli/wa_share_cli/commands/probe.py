"""`wa-share probe`: prove the real-time path now; exit 0 when the probe was shared in time, 1 when not."""

from __future__ import annotations

import argparse
from typing import Any

from rich.markup import escape

from wa_share.aws.wellarchitected import WellArchitected
from wa_share.probe.run import WHAT_TO_CHECK
from wa_share.rules.sharing import besides_owner
from wa_share_cli.commands import output
from wa_share_cli.commands.arguments import UsageError
from wa_share_cli.commands.common import Context, ExitCode, add_deployment_arguments, add_output_argument, connect
from wa_share_cli.operations import probe as operation

MAX_TIMEOUT_SECONDS = 3600


def register(subcommands: Any) -> None:
    parser = subcommands.add_parser(
        "probe",
        help="create a probe workload, watch it get shared (and accepted), then delete it",
        description="Creates a probe workload with the stack's probe role (Probe=on-demand or scheduled) in the "
        "probe account and region, prints each hop it observes (created, shared, accepted where auto-accept "
        "is on) with its time, and deletes it. Exit 0 when shared within --timeout, 1 when not.",
    )
    parser.add_argument("--timeout", type=_seconds, default=120, help="seconds to wait for the share (default 120)")
    parser.add_argument("--interval", type=_seconds, default=2, help="seconds between polls (default 2)")
    add_output_argument(parser, ("table", "json"))
    add_deployment_arguments(parser)
    parser.set_defaults(run=run)


def _seconds(value: str) -> int:
    if not value.strip().isdigit() or not 1 <= int(value) <= MAX_TIMEOUT_SECONDS:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds between 1 and {MAX_TIMEOUT_SECONDS}")
    return int(value)


def run(args: argparse.Namespace) -> int:
    context = connect(args)
    settings = context.settings
    wa = _probe_api(context)
    principals = besides_owner(wa.account_id, settings.principals)
    accept = settings.acceptor_role_name is not None and not settings.share_with
    watch = operation.Watch(timeout=args.timeout, interval=args.interval, pause=operation.pause)
    with output.progress("waiting for the share", total=args.timeout) as ticker:
        watch.on_poll = lambda elapsed: ticker.update(completed=elapsed)
        report = operation.run_probe(wa, principals, accept_expected=accept, watch=watch)
    _show(args.output, report, args.timeout)
    return ExitCode.OK if report.shared else ExitCode.FAILURE


def _probe_api(context: Context) -> WellArchitected:
    role_arn = context.outputs.outputs.get("ProbeRoleArn")
    if not role_arn:
        raise UsageError(
            f"stack {context.outputs.stack_name} has no probe role: deploy it with Probe=on-demand or scheduled"
        )
    account, role_name = role_arn.split(":")[4], role_arn.rsplit("/", 1)[-1]
    region = context.outputs.outputs.get("ProbeRegion") or context.region
    session = context.sessions.member(account, role_name)
    return WellArchitected(session.wellarchitected(region), account_id=account, region=region)


def _show(fmt: str, report: operation.ProbeReport, timeout: int) -> None:
    if fmt == "json":
        output.as_json(report.as_dict())
        return
    console = output.stdout()
    console.print(f"probe {report.name} in {report.region}", highlight=False)
    for hop in report.hops:
        detail = f"  {escape(hop.detail)}" if hop.detail else ""
        line = f"  {hop.name:<9} {hop.at.strftime('%H:%M:%S')}  +{hop.seconds:6.1f}s{detail}"
        console.print(line, highlight=False, soft_wrap=True)
    if not report.shared:
        console.print(f"[red]not shared within {timeout}s[/red]: check {escape(WHAT_TO_CHECK)}")
    elif report.accept_expected and not report.reached("accepted"):
        console.print(f"[yellow]shared, not accepted within {timeout}s[/yellow]: the sweep accepts it later")
