"""One sweep queue message: parse it, sweep the account, and settle the message honestly.

Permanent faults (an invalid message, a member role that cannot be assumed) go to the dead-letter
queue at once, with their reason, instead of being retried in a loop. Transient faults fail the
message so that SQS retries it; its last try dead-letters it with the reason.
"""

from __future__ import annotations

from collections import Counter

from wa_share.acceptance import Acceptance
from wa_share.aws import AwsError, MemberRoleUnavailable, Sessions
from wa_share.coverage import ACCOUNTS_SWEPT_METRIC, Coverage, record_coverage, sweep_coverage, unswept_coverage
from wa_share.observability import count, logger, record_outcomes
from wa_share.queues import dead_letter
from wa_share.settings import Settings
from wa_share.sharing import Outcome
from wa_share.sweep import AccountSweep, sweep_account
from wa_share.sweep_acceptance import accept_pending_invitations
from wa_share.work_items import InvalidWorkItem, WorkItem, parse_work_item

MESSAGE_KEYS = ("sweep_id", "account_id")


class SweepIncomplete(RuntimeError):
    """Some regions or workloads failed transiently: the message goes back to the queue for a retry."""


def handle_work_message(body: str, receive_count: int, settings: Settings, sessions: Sessions) -> AccountSweep | None:
    # One invocation handles a batch: the previous message's keys must not label this one's log lines.
    logger.remove_keys(list(MESSAGE_KEYS))
    try:
        item = parse_work_item(body)
    except InvalidWorkItem as invalid:
        count("InvalidWorkItems")
        logger.error("invalid sweep work item", extra={"problems": invalid.problems})
        _dead_letter_or_raise(body, str(invalid), settings, sessions, invalid)
        return None
    logger.append_keys(sweep_id=item.sweep_id, account_id=item.account_id)
    try:
        sweep = sweep_account(item, settings, sessions)
    except AwsError as error:
        _account_failed(body, item, receive_count, error, settings=settings, sessions=sessions)
        return None
    _report(sweep, last_try=receive_count >= settings.sweep_max_receives)
    if not sweep.dry_run:
        _accept_invitations(sweep, settings, sessions)
    if sweep.retryable:
        _retry_or_dead_letter(body, receive_count, sweep.retry_reason(), settings, sessions)
    return sweep


def _account_failed(
    body: str, item: WorkItem, receive_count: int, error: AwsError, *, settings: Settings, sessions: Sessions
) -> None:
    count("SweepAccountsFailed")
    logger.error("sweep of account failed", extra={"error_code": error.code, "error": str(error)})
    permanent = isinstance(error, MemberRoleUnavailable) or not error.retryable
    if not item.dry_run and (permanent or receive_count >= settings.sweep_max_receives):
        reason = _unswept_reason(error)
        record_coverage(unswept_coverage(reason, item.account_id, error.code, str(error)))
    if permanent:
        _dead_letter_or_raise(body, str(error), settings, sessions, error)
        return
    _retry_or_dead_letter(body, receive_count, str(error), settings, sessions)


def _unswept_reason(error: AwsError) -> Coverage:
    if isinstance(error, MemberRoleUnavailable):
        return Coverage.ROLE_MISSING
    return Coverage.RETRIES_EXHAUSTED if error.retryable else Coverage.PERMANENT_FAILURE


def _report(sweep: AccountSweep, *, last_try: bool) -> None:
    counts = sweep.outcome_counts()
    record_outcomes(sweep.results, path="sweep")
    summary = sweep.summary()
    if not sweep.dry_run:
        # Shares the sweep had to create from nothing: each one is an event the real-time path missed.
        count("MissedByRealtime", counts[Outcome.CREATED])
    # Coverage once per account and night: not on a try that goes back to the queue (the retry reports it).
    if not sweep.dry_run and (last_try or not sweep.retryable):
        coverage = sweep_coverage(sweep, last_try=last_try)
        record_coverage(coverage)
        count(ACCOUNTS_SWEPT_METRIC)
        summary |= coverage.summary()
    count("SweepFailures", len(sweep.failures))
    logger.info("sweep summary", extra=summary)


def _accept_invitations(sweep: AccountSweep, settings: Settings, sessions: Sessions) -> None:
    """In a reviews account, accept what is still pending from the organization; report outsiders."""
    try:
        results = accept_pending_invitations(sweep.account_id, sweep.regions, settings, sessions)
    except AwsError as error:
        count("AcceptanceFailed")
        logger.warning("pending invitations not accepted", extra={"error": str(error)})
        return
    tally = Counter(result.outcome for result in results)
    count("InvitationsAccepted", tally[Acceptance.ACCEPTED])
    count("OutsideInvitationsReported", tally[Acceptance.OUTSIDER])
    count("AcceptanceFailed", tally[Acceptance.FAILED])
    for result in results:
        if result.outcome is not Acceptance.ACCEPTED:
            logger.warning(
                f"invitation {result.outcome}", extra={"workload_id": result.workload_id, "reason": result.reason}
            )


def _retry_or_dead_letter(body: str, receive_count: int, reason: str, settings: Settings, sessions: Sessions) -> None:
    if receive_count < settings.sweep_max_receives:
        raise SweepIncomplete(f"will retry (try {receive_count} of {settings.sweep_max_receives}): {reason}")
    _dead_letter_or_raise(body, f"gave up after {receive_count} tries: {reason}", settings, sessions, None)


def _dead_letter_or_raise(
    body: str, reason: str, settings: Settings, sessions: Sessions, error: Exception | None
) -> None:
    if settings.sweep_dlq_url is None:
        # Without a DLQ URL the queue's redrive policy is the only way to the DLQ: fail the message.
        raise error or SweepIncomplete(reason)
    dead_letter(sessions.central.sqs(settings.home_region), settings.sweep_dlq_url, body, reason=reason)
    count("DeadLettered")
    logger.warning("message dead-lettered", extra={"reason": reason})
