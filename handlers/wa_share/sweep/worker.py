"""One sweep queue message: parse it, sweep the account, and settle the message honestly.

Permanent faults (an invalid message, a member role that cannot be assumed) go to the dead-letter
queue at once, with their reason, instead of being retried in a loop. Transient faults fail the
message so that SQS retries it; its last try dead-letters it with the reason.

Time: an account not started before the invocation's deadline is handed back (a batch item failure,
reason logged); an account the deadline cuts short continues in a new work item holding the regions
left (and what is now known live), so an account of any size finishes, one invocation at a time.
"""

from __future__ import annotations

from collections import Counter

from wa_share.aws.access import AwsError, MemberRoleUnavailable, Sessions
from wa_share.aws.sqs import dead_letter, send_batches
from wa_share.followup.acceptance import Acceptance, accept_pending_invitations
from wa_share.observability import Metric, count, logger, record_outcomes
from wa_share.rules.sharing import UnitCoverage
from wa_share.runtime.deadline import NEVER, Deadline
from wa_share.settings import WorkerSettings
from wa_share.sweep.account import AccountSweep, sweep_account
from wa_share.sweep.coverage import record_coverage, sweep_coverage, unswept_coverage
from wa_share.sweep.forwarder_dead_letters import check_forwarder_queues
from wa_share.sweep.work_items import MAX_PARTS, InvalidWorkItem, WorkItem, bounded_slice, parse_work_item

# The sweep queue's maxReceiveCount (template.yaml; a test holds them equal): on the last try the worker
# dead-letters a message itself, with its reason. Five, as AWS advises for event sources (throttled
# deliveries count as receives).
SWEEP_MAX_RECEIVES = 5
MESSAGE_KEYS = ("sweep_id", "account_id")


class SweepIncomplete(RuntimeError):
    """Some regions or workloads failed transiently: the message goes back to the queue for a retry."""


class SweepDeferred(RuntimeError):
    """The invocation's deadline came before this account could start: it goes back to the queue."""


def handle_work_message(
    body: str, receive_count: int, settings: WorkerSettings, sessions: Sessions, deadline: Deadline = NEVER
) -> AccountSweep | None:
    # One invocation handles a batch: the previous message's keys must not label this one's log lines.
    logger.remove_keys(list(MESSAGE_KEYS))
    try:
        item = parse_work_item(body)
    except InvalidWorkItem as invalid:
        count(Metric.INVALID_WORK_ITEMS)
        logger.error("invalid sweep work item", extra={"problems": invalid.problems})
        _dead_letter(body, str(invalid), settings, sessions)
        return None
    logger.append_keys(sweep_id=item.sweep_id, account_id=item.account_id)
    if deadline.reached():
        _defer(body, receive_count, deadline, settings, sessions)
        return None
    try:
        sweep = sweep_account(item, settings, sessions, deadline)
    except AwsError as error:
        _account_failed(body, item, receive_count, error, settings=settings, sessions=sessions)
        return None
    _read_forwarder_queues(sweep, settings, sessions, deadline)
    _report(sweep, last_try=receive_count >= SWEEP_MAX_RECEIVES)
    if not sweep.dry_run:
        _accept_invitations(sweep, settings, sessions, deadline)
    if sweep.unfinished_regions:
        _continue(body, item, sweep, settings, sessions)
    elif sweep.retryable:
        _retry_or_dead_letter(body, receive_count, sweep.retry_reason(), settings, sessions)
    return sweep


def _read_forwarder_queues(
    sweep: AccountSweep, settings: WorkerSettings, sessions: Sessions, deadline: Deadline
) -> None:
    """Events this account's forwarders could not deliver (one metric, one central alarm): regions the sweep
    finished and was not denied in; a continuation reads the rest."""
    if deadline.reached():
        return
    skip = {*sweep.denied_regions, *sweep.unfinished_regions}
    regions = [region for region in sweep.regions if region not in skip]
    sweep.forwarders = check_forwarder_queues(
        sessions, sweep.account_id, regions, concurrency=settings.region_concurrency, dry_run=sweep.dry_run
    )


def _defer(body: str, receive_count: int, deadline: Deadline, settings: WorkerSettings, sessions: Sessions) -> None:
    reason = f"not started: {deadline.seconds_left()} s left in the invocation, {deadline.margin_ms / 1000:g} s kept"
    count(Metric.SWEEP_ACCOUNTS_DEFERRED)
    logger.warning("account handed back to the queue before the deadline", extra={"reason": reason})
    if receive_count >= SWEEP_MAX_RECEIVES:
        # On its last receive a failed message would be dead-lettered for want of time alone: queue it afresh.
        send_batches(sessions.central.sqs(settings.home_region), settings.sweep_queue_url, [body])
        return
    raise SweepDeferred(reason)


def _continue(body: str, item: WorkItem, sweep: AccountSweep, settings: WorkerSettings, sessions: Sessions) -> None:
    """Queue the rest of the account (unfinished regions, and those that failed transiently) as a new item."""
    retry = {failure.region for failure in sweep.failures if failure.retryable}
    regions = tuple(region for region in sweep.regions if region in retry or region in sweep.unfinished_regions)
    reason = f"{len(sweep.unfinished_regions)} regions unfinished at the deadline: {', '.join(regions)}"
    if item.part_number >= MAX_PARTS:
        _dead_letter(body, f"gave up after {MAX_PARTS} parts: {reason}", settings, sessions)
        return
    known = {region: item.known_live_in(region) | sweep.live_after.get(region, frozenset()) for region in regions}
    rest = WorkItem(
        account_id=item.account_id,
        sweep_id=item.sweep_id,
        dry_run=item.dry_run,
        regions=regions,
        known_live=bounded_slice(known) or None,
        part=item.part_number + 1,
    )
    send_batches(sessions.central.sqs(settings.home_region), settings.sweep_queue_url, [rest.to_message()])
    count(Metric.SWEEP_ACCOUNTS_SPLIT)
    logger.warning("account split: the rest continues in a new work item", extra={"reason": reason, "part": rest.part})


def _account_failed(
    body: str, item: WorkItem, receive_count: int, error: AwsError, *, settings: WorkerSettings, sessions: Sessions
) -> None:
    count(Metric.SWEEP_ACCOUNTS_FAILED)
    logger.error("sweep of account failed", extra={"error_code": error.code, "error": str(error)})
    permanent = isinstance(error, MemberRoleUnavailable) or not error.retryable
    if not item.dry_run and (permanent or receive_count >= SWEEP_MAX_RECEIVES):
        reason = _unswept_reason(error)
        record_coverage(unswept_coverage(reason, item.account_id, error.code, str(error)))
    if permanent:
        _dead_letter(body, str(error), settings, sessions)
        return
    _retry_or_dead_letter(body, receive_count, str(error), settings, sessions)


def _unswept_reason(error: AwsError) -> UnitCoverage:
    if isinstance(error, MemberRoleUnavailable):
        return UnitCoverage.ROLE_MISSING
    return UnitCoverage.RETRIES_EXHAUSTED if error.retryable else UnitCoverage.PERMANENT_FAILURE


def _report(sweep: AccountSweep, *, last_try: bool) -> None:
    record_outcomes(sweep.results, path="sweep")
    summary = sweep.summary()
    if not sweep.dry_run:
        # Shares the sweep created from nothing: events the real-time path missed (alarmed), apart from
        # workloads older than their forwarder (the backfill of an installation or a joining account).
        count(Metric.MISSED_BY_REALTIME, sweep.missed_by_realtime)
        count(Metric.SHARED_BEFORE_FORWARDER, sweep.shared_before_forwarder)
    # Coverage once per account and night: not on a try that goes back to the queue (the retry reports it).
    # A part cut short by the deadline reports the regions it finished; its continuation reports the rest.
    if not sweep.dry_run and (last_try or not sweep.retryable or sweep.unfinished_regions):
        coverage = sweep_coverage(sweep, last_try=last_try)
        record_coverage(coverage)
        if not sweep.unfinished_regions:
            count(Metric.SWEEP_ACCOUNTS_COMPLETED)
        summary |= coverage.summary()
    count(Metric.SWEEP_FAILURES, len(sweep.failures))
    count(Metric.REGIONS_SKIPPED_BY_POLICY, len(sweep.denied_regions))
    count(Metric.KNOWN_LIVE_WORKLOADS, sweep.known_live)
    logger.info("sweep summary", extra=summary)


def _accept_invitations(sweep: AccountSweep, settings: WorkerSettings, sessions: Sessions, deadline: Deadline) -> None:
    """In a reviews account, accept what is still pending from the organization; report outsiders."""
    if settings.acceptor_role_name is None or sweep.account_id not in settings.reviews_account_ids:
        return
    if deadline.reached():
        logger.info("pending invitations left to the next sweep: the deadline came first")
        return
    try:
        regions = [region for region in sweep.regions if region not in sweep.denied_regions]
        results = accept_pending_invitations(sweep.account_id, regions, settings, sessions)
    except AwsError as error:
        count(Metric.ACCEPTANCE_FAILED)
        logger.warning("pending invitations not accepted", extra={"error": str(error)})
        return
    tally = Counter(result.outcome for result in results)
    count(Metric.INVITATIONS_ACCEPTED, tally[Acceptance.ACCEPTED])
    count(Metric.OUTSIDE_INVITATIONS_REPORTED, tally[Acceptance.OUTSIDER])
    count(Metric.ACCEPTANCE_FAILED, tally[Acceptance.FAILED])
    for result in results:
        if result.outcome is not Acceptance.ACCEPTED:
            logger.warning(
                "invitation not accepted",
                extra={"outcome": result.outcome.value, "workload_id": result.workload_id, "reason": result.reason},
            )


def _retry_or_dead_letter(
    body: str, receive_count: int, reason: str, settings: WorkerSettings, sessions: Sessions
) -> None:
    if receive_count < SWEEP_MAX_RECEIVES:
        raise SweepIncomplete(f"will retry (try {receive_count} of {SWEEP_MAX_RECEIVES}): {reason}")
    _dead_letter(body, f"gave up after {receive_count} tries: {reason}", settings, sessions)


def _dead_letter(body: str, reason: str, settings: WorkerSettings, sessions: Sessions) -> None:
    dead_letter(sessions.central.sqs(settings.home_region), settings.sweep_dlq_url, body, reason=reason)
    count(Metric.DEAD_LETTERED)
    logger.warning("message dead-lettered", extra={"reason": reason})
