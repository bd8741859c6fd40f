"""The real-time path: one CreateWorkload event becomes one share per reviews account (or organization/OU)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from wa_share.aws.access import AwsError, Sessions, ThrottledBeforeChange
from wa_share.aws.sqs import failure_record, send_record
from wa_share.aws.wellarchitected import WellArchitected
from wa_share.followup.acceptance import AcceptResult
from wa_share.followup.after_share import follow_up, read_workload_name
from wa_share.observability import Metric, SharePath, count, logger, record_latency, record_outcomes
from wa_share.probe.run import probe_name_shared, record_probe_shared
from wa_share.realtime.events import InvalidEvent, WorkloadCreated
from wa_share.rules.sharing import (
    SharePolicy,
    ShareResult,
    besides_owner,
    owner_skipped,
    reconcile_workload,
    share_new_workload,
)
from wa_share.runtime.deadline import Deadline
from wa_share.settings import ShareFunctionSettings

# An event first received later than this after its creation may be a second delivery of an event already
# acted on (the bus delivers at least once; replay and redrive put events again) and takes the list-first path.
# A wrong guess costs a call, never a second share.
FRESH_EVENT_SECONDS = 60
Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def is_fresh(created: WorkloadCreated, untouched_since: datetime | None) -> bool:
    """The one-call path: an event that no receive may have acted on yet (`untouched_since`, its first receive;
    None when one may have), first received seconds after its creation, so its workload has no share history."""
    if created.replay_name is not None or created.event_time is None or untouched_since is None:
        return False
    return (untouched_since - created.event_time).total_seconds() <= FRESH_EVENT_SECONDS


@dataclass(frozen=True)
class RealtimeResult:
    event: WorkloadCreated
    results: list[ShareResult]
    acceptances: list[AcceptResult] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, as Lambda returns it."""
        fields = asdict(self)
        when = self.event.event_time
        fields["event"]["event_time"] = when.isoformat() if when else None
        return {"status": "done", **fields}


def share_created_workload(
    created: WorkloadCreated,
    settings: ShareFunctionSettings,
    sessions: Sessions,
    deadline: Deadline | None = None,
    clock: Clock | None = None,
    *,
    untouched_since: datetime | None,
) -> RealtimeResult:
    """Share a new workload with every reviews account (`untouched_since`: see `is_fresh`); raises on an AWS
    failure, ThrottledBeforeChange when throttled before any share may have changed."""
    clock = clock or _utc_now  # looked up at call time: the sandbox's simulated scenarios set it
    logger.append_keys(
        event_id=created.event_id,
        account_id=created.account_id,
        region=created.region,
        workload_id=created.workload_id,
        replay_name=created.replay_name,
    )
    try:
        results, wa = _share(created, settings, sessions, fresh=is_fresh(created, untouched_since))
    except AwsError as error:
        if not error.throttled:  # a throttle is deferred by the queue, and counted there
            count(Metric.FAILED)
            logger.error(
                "sharing failed", extra={"error_code": error.code, "error_kind": error.kind, "error": str(error)}
            )
        sessions.drop_if_expired(created.account_id, error)
        raise
    found_by: SharePath = "replay" if created.replay_name else "realtime"
    if wa is None:
        _record(created, results, None, settings, found_by, now=clock())
        return RealtimeResult(created, results)
    name = _probe_account_name(created, wa, settings)
    is_probe = _record(created, results, name, settings, found_by, now=clock())
    acceptances = follow_up(
        results,
        wa,
        found_by=found_by,
        settings=settings,
        sessions=sessions,
        workload_name=name,
        announce=not is_probe,
        deadline=deadline,
    )
    return RealtimeResult(created, results, acceptances)


def _probe_account_name(created: WorkloadCreated, wa: WellArchitected, settings: ShareFunctionSettings) -> str | None:
    """In the probe account only, the workload's name (one GetWorkload) tells a probe from a workload; a
    name that cannot be read is "" (logged and counted there), and the shares made stand."""
    if not settings.probes.may_own_probes(created.account_id):
        return None
    return read_workload_name(wa, created.workload_id)


def _record(
    created: WorkloadCreated,
    results: list[ShareResult],
    name: str | None,
    settings: ShareFunctionSettings,
    found_by: SharePath,
    *,
    now: datetime,
) -> bool:
    """Metrics and log lines of the outcome; True for a probe, which is not an organization workload: its
    latency is recorded instead, and it is not announced."""
    probe = probe_name_shared(created.account_id, name, settings.probes)
    if probe is not None:
        record_probe_shared(probe, results, now)
    else:
        record_outcomes(results, path=found_by)
        if found_by == "realtime" and any(result.outcome.is_change for result in results):
            record_latency(created.event_time, now)
    for result in results:
        logger.info(
            "share decided",
            extra={"outcome": result.outcome.value, "principal": result.principal, "reason": result.reason},
        )
    return probe is not None


def _share(
    created: WorkloadCreated, settings: ShareFunctionSettings, sessions: Sessions, *, fresh: bool
) -> tuple[list[ShareResult], WellArchitected | None]:
    owner = created.account_id
    others = besides_owner(owner, settings.principals)
    skipped = owner_skipped(created.workload_id, owner, settings.principals)
    if not others:  # no share to make, so no role to assume in that account
        return skipped, None
    policy = SharePolicy.from_settings(settings)
    # The event's ID is the epoch: its retries, duplicates and replays are one attempt to share (share_rows.py).
    share = share_new_workload if fresh else reconcile_workload
    logger.append_keys(fresh=fresh)
    wa: WellArchitected | None = None
    try:
        wa = WellArchitected(
            sessions.member(owner).wellarchitected(created.region), account_id=owner, region=created.region
        )
        return skipped + share(wa, created.workload_id, others, policy, epoch=created.event_id), wa
    except AwsError as error:
        if error.throttled and not (wa and wa.shares_touched):
            raise ThrottledBeforeChange.of(error) from error
        raise


def reject_event(
    event: Any, invalid: InvalidEvent, settings: ShareFunctionSettings, sessions: Sessions, context: Any
) -> None:
    """Keep an invalid event, whole, on the on-failure queue, once: retrying cannot make it valid."""
    count(Metric.FAILED)
    count(Metric.INVALID_EVENTS)
    logger.error("invalid event rejected", extra={"event_id": invalid.event_id, "problems": invalid.problems})
    record = failure_record(
        event,
        error_type=type(invalid).__name__,
        message=str(invalid),
        request_id=getattr(context, "aws_request_id", "unknown"),
        function_arn=getattr(context, "invoked_function_arn", "unknown"),
    )
    send_record(sessions.central.sqs(settings.home_region), settings.failure_queue_url, record)
