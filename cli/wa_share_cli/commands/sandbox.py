"""`wa-share sandbox`: its arguments, and a lazy door to the simulator.

The simulator needs moto, which operators running wa-share against a real deployment do not install:
it ships as the `sandbox` extra. Only this command imports it, and only when it runs, so every other
command works with the package's declared dependencies alone.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from wa_share_cli.commands.common import ExitCode, add_output_argument, retire

SANDBOX_EXTRA_HINT = "wa-share sandbox needs the sandbox extra (moto): pip install '.[sandbox]' (from the checkout)"
# Top-level modules that only the sandbox extra brings; a missing one of these is an install problem.
SANDBOX_ONLY_MODULES = frozenset({"moto", "flask", "flask_cors", "werkzeug", "responses", "xmltodict"})


def register(subcommands: Any) -> None:
    parser = subcommands.add_parser(
        "sandbox",
        help="run wa-share end to end on a simulated organization (no AWS account needed)",
        description="The whole system on a simulated AWS Organization: real-time sharing, lost events, a "
        "missing role, throttling, the nightly sweep, an outage and its replay, then a coverage check. "
        "Flags override the scenario file's values. Needs the sandbox extra: pip install '.[sandbox]' "
        "(from the checkout).",
    )
    parser.add_argument("--scenario", type=Path, metavar="FILE", help="YAML or JSON: accounts, regions, faults…")
    parser.add_argument("--accounts", type=int, metavar="N", help="member accounts (default 4)")
    parser.add_argument(
        "--regions", metavar="LIST", help="comma-separated (default us-east-1,eu-west-1,ap-southeast-2)"
    )
    parser.add_argument("--workloads", type=int, metavar="N", help="new workloads per account and region (default 2)")
    parser.add_argument("--drop-rate", type=float, metavar="R", help="share of CloudTrail events lost (default 0.1)")
    parser.add_argument("--throttle-rate", type=float, metavar="R", help="share of WA calls throttled (default 0.05)")
    parser.add_argument("--latency-ms", type=float, metavar="MS", help="added to every WA call (default 0)")
    parser.add_argument("--seed", type=int, help="seed of the simulated faults (default 7)")
    parser.add_argument(
        "--member-path",
        choices=("stacksets", "option-b", "plain-stacks"),
        help="how the member side is deployed: the central stack's StackSets (option A, default), StackSets "
        "made with `wa-share member-parameters` (option B), or plain stacks everywhere",
    )
    add_output_argument(parser, ("table", "json"))
    retire(parser, "--json", "is now --output json")
    parser.add_argument("--log-dir", type=Path, metavar="DIR", help="for the functions' logs (default: a temp dir)")
    parser.add_argument("--serve", action="store_true", help="then serve the organization on 127.0.0.1 until Ctrl-C")
    parser.add_argument("--port", type=int, default=0, help="port for --serve (default: any free port)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        from wa_share_sandbox.command import run as run_sandbox  # noqa: PLC0415 - the extra is optional
    except ModuleNotFoundError as missing:
        if (missing.name or "").split(".")[0] not in SANDBOX_ONLY_MODULES:
            raise
        sys.stderr.write(SANDBOX_EXTRA_HINT + "\n")
        return ExitCode.USAGE
    return run_sandbox(args)
