"""`wa-share sweep`: sweep chosen accounts and regions now, through the deployed worker or in-process."""

from __future__ import annotations

import argparse
from typing import Any

from rich.markup import escape

from wa_share.sweep.account import AccountSweep
from wa_share.sweep.work_items import work_items_for
from wa_share_cli.commands import output
from wa_share_cli.commands.common import (
    ExitCode,
    add_deployment_arguments,
    add_output_argument,
    add_scope_arguments,
    connect,
)
from wa_share_cli.operations.sweep import (
    AccountFailure,
    enqueue,
    new_sweep_id,
    summary_of,
    sweep_locally,
    target_accounts,
)

COLUMNS = (
    "account_id",
    "regions",
    "workloads_seen",
    "created",
    "reshared",
    "updated",
    "already_shared",
    "reported",
    "skipped",
    "failed",
)


def register(subcommands: Any) -> None:
    parser = subcommands.add_parser(
        "sweep",
        help="sweep accounts now (queue work for the deployed worker, or --local)",
        description="Without --account every active account of the organization is swept. Here --region "
        "selects Well-Architected regions; give the stack's region before the command: "
        "wa-share --region eu-west-1 sweep --region us-east-1.",
    )
    add_scope_arguments(parser)
    parser.add_argument("--dry-run", action="store_true", help="report what would be shared, change nothing")
    parser.add_argument(
        "--local", action="store_true", help="run the sweep here with your credentials (assumes the member roles)"
    )
    add_output_argument(parser)
    add_deployment_arguments(parser, region=False)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    context = connect(args)
    accounts = target_accounts(context.sessions, context.region, args.account)
    sweep_id = new_sweep_id()
    items = work_items_for(accounts, sweep_id=sweep_id, regions=args.wa_regions, dry_run=args.dry_run)
    if not args.local:
        queue = context.outputs["SweepQueueUrl"]
        sent = enqueue(context.sessions, context.region, queue, items)
        mode = " (dry run: the worker will report, not share)" if args.dry_run else ""
        output.stdout().print(f"sweep {sweep_id}: {sent} account(s) queued for the sweep worker on {queue}{mode}")
        return ExitCode.OK
    settings = context.outputs.settings()
    with output.progress(f"sweep {sweep_id}", total=len(items)) as ticker:
        results = sweep_locally(items, settings, context.sessions, on_done=lambda _result: ticker.advance())
    _show(args, sweep_id, results)
    failed = any(isinstance(result, AccountFailure) or result.failures for result in results)
    return ExitCode.FAILURE if failed else ExitCode.OK


def _show(args: argparse.Namespace, sweep_id: str, results: list[AccountSweep | AccountFailure]) -> None:
    rows = [summary_of(result) for result in results]
    if args.output == "json":
        output.as_json({"sweep_id": sweep_id, "accounts": rows})
        return
    if args.output == "csv":
        output.as_csv((*COLUMNS, "failures"), rows)
        return
    mode = " (dry run)" if args.dry_run else ""
    output.table(f"sweep {sweep_id}{mode}", COLUMNS, rows)
    console = output.stdout()
    for row in rows:
        failures = row.get("failures")
        for failure in failures if isinstance(failures, list) else []:
            console.print(f"[red]{row['account_id']}[/red]: {escape(str(failure))}", highlight=False)
