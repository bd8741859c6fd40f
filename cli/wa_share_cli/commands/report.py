"""`wa-share report`: is every workload visible to the reviews team? Totals, gaps, and what could not be seen."""

from __future__ import annotations

import argparse
from typing import Any

from rich.markup import escape

from wa_share.aws.regions import regions_wanted
from wa_share.rules.outsiders import Outsiders, organization_view
from wa_share.rules.sharing import SharePolicy
from wa_share_cli.commands import output
from wa_share_cli.commands.common import (
    ExitCode,
    add_deployment_arguments,
    add_output_argument,
    add_scope_arguments,
    connect,
)
from wa_share_cli.operations.report import Coverage, ShareState, scan
from wa_share_cli.operations.sweep import target_accounts

ROW_COLUMNS = ("account_id", "region", "workload_id", "workload_name", "principal", "state", "detail")
OUTSIDE_COLUMNS = ("account_id", "region", "workload_id", "shared_with", "permission", "status", "reason")
TOTAL_COLUMNS = ("account_id", "region", "workloads", *(state.value for state in ShareState))


def register(subcommands: Any) -> None:
    parser = subcommands.add_parser(
        "report",
        help="share state of every workload towards each reviews account, with totals",
        description="Every owned workload in every account (or --account) and region (or --region: here it "
        "selects Well-Architected regions; give the stack's region before the command).",
    )
    add_scope_arguments(parser)
    parser.add_argument("--fail-on-gap", action="store_true", help="exit 1 when any workload is not shared right")
    parser.add_argument("--all", action="store_true", help="table output: list every workload, not only the gaps")
    add_output_argument(parser)
    add_deployment_arguments(parser, region=False)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    context = connect(args)
    settings = context.outputs.settings()
    accounts = target_accounts(context.sessions, context.region, args.account)
    regions = regions_wanted(
        context.sessions, settings.home_region, chosen=args.wa_regions, configured=settings.wa_regions
    )
    with output.progress("report", total=len(accounts)) as ticker:
        coverage = scan(
            context.sessions,
            accounts,
            regions,
            settings.principals,
            SharePolicy.from_settings(settings),
            home_region=context.region,
            on_account=lambda _account: ticker.advance(),
            probes=settings.probes,
            outsiders=Outsiders(settings, organization_view(context.sessions)),
        )
    _show(args, coverage)
    if coverage.errors or (args.fail_on_gap and coverage.gaps):
        return ExitCode.FAILURE
    return ExitCode.OK


def _show(args: argparse.Namespace, coverage: Coverage) -> None:
    if args.output == "json":
        output.as_json(coverage.as_dict())
        return
    if args.output == "csv":
        rows: list[dict[str, Any]] = [row | {"state": str(row["state"])} for row in coverage.as_dict()["workloads"]]
        rows += [
            {"account_id": error.account_id, "region": error.region, "state": "error", "detail": error.message}
            for error in coverage.errors
        ]
        rows += [
            {"account_id": share.account_id, "region": share.region, "workload_id": share.workload_id}
            | {"principal": share.shared_with, "state": "outside organization", "detail": share.reason}
            for share in coverage.outside
        ]
        output.as_csv(ROW_COLUMNS, rows)
        return
    output.table("Share state per account and region", TOTAL_COLUMNS, coverage.totals())
    listed = coverage.rows if args.all else coverage.gaps
    if listed:
        title = "Every workload" if args.all else "Gaps: workloads the reviews team cannot see as it should"
        output.table(title, ROW_COLUMNS, [vars(row) | {"state": row.state.value} for row in listed])
    if coverage.outside:
        title = "Shared outside the organization (reported only: wa-share never deletes a share)"
        output.table(title, OUTSIDE_COLUMNS, [vars(share) for share in coverage.outside])
    console = output.stdout()
    for error in coverage.errors:
        where = f"{error.account_id} {error.region}".strip()
        console.print(f"[red]not scanned[/red] {where}: {escape(error.message)}")
    principals = ", ".join(coverage.principals)
    console.print(
        f"{len({(r.account_id, r.region, r.workload_id) for r in coverage.rows})} workload(s), "
        f"{len(coverage.gaps)} gap(s) towards {principals}; {len(coverage.outside)} share(s) outside the "
        f"organization; {len(coverage.errors)} scope(s) not scanned"
    )
