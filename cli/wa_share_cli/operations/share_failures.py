"""Redrive the share failure queue: each failed CreateWorkload event goes back through the central bus.

Why a replay and not PutEvents: EventBridge refuses PutEvents for sources that start with "aws."
(NotAuthorizedForSourceException), and a CreateWorkload event's source is aws.wellarchitected. Every
event on the central bus is in the archive, so replaying the minute around each failed event, to the share
rule alone, delivers it again exactly as it first came; other events of that minute come back as
`already_shared` (the function is idempotent). A record is deleted only once its replay COMPLETED.

Records come in two shapes with the same keys (wa_share/aws/sqs.py::failure_record): the function's own
`RetriesExhausted` records (and Lambda's on-failure destination records, before the share queue), and its
`RejectedInvalidInput` records. The latter are not redriven by default: the function judged the event itself
invalid, and sending it again gives the same answer. A bare event is the share queue's redrive policy at work
(the function crashed on the event's last receive): redriven like a record.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from wa_share.aws.access import AwsError
from wa_share_cli.operations import messages
from wa_share_cli.operations.messages import Kept, Message
from wa_share_cli.operations.replay import (
    INGESTION_LAG,
    ReplayStatus,
    ReplayTimeout,
    ReplayWindowError,
    follow_replay,
    start_replay,
)

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_sqs import SQSClient

INVALID_CONDITION = "RejectedInvalidInput"
MAX_RECORDS = 1000  # per run; the rest stay for the next
RECEIVE_WAIT_SECONDS = 2
REPLAY_TIMEOUT_SECONDS = 3600
MINUTE = timedelta(minutes=1)  # replays are sliced by minute
INVALID_KEPT = "invalid event, not redriven"


@dataclass(frozen=True)
class Target:
    archive_arn: str
    bus_arn: str
    rule_arn: str
    retention_days: int


@dataclass
class ShareRedrive:
    moved: int = 0
    kept: list[Kept] = field(default_factory=list)
    replays: list[ReplayStatus] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and all(item.deliberate for item in self.kept)


@dataclass
class _Run:
    sqs: SQSClient
    events: EventBridgeClient
    queue_url: str
    target: Target
    result: ShareRedrive
    poll_seconds: float
    on_status: Callable[[ReplayStatus], None] | None


@dataclass
class _Window:
    start: datetime
    end: datetime
    records: list[Message] = field(default_factory=list)


def redrive_share_failures(
    sqs: SQSClient,
    events: EventBridgeClient,
    *,
    queue_url: str,
    target: Target,
    now: datetime,
    include_invalid: bool = False,
    force: bool = False,
    poll_seconds: float = 5.0,
    on_status: Callable[[ReplayStatus], None] | None = None,
) -> ShareRedrive:
    result = ShareRedrive()
    run = _Run(sqs, events, queue_url, target, result, poll_seconds, on_status)
    held = _receive_all(sqs, queue_url)
    keep: list[Message] = []
    try:
        windows = _plan(held, result, keep, target=target, now=now, include_invalid=include_invalid, force=force)
        for index, window in enumerate(windows):
            if not _replay_window(run, window):
                keep.extend(record for later in windows[index:] for record in later.records)
                break
    finally:
        messages.release(sqs, queue_url, keep)
    return result


def _receive_all(sqs: SQSClient, queue_url: str) -> list[Message]:
    """Hold every record (up to MAX_RECORDS) for as long as the replays may take."""
    held: dict[str, Message] = {}
    hold = REPLAY_TIMEOUT_SECONDS * 2
    while len(held) < MAX_RECORDS:
        batch = messages.receive(sqs, queue_url, hold_seconds=hold, wait_seconds=RECEIVE_WAIT_SECONDS)
        fresh = [item for item in batch if item.message_id not in held]
        if not fresh:
            break
        held |= {item.message_id: item for item in fresh}
    return list(held.values())


def _plan(
    held: list[Message],
    result: ShareRedrive,
    keep: list[Message],
    *,
    target: Target,
    now: datetime,
    include_invalid: bool,
    force: bool,
) -> list[_Window]:
    """One window per minute that holds failed events, adjacent minutes merged, oldest first."""
    windows: list[_Window] = []
    for record in sorted(held, key=lambda item: _event_time(item) or now):
        reason, moment = _judge(record, target=target, now=now, include_invalid=include_invalid, force=force)
        if reason is not None or moment is None:
            deliberate = (reason or "").startswith(INVALID_KEPT)
            result.kept.append(Kept(record.message_id, reason or "no event time", deliberate=deliberate))
            keep.append(record)
            continue
        start = moment.replace(second=0, microsecond=0)
        if windows and start <= windows[-1].end:
            windows[-1].end = max(windows[-1].end, min(start + MINUTE, now))
            windows[-1].records.append(record)
        else:
            windows.append(_Window(start, min(start + MINUTE, now), [record]))
    return windows


def _judge(
    record: Message, *, target: Target, now: datetime, include_invalid: bool, force: bool
) -> tuple[str | None, datetime | None]:
    """(why the record stays, or None) and the failed event's time."""
    parsed = _parse(record.body)
    if parsed is None:
        return "not a failure record (no requestPayload object): inspect it by hand", None
    condition = str(parsed.get("requestContext", {}).get("condition", ""))
    if condition == INVALID_CONDITION and not include_invalid:
        problem = str(parsed.get("responsePayload", {}).get("errorMessage", "invalid event"))[:300]
        return (
            f"{INVALID_KEPT}: the share function rejected it ({problem}); sending it again gives "
            "the same answer. After deploying a fix that accepts it, rerun with --include-invalid",
            None,
        )
    moment = _event_time(record)
    if moment is None:
        return "the failed event has no usable 'time': it cannot be found in the archive", None
    if moment < now - timedelta(days=target.retention_days):
        return (
            f"the event ({moment:%Y-%m-%dT%H:%MZ}) is older than the archive's {target.retention_days}-day "
            "retention; the nightly sweep covers its workload, then delete the record",
            None,
        )
    if not force and moment + MINUTE > now - INGESTION_LAG:
        return (
            f"the event is too recent for the archive (ingestion lag): rerun after {_settled(moment)}, or --force",
            None,
        )
    return None, moment


def _parse(body: str) -> dict[str, Any] | None:
    """The record; an event itself (SQS moved it there past the share queue's maxReceiveCount: the function
    crashed on its last receive) reads as a record of unknown condition around it."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    if isinstance(parsed, dict) and _is_event(parsed):
        return {"requestPayload": parsed, "requestContext": {"condition": "MovedByRedrivePolicy"}}
    if not isinstance(parsed, dict) or not isinstance(parsed.get("requestPayload"), dict):
        return None
    return parsed


def _is_event(parsed: dict[str, Any]) -> bool:
    return "requestPayload" not in parsed and isinstance(parsed.get("detail"), dict) and "source" in parsed


def _event_time(record: Message) -> datetime | None:
    parsed = _parse(record.body)
    raw = parsed["requestPayload"].get("time") if parsed else None
    if not isinstance(raw, str):
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _settled(moment: datetime) -> str:
    return f"{moment + MINUTE + INGESTION_LAG:%Y-%m-%dT%H:%MZ}"


def _replay_window(run: _Run, window: _Window) -> bool:
    """Replay one window; delete its records only once the replay COMPLETED."""
    events, target, result = run.events, run.target, run.result
    try:
        name = start_replay(
            events,
            archive_arn=target.archive_arn,
            bus_arn=target.bus_arn,
            rule_arn=target.rule_arn,
            start=window.start,
            end=window.end,
        )
        status = follow_replay(
            events, name, poll_seconds=run.poll_seconds, timeout_seconds=REPLAY_TIMEOUT_SECONDS, on_status=run.on_status
        )
    except (AwsError, ReplayTimeout, ReplayWindowError) as error:
        result.error = str(error)
        return False
    result.replays.append(status)
    if status.state != "COMPLETED":
        result.error = f"replay {name} ended {status.state} {status.reason}".strip()
        return False
    try:
        result.moved += len(messages.delete(run.sqs, run.queue_url, window.records))
    except AwsError as error:  # replayed already: a record left behind would only be replayed once more
        result.error = str(error)
        return False
    return True
