"""`wa-share redrive sweep-dlq|share-failures`: move failed work back to where it came from, never losing a
message. One subcommand per source, each with only the flags that apply to it."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from rich.markup import escape

from wa_share_cli.commands import output
from wa_share_cli.commands.common import (
    Context,
    ExitCode,
    add_deployment_arguments,
    add_output_argument,
    connect,
    retire,
)
from wa_share_cli.operations.messages import Kept
from wa_share_cli.operations.redrive import RedriveResult, redrive_queue
from wa_share_cli.operations.replay import ReplayStatus
from wa_share_cli.operations.share_failures import ShareRedrive, Target, redrive_share_failures

FORMATS = ("table", "json")


def register(subcommands: Any) -> None:
    parser = subcommands.add_parser(
        "redrive",
        help="move the sweep DLQ or the share failures back to where they came from",
        description="sweep-dlq: dead-lettered accounts go back to the sweep queue. share-failures: each failed "
        "CreateWorkload event is replayed from the archive to the share rule.",
    )
    retire(parser, "--from", "is now a subcommand: wa-share redrive sweep-dlq, or wa-share redrive share-failures")
    sources = parser.add_subparsers(dest="source", required=True, metavar="SOURCE")
    sweep_dlq = sources.add_parser(
        "sweep-dlq",
        help="dead-lettered accounts back to the sweep queue",
        description="Moves the sweep dead-letter queue back to the sweep queue: StartMessageMoveTask where SQS "
        "offers it, else message by message (each deleted only once sent).",
    )
    sweep_dlq.add_argument(
        "--no-move-task", action="store_true", help="copy message by message even where SQS could move them"
    )
    share_failures = sources.add_parser(
        "share-failures",
        help="failed CreateWorkload events replayed from the archive to the share rule",
        description="Replays each failed CreateWorkload event from the archive to the share rule alone; its "
        "record is deleted only once the replay completed.",
    )
    share_failures.add_argument(
        "--include-invalid",
        action="store_true",
        help="also redrive events the function rejected as invalid (after deploying a fix)",
    )
    share_failures.add_argument("--force", action="store_true", help="replay events still within the ingestion lag")
    for source, run in ((sweep_dlq, _sweep_dlq), (share_failures, _share_failures)):
        add_output_argument(source, FORMATS)
        add_deployment_arguments(source)
        source.set_defaults(run=run)
    add_deployment_arguments(parser)


def _sweep_dlq(args: argparse.Namespace) -> int:
    context = connect(args)
    source, target = context.outputs["SweepDeadLetterQueueUrl"], context.outputs["SweepQueueUrl"]
    with output.progress("redrive sweep-dlq", total=None):
        result = redrive_queue(
            context.operator.sqs(context.region),
            source_url=source,
            target_url=target,
            use_move_task=not args.no_move_task,
        )
    return _finish(args.output, result.ok, lambda: _sweep_dlq_document(result), lambda: _print_sweep_dlq(result))


def _sweep_dlq_document(result: RedriveResult) -> dict[str, Any]:
    return {
        "source": result.source,
        "target": result.target,
        "move_task": result.task_handle,
        "copied_because": result.copied_because or None,
        "moved": result.moved,
        "duplicated": result.duplicated,
        "reasons": dict(result.reasons),
        "kept": [asdict(item) for item in result.kept],
        "error": result.error,
    }


def _print_sweep_dlq(result: RedriveResult) -> None:
    console, source, target = output.stdout(), result.source, result.target
    if result.task_handle is not None:
        console.print(f"SQS is moving the messages of {source} to {target} (move task {result.task_handle})")
        return
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


def _share_failures(args: argparse.Namespace) -> int:
    context: Context = connect(args)
    outputs = context.outputs
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
            include_invalid=args.include_invalid,
            force=args.force,
            on_status=show,
        )
    return _finish(
        args.output, result.ok, lambda: _share_failures_document(result), lambda: _print_share_failures(result)
    )


def _share_failures_document(result: ShareRedrive) -> dict[str, Any]:
    return {
        "replays": [asdict(replay) for replay in result.replays],
        "moved": result.moved,
        "kept": [asdict(item) for item in result.kept],
        "error": result.error,
    }


def _print_share_failures(result: ShareRedrive) -> None:
    console = output.stdout()
    for replay in result.replays:
        console.print(f"replay {replay.name}: {replay.state}")
    console.print(f"redrove {result.moved} failed event(s) to the share rule through the archive")
    _print_kept(result.kept)
    if result.error:
        console.print(f"[red]stopped:[/red] {escape(output.one_line(result.error))}; the rest is still queued")


def _finish(fmt: str, ok: bool, document: Callable[[], dict[str, Any]], show: Callable[[], None]) -> int:
    """Print the result as asked; exit 1 when a message was kept for a problem or the run stopped."""
    if fmt == "json":
        output.as_json(document())
    else:
        show()
    return ExitCode.OK if ok else ExitCode.FAILURE


def _print_kept(kept: list[Kept]) -> None:
    console = output.stdout()
    for item in kept:
        console.print(f"  kept {item.message_id}: {escape(item.reason)}", highlight=False)
