"""`wa-share sandbox`: the whole system on a simulated organization, no AWS account needed."""

from __future__ import annotations

import argparse
from typing import Any

from moto import mock_aws
from rich.console import Console
from rich.table import Table

from wa_share_cli.sandbox import wellarchitected_backend
from wa_share_cli.sandbox.deployment import deploy
from wa_share_cli.sandbox.iam_trust import install_trust_checks
from wa_share_cli.sandbox.organization import build_organization, create_workload
from wa_share_cli.sandbox.runner import FunctionRunner


def register(subcommands: Any) -> None:
    parser = subcommands.add_parser("sandbox", help="run wa-share end to end on a simulated organization")
    parser.add_argument("--accounts", type=int, default=4, help="member accounts (default 4)")
    parser.add_argument("--regions", default="us-east-1,eu-west-1,ap-southeast-2", help="comma-separated regions")
    parser.add_argument("--workloads", type=int, default=2, help="workloads per account and region (default 2)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    console = Console()
    regions = tuple(region.strip() for region in args.regions.split(",") if region.strip())
    wellarchitected_backend.install()
    with mock_aws():
        org = build_organization(members=args.accounts)
        deployment = deploy(org, regions)
        install_trust_checks()
        runner = FunctionRunner(deployment)
        for account in org.members:
            for region in regions:
                for index in range(args.workloads):
                    create_workload(org, account, region, f"app-{index:02d}")
        invocations = runner.deliver_share_events()
    table = Table(title="Real-time path: CreateWorkload → member rule → central bus → share function")
    for column in ("account", "region", "workload", "outcome", "AWS calls"):
        table.add_column(column)
    for invocation in invocations:
        event, results = invocation.result["event"], invocation.result["results"]
        outcome = ", ".join(result["outcome"] for result in results)
        table.add_row(event["account_id"], event["region"], event["workload_id"], outcome, str(invocation.calls))
    console.print(table)
    shared = sum(1 for invocation in invocations if invocation.error is None)
    console.print(f"{shared} of {len(invocations)} workloads shared with reviews account {org.reviews}")
    return 0 if shared == len(invocations) == args.accounts * len(regions) * args.workloads else 1
