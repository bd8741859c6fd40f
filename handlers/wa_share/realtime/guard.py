"""The share guard: each share event decided at once, one domain function per event kind.

- CreateWorkloadShare: a share outside the organization is flagged (outsiders.py).
- UpdateWorkloadShare: flagged likewise; and when the share may be a reviews principal's, the same
  decision as the sweep's (`sharing.reconcile_workload`, hence `decide`): a downgrade is updated back
  (PermissionDriftPolicy=enforce) or reported (report), a dead share stays dead unless ReshareStatuses
  says otherwise (a rejected share stays rejected by default).
- DeleteWorkloadShare: the record cannot say whose share it was (it is gone): the reviews principals'
  shares are decided as the sweep would, so a deleted reviews share is made again.
Calls made through the member role are wa-share's own (only the central functions and the operators may
assume it): they are recognised from the record's userIdentity and never restored, so a share the guard
makes, or a dead row it deletes before re-sharing, can never start a loop (their principal is still judged:
flagging writes nothing). A field the record leaves out
is found by listing the workload's shares, never guessed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from wa_share.aws.access import AwsError, ErrorKind, Sessions
from wa_share.aws.wellarchitected import Share, WellArchitected
from wa_share.followup.after_share import announcer_for, follow_up, read_workload_name
from wa_share.followup.announce import ExternalShareAnnouncement
from wa_share.observability import Metric, count, logger, record_outcomes, record_seconds
from wa_share.realtime.share_events import ShareChanged
from wa_share.rules.outsiders import (
    ExternalShare,
    Outsiders,
    organization_view,
    report_external,
)
from wa_share.rules.sharing import SharePolicy, ShareResult, besides_owner, reconcile_workload
from wa_share.runtime.deadline import ANNOUNCEMENT_CALLS, Deadline
from wa_share.settings import ShareFunctionSettings


@dataclass(frozen=True)
class GuardResult:
    event: ShareChanged
    own_call: bool = False
    external: list[ExternalShare] = field(default_factory=list)
    results: list[ShareResult] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, as Lambda returns it."""
        fields = asdict(self)
        when = self.event.event_time
        fields["event"]["event_time"] = when.isoformat() if when else None
        return {"status": "own call" if self.own_call else "done", **fields}


@dataclass
class _Guard:
    change: ShareChanged
    settings: ShareFunctionSettings
    sessions: Sessions
    deadline: Deadline
    clock: Callable[[], datetime]
    _wa: WellArchitected | None = None

    @property
    def wa(self) -> WellArchitected:
        """The owner's Well-Architected API, assumed only when a call is needed."""
        if self._wa is None:
            change = self.change
            client = self.sessions.member(change.account_id).wellarchitected(change.region)
            self._wa = WellArchitected(client, account_id=change.account_id, region=change.region)
        return self._wa


def guard_share_change(
    change: ShareChanged,
    settings: ShareFunctionSettings,
    sessions: Sessions,
    deadline: Deadline | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> GuardResult:
    """Decide one share event; raises (for Lambda to retry) on a real failure."""
    logger.append_keys(
        event_id=change.event_id,
        event_name=change.event_name,
        account_id=change.account_id,
        region=change.region,
        workload_id=change.workload_id,
        replay_name=change.replay_name,
    )
    guard = _Guard(change, settings, sessions, deadline or Deadline(), clock)
    try:
        if change.caller_role == settings.member_role_name:
            return _own_call(guard)
        return _BY_EVENT[change.event_name](guard)
    except AwsError as error:
        if not error.throttled:  # a throttle is deferred by the queue, and counted there
            count(Metric.FAILED)
            logger.error("share guard failed", extra={"error_code": error.code, "error": str(error)})
        sessions.drop_if_expired(change.account_id, error)
        raise


def _own_call(guard: _Guard) -> GuardResult:
    """wa-share's own share call: never restored (no loop). Its principal is still judged when the record
    names it, at no call for a reviews principal: an account's administrator could assume the member role."""
    change = guard.change
    logger.info("own share call: nothing to restore", extra={"caller": change.caller_arn})
    count(Metric.OWN_SHARE_EVENTS)
    external = _flag(guard) if change.shared_with is not None else []
    return GuardResult(change, own_call=True, external=external)


def share_created(guard: _Guard) -> GuardResult:
    return GuardResult(guard.change, external=_flag(guard))


def share_updated(guard: _Guard) -> GuardResult:
    external = _flag(guard)
    principal = guard.change.shared_with
    reviews = principal is None or principal in guard.settings.principals
    return GuardResult(guard.change, external=external, results=_restore(guard) if reviews else [])


def share_deleted(guard: _Guard) -> GuardResult:
    return GuardResult(guard.change, results=_restore(guard))


_BY_EVENT: dict[str, Callable[[_Guard], GuardResult]] = {
    "CreateWorkloadShare": share_created,
    "UpdateWorkloadShare": share_updated,
    "DeleteWorkloadShare": share_deleted,
}


def _flag(guard: _Guard) -> list[ExternalShare]:
    change = guard.change
    outsiders = Outsiders(guard.settings, organization_view(guard.sessions))
    if change.shared_with is not None:
        reason = outsiders.reason(change.shared_with)
        found = [] if reason is None else [_external(change, change.shared_with, reason)]
    else:  # the record does not say with whom: the share list does
        rows = [row for row in _listed(guard) if change.share_id in (None, row.share_id)]
        found = outsiders.among(change.account_id, change.region, change.workload_id, rows)
        found = [replace(item, shared_by=change.caller_arn) for item in found]
    replayed = change.replay_name is not None  # a replay shows the share again: logged, not alarmed again
    for external in found:
        report_external(external, found_by="replay" if replayed else "realtime")
        count(Metric.EXTERNAL_SHARES_LISTED if replayed else Metric.EXTERNAL_SHARES_FLAGGED)
        if not replayed:
            _announce(guard, external)
    return found


def _external(change: ShareChanged, principal: str, reason: str) -> ExternalShare:
    return ExternalShare(
        change.account_id,
        change.region,
        change.workload_id,
        change.share_id,
        principal,
        change.permission,
        None,
        change.caller_arn,
        reason,
    )


def _listed(guard: _Guard) -> list[Share]:
    try:
        return guard.wa.list_shares(guard.change.workload_id)
    except AwsError as error:
        if error.kind is ErrorKind.NOT_FOUND:  # the workload is gone, and its shares with it
            return []
        raise


def _announce(guard: _Guard, external: ExternalShare) -> None:
    announcer = announcer_for(guard.settings, guard.sessions)
    if not announcer.enabled:
        return
    if not guard.deadline.fits(ANNOUNCEMENT_CALLS):
        count(Metric.ANNOUNCEMENTS_FAILED)
        logger.warning("announcement skipped: too little time left; the flag stands in the log")
        return
    name = read_workload_name(guard.wa, external.workload_id)
    announcer.announce(ExternalShareAnnouncement(**asdict(external) | {"workload_name": name}))


def _restore(guard: _Guard) -> list[ShareResult]:
    change, settings = guard.change, guard.settings
    principals = besides_owner(change.account_id, settings.principals)
    if not settings.realtime_restore or not principals:
        logger.info("restore left to the sweep", extra={"realtime_restore": settings.realtime_restore})
        return []
    policy = SharePolicy.from_settings(settings)
    # The event's ID is the epoch: its retries and replays are one attempt; a later delete is a new one.
    results = reconcile_workload(guard.wa, change.workload_id, principals, policy, epoch=change.event_id)
    record_outcomes(results, path="replay" if change.replay_name else "realtime")
    restored = [result for result in results if result.outcome.is_change]
    count(Metric.SHARES_RESTORED, len(restored))
    if restored and change.replay_name is None:
        record_seconds(Metric.RESTORE_LATENCY, change.event_time, guard.clock())
    for result in results:
        logger.info(
            "share decided",
            extra={"outcome": result.outcome.value, "principal": result.principal, "reason": result.reason},
        )
    found_by = "replay" if change.replay_name else "realtime"
    follow_up(results, guard.wa, found_by=found_by, settings=settings, sessions=guard.sessions, deadline=guard.deadline)
    return results
