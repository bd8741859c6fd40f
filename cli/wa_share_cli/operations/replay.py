"""Replay the CreateWorkload archive onto the central bus, aimed at the share rule alone.

EventBridge replays only to the archive's own bus; `FilterArns` restricts delivery to the share rule, so
no other rule on the bus sees the events twice. The share function is idempotent, so replaying events
it already handled is harmless: they come back as `already_shared`.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from wa_share.aws.access import aws_call

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient as EventsClient
else:
    EventsClient = object

# AWS advises waiting before replaying: archiving can lag ~10 minutes behind the bus, and a replay of a
# window the archive has not caught up with silently misses the late events.
INGESTION_LAG = timedelta(minutes=10)
FINAL_STATES = frozenset({"COMPLETED", "CANCELLED", "FAILED"})
REPLAY_NAME = re.compile(r"^[.\-_A-Za-z0-9]{1,64}$")
NAME_PREFIX = "wa-share-replay"


class ReplayWindowError(ValueError):
    """The requested window cannot be replayed as asked; the message says what to do instead."""


class ReplayTimeout(TimeoutError):
    """The replay did not reach a final state in time; it goes on in AWS."""


@dataclass(frozen=True)
class ReplayStatus:
    name: str
    state: str
    reason: str
    fraction: float  # how far through the window the replay has got, 0..1

    @property
    def final(self) -> bool:
        return self.state in FINAL_STATES


def replay_name(now: datetime | None = None) -> str:
    """A unique name: the start time for people, a random suffix for uniqueness (StartReplay rejects reuse)."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"{NAME_PREFIX}-{stamp}-{uuid.uuid4().hex[:8]}"


def check_window(
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    retention_days: int,
    force: bool = False,
    ingestion_lag: timedelta = INGESTION_LAG,
) -> None:
    """Refuse a window the archive cannot serve: reversed, in the future, past retention, or (unless forced)
    ending inside the ingestion lag. Raises ReplayWindowError saying what to do."""
    _require_aware(start, end)
    if start >= end:
        raise ReplayWindowError(f"the start ({_iso(start)}) must be before the end ({_iso(end)})")
    if end > now:
        raise ReplayWindowError(f"the end ({_iso(end)}) is in the future: end the window at or before now")
    oldest = now - timedelta(days=retention_days)
    if start < oldest:
        raise ReplayWindowError(
            f"the archive keeps {retention_days} days of events: start the window at or after {_iso(oldest)}"
        )
    if not force and end > now - ingestion_lag:
        settled = end + ingestion_lag
        raise ReplayWindowError(
            f"the window ends within the archive's ingestion lag (~{int(ingestion_lag.total_seconds() // 60)} min), "
            f"so recent events may not be archived yet: retry after {_iso(settled)}, end earlier, or pass --force"
        )


def start_replay(
    events: EventsClient,
    *,
    archive_arn: str,
    bus_arn: str,
    rule_arn: str,
    start: datetime,
    end: datetime,
    name: str | None = None,
) -> str:
    """Start replaying [start, end) from the archive to the share rule on the bus; returns the replay name."""
    _require_aware(start, end)
    if start >= end:
        raise ReplayWindowError(f"the start ({_iso(start)}) must be before the end ({_iso(end)})")
    chosen = name or replay_name()
    if not REPLAY_NAME.match(chosen):
        raise ReplayWindowError(f"replay name {chosen!r} must be 1-64 characters of letters, digits, '.', '-', '_'")
    with aws_call("events:StartReplay", f"archive {archive_arn}"):
        events.start_replay(
            ReplayName=chosen,
            Description=f"wa-share replay {_iso(start)} .. {_iso(end)} to the share rule",
            EventSourceArn=archive_arn,
            EventStartTime=start,
            EventEndTime=end,
            Destination={"Arn": bus_arn, "FilterArns": [rule_arn]},
        )
    return chosen


def describe_replay(events: EventsClient, name: str) -> ReplayStatus:
    with aws_call("events:DescribeReplay", f"replay {name}"):
        replay = events.describe_replay(ReplayName=name)
    state = replay.get("State", "STARTING")
    return ReplayStatus(name, state, replay.get("StateReason", ""), _fraction(replay, state))


def _fraction(replay: object, state: str) -> float:
    if state == "COMPLETED":
        return 1.0
    if not isinstance(replay, dict):
        return 0.0
    start, end, last = (replay.get(key) for key in ("EventStartTime", "EventEndTime", "EventLastReplayedTime"))
    if not (isinstance(start, datetime) and isinstance(end, datetime) and isinstance(last, datetime)):
        return 0.0
    total = (end - start).total_seconds()
    return min(1.0, max(0.0, (last - start).total_seconds() / total)) if total > 0 else 0.0


def follow_replay(
    events: EventsClient,
    name: str,
    *,
    poll_seconds: float = 5.0,
    timeout_seconds: float = 3600,
    on_status: Callable[[ReplayStatus], None] | None = None,
) -> ReplayStatus:
    """Poll DescribeReplay until a final state; raises ReplayTimeout (the replay itself goes on)."""
    deadline = time.monotonic() + timeout_seconds
    while True:
        status = describe_replay(events, name)
        if on_status is not None:
            on_status(status)
        if status.final:
            return status
        if time.monotonic() >= deadline:
            raise ReplayTimeout(
                f"replay {name} is still {status.state} after {timeout_seconds:.0f} s; it goes on in AWS: "
                f"follow it with `aws events describe-replay --replay-name {name}`"
            )
        time.sleep(poll_seconds)


def wait_for_replay(
    events: EventsClient,
    name: str,
    *,
    poll_seconds: float = 5.0,
    timeout_seconds: float = 3600,
    on_progress: Callable[[str], None] | None = None,
) -> str:
    """Wait for the replay's final state (COMPLETED, CANCELLED or FAILED) and return it."""

    def report(status: ReplayStatus) -> None:
        if on_progress is not None:
            on_progress(status.state)

    return follow_replay(
        events, name, poll_seconds=poll_seconds, timeout_seconds=timeout_seconds, on_status=report
    ).state


def _require_aware(*moments: datetime) -> None:
    if any(moment.tzinfo is None for moment in moments):
        raise ReplayWindowError("times must carry a time zone (for example 2026-05-01T10:00Z)")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
