"""`wa-share replay`: send the archived CreateWorkload events of a window to the share function again."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from wa_share_cli.commands import output
from wa_share_cli.commands.arguments import UsageError, duration, timestamp
from wa_share_cli.commands.common import ExitCode, add_deployment_arguments, add_output_argument, connect
from wa_share_cli.operations.replay import ReplayStatus, check_window, follow_replay, start_replay


def register(subcommands: Any) -> None:
    parser = subcommands.add_parser(
        "replay",
        help="replay archived CreateWorkload events to the share function",
        description="Replay the archive onto the central bus, to the share rule alone (FilterArns). "
        "Give a window with --since or with --start and --end.",
    )
    window = parser.add_mutually_exclusive_group(required=True)
    window.add_argument("--since", type=duration, help="the window ending now, e.g. 2h, 90m, 3d")
    window.add_argument("--start", type=timestamp, help="window start, ISO 8601 (UTC unless a zone is given)")
    parser.add_argument("--end", type=timestamp, help="window end with --start (default: now)")
    parser.add_argument(
        "--force", action="store_true", help="replay even if the window ends within the archive's ingestion lag"
    )
    parser.add_argument("--wait", action="store_true", help="follow the replay until it ends and report its state")
    parser.add_argument("--name", help="replay name (default: a unique wa-share-replay-<time>-<random>)")
    add_output_argument(parser, ("table", "json"))
    add_deployment_arguments(parser)
    parser.set_defaults(run=run)


def window_of(args: argparse.Namespace, now: datetime) -> tuple[datetime, datetime]:
    if args.since is not None:
        if args.end is not None:
            raise UsageError("--end goes with --start: pass either --since or --start/--end")
        return now - args.since, now
    return args.start, args.end or now


def run(args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    start, end = window_of(args, now)
    context = connect(args)
    outputs = context.outputs
    check_window(start, end, now=now, retention_days=outputs.retention_days, force=args.force)
    events = context.operator.events(context.region)
    name = start_replay(
        events,
        archive_arn=outputs["CreateWorkloadArchiveArn"],
        bus_arn=outputs["CentralEventBusArn"],
        rule_arn=outputs["ShareRuleArn"],
        start=start,
        end=end,
        name=args.name,
    )
    started = {"replay": name, "start": _iso(start), "end": _iso(end), "rule": outputs["ShareRuleArn"]}
    if not args.wait:
        _show(args.output, started | {"state": "STARTING", "reason": None}, waited=False)
        return ExitCode.OK
    with output.progress(f"replay {name}", total=1.0) as ticker:

        def show(status: ReplayStatus) -> None:
            ticker.update(completed=status.fraction, description=f"replay {name}: {status.state}")

        final = follow_replay(events, name, on_status=show)
    _show(args.output, started | {"state": final.state, "reason": final.reason or None}, waited=True)
    return ExitCode.OK if final.state == "COMPLETED" else ExitCode.FAILURE


def _show(fmt: str, replay: dict[str, Any], *, waited: bool) -> None:
    if fmt == "json":
        output.as_json(replay)
        return
    console, name = output.stdout(), replay["replay"]
    console.print(f"replay {name} started: {replay['start']} .. {replay['end']} → share rule {replay['rule']}")
    if not waited:
        console.print(f"follow it with: wa-share replay … --wait, or aws events describe-replay --replay-name {name}")
        return
    reason = f" ({replay['reason']})" if replay["reason"] else ""
    console.print(f"replay {name} ended {replay['state']}{reason}")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
