"""`wa-share redrive`: move failed work back to where it came from, never losing a message."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from rich.markup import escape

from wa_share_cli.commands import output
from wa_share_cli.commands.common import Context, ExitCode, add_deployment_arguments, connect
from wa_share_cli.operations.messages import Kept
from wa_share_cli.operations.redrive import redrive_queue
from wa_share_cli.operations.replay import ReplayStatus
from wa_share_cli.operations.share_failures import Target, redrive_share_failures

SOURCES = ("sweep-dlq", "share-failures")


def register(subcommands: Any) -> None:
    parser = subcommands.add_parser(
        "redrive",
        help="move the sweep DLQ or the share failures back to where they came from",
        description="sweep-dlq: dead-lettered accounts go back to the sweep queue (StartMessageMoveTask where "
        "SQS offers it). share-failures: each failed CreateWorkload event is replayed from the archive to the "
        "share rule; its record is deleted only once the replay completed.",
    )
    parser.add_argument("--from", dest="source", choices=SOURCES, required=True, help="which queue to redrive")
    parser.add_argument(
        "--include-invalid",
        action="store_true",
        help="share-failures: also redrive events the function rejected as invalid (after deploying a fix)",
    )
    parser.add_argument(
        "--force", action="store_true", help="share-failures: replay events still within the ingestion lag"
    )
    parser.add_argument(
        "--no-move-task", action="store_true", help="sweep-dlq: copy message by message even where SQS could move"
    )
    add_deployment_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    context = connect(args)
    if args.source == "sweep-dlq":
        return _sweep_dlq(context, use_move_task=not args.no_move_task)
    return _share_failures(context, include_invalid=args.include_invalid, force=args.force)


def _sweep_dlq(context: Context, *, use_move_task: bool) -> int:
    console = output.stdout()
    source, target = context.outputs["SweepDeadLetterQueueUrl"], context.outputs["SweepQueueUrl"]
    with output.progress("redrive sweep-dlq", total=None):
        result = redrive_queue(
            context.operator.sqs(context.region), source_url=source, target_url=target, use_move_task=use_move_task
        )
    if result.task_handle is not None:
        console.print(f"SQS is moving the messages of {source} to {target} (move task {result.task_handle})")
        return ExitCode.OK
    if result.copied_because:
        console.print(
            f"copying message by message ({escape(output.one_line(result.copied_because, 160))})", highlight=False
        )
    console.print(f"moved {result.moved} message(s) from {source} to {target}")
    for reason, count in result.reasons.most_common(5):
        console.print(f"  {count} had failed with: {escape(reason)}", highlight=False)
    if result.duplicated:
        console.print(f"  {result.duplicated} were sent but not deleted: they will be swept twice (harmless)")
    _print_kept(result.kept)
    if result.error:
        console.print(f"[red]stopped:[/red] {escape(output.one_line(result.error))}; the rest is still in {source}")
    return ExitCode.OK if result.ok else ExitCode.FAILURE


def _share_failures(context: Context, *, include_invalid: bool, force: bool) -> int:
    console, outputs = output.stdout(), context.outputs
    target = Target(
        archive_arn=outputs["CreateWorkloadArchiveArn"],
        bus_arn=outputs["CentralEventBusArn"],
        rule_arn=outputs["ShareRuleArn"],
        retention_days=outputs.retention_days,
    )
    with output.progress("redrive share-failures", total=1.0) as ticker:

        def show(status: ReplayStatus) -> None:
            ticker.update(completed=status.fraction, description=f"replay {status.name}: {status.state}")

        result = redrive_share_failures(
            context.operator.sqs(context.region),
            context.operator.events(context.region),
            queue_url=outputs["ShareFailureQueueUrl"],
            target=target,
            now=datetime.now(UTC),
            include_invalid=include_invalid,
            force=force,
            on_status=show,
        )
    for replay in result.replays:
        console.print(f"replay {replay.name}: {replay.state}")
    console.print(f"redrove {result.moved} failed event(s) to the share rule through the archive")
    _print_kept(result.kept)
    if result.error:
        console.print(f"[red]stopped:[/red] {escape(output.one_line(result.error))}; the rest is still queued")
    return ExitCode.OK if result.ok else ExitCode.FAILURE


def _print_kept(kept: list[Kept]) -> None:
    console = output.stdout()
    for item in kept:
        console.print(f"  kept {item.message_id}: {escape(item.reason)}", highlight=False)
