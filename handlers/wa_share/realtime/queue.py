"""The share queue's transport: each SQS record is one event from the central bus; the batch answers with
partial batch failures.

Why a queue (docs/bursts.md): the event source's MaximumConcurrency bounds the share
function, so a burst of hundreds of events in one account and region neither takes the account's Lambda
concurrency nor meets the Well-Architected API all at once. A throttled event is not a failure: it goes
back to the queue with a backoff (ChangeMessageVisibility), and every other event of its account and
region in the batch follows it without a call. Other accounts' events in the batch go first, so a burst
does not hold them up. A real failure is retried by the queue too; on its last receive (SHARE_MAX_RECEIVES,
the queue's maxReceiveCount) it is written to the failure queue with its reason, in
the record shape `wa-share redrive` reads, and the alarm fires.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wa_share.aws.access import AwsError
from wa_share.aws.sqs import change_visibility, failure_record, send_record
from wa_share.observability import Metric, count, logger
from wa_share.runtime.deadline import SHARE_CALLS, Deadline

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

# The share queue's maxReceiveCount (template.yaml; a test holds them equal): a hundred receives, because
# throttled deferrals count as receives and a burst defers an event many times.
SHARE_MAX_RECEIVES = 100
# Seconds: the first deferral's backoff and its cap (jittered between half and all of it). Not shorter: a
# deferred event takes the list-first path (wa_share/realtime/new_workload.py), and an attempt that lists,
# then meets the throttle on its create, spends the account's rate for nothing (`make bench` measured a 30 s
# cap 2.6x slower).
# SHARE_MAX_RECEIVES (100) x ~45 s: a throttle must last over an hour before an event is given up.
THROTTLE_BACKOFF = (2.0, 60.0)
RETRY_BACKOFF = (30.0, 300.0)  # a real failure: retried later, a few times, then recorded
# Receives after which a real failure is recorded (throttled deferrals count too: receives are all SQS keeps):
# a permanent error from the third on (as Lambda's two async retries did), any other from the fifth.
PERMANENT_TRIES = 3
RETRY_TRIES = 5
Handle = Callable[[Any], Any]  # one event in, its result out; raises AwsError on an AWS failure


@dataclass(frozen=True)
class QueuedEvent:
    message_id: str
    receipt_handle: str
    body: str
    receive_count: int

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> QueuedEvent:
        count_text = record.get("attributes", {}).get("ApproximateReceiveCount", "1")
        return cls(record["messageId"], record["receiptHandle"], record["body"], int(count_text or 1))

    def event(self) -> Any:
        """The event as the bus delivered it; a body that is not JSON is handed on as text (and rejected)."""
        try:
            return json.loads(self.body)
        except ValueError:
            return self.body

    def pair(self) -> tuple[str, str] | None:
        """(account, region) of the workload, read leniently: only to group and to follow a throttle."""
        event = self.event()
        detail = event.get("detail") if isinstance(event, dict) else None
        if not isinstance(detail, dict):
            return None
        account, region = detail.get("recipientAccountId"), detail.get("awsRegion")
        return (account, region) if isinstance(account, str) and isinstance(region, str) else None


@dataclass(frozen=True)
class ShareQueue:
    sqs: SQSClient
    queue_url: str
    failure_queue_url: str
    function_arn: str
    request_id: str


def share_batch(
    records: Sequence[dict[str, Any]], handle: Handle, queue: ShareQueue, deadline: Deadline
) -> dict[str, list[dict[str, str]]]:
    """Handle a batch of queued events; the answer lists the records SQS should deliver again."""
    queued = _in_fair_order([QueuedEvent.from_record(record) for record in records])
    throttled: set[tuple[str, str] | None] = set()
    failed = []
    for index, item in enumerate(queued):
        # The first record always runs (its worst case fits the timeout: the budget); later ones while theirs fits.
        time_left = index == 0 or deadline.fits(SHARE_CALLS)
        if not _one(item, handle, queue, time_left, throttled):
            failed.append(item.message_id)
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}


def _in_fair_order(queued: list[QueuedEvent]) -> list[QueuedEvent]:
    """The batch's smallest groups of one account and region first: a burst's events come last."""
    sizes = Counter(item.pair() for item in queued)
    return sorted(queued, key=lambda item: sizes[item.pair()])


def _one(
    item: QueuedEvent, handle: Handle, queue: ShareQueue, time_left: bool, throttled: set[tuple[str, str] | None]
) -> bool:
    """True when the record is settled (shared, rejected or recorded as failed); False to see it again."""
    pair = item.pair()
    if pair is not None and pair in throttled:
        return _defer(item, queue, reason="throttled earlier in this batch")
    if not time_left:
        return _defer(item, queue, reason="no time left in this invocation")
    try:
        handle(item.event())
    except AwsError as error:
        if error.throttled and item.receive_count < SHARE_MAX_RECEIVES:
            throttled.add(pair)
            return _defer(item, queue, reason=error.code)
        return _retry_or_record(item, error, queue)
    return True


def _defer(item: QueuedEvent, queue: ShareQueue, *, reason: str) -> bool:
    """Back to the queue, seen again after a jittered backoff that grows with its receives."""
    count(Metric.SHARES_DEFERRED)
    logger.info("share deferred", extra={"message_id": item.message_id, "reason": reason})
    _delay(item, queue, THROTTLE_BACKOFF)
    return False


def _retry_or_record(item: QueuedEvent, error: AwsError, queue: ShareQueue) -> bool:
    tries = RETRY_TRIES if error.retryable else PERMANENT_TRIES
    if error.throttled:  # throttled on the queue's last receive
        tries = SHARE_MAX_RECEIVES
    last = item.receive_count >= min(tries, SHARE_MAX_RECEIVES)
    if not last:
        _delay(item, queue, RETRY_BACKOFF)
        return False
    record = failure_record(
        item.event(),
        error_type=type(error).__name__,
        message=str(error),
        request_id=queue.request_id,
        function_arn=queue.function_arn,
        condition="RetriesExhausted",
        invoke_count=item.receive_count,
    )
    send_record(queue.sqs, queue.failure_queue_url, record)
    logger.error("sharing given up", extra={"message_id": item.message_id, "receives": item.receive_count})
    return True


def _delay(item: QueuedEvent, queue: ShareQueue, backoff: tuple[float, float]) -> None:
    first, cap = backoff
    ceiling = min(cap, first * 2 ** (item.receive_count - 1))
    seconds = round(random.uniform(ceiling / 2, ceiling))
    try:
        change_visibility(queue.sqs, queue.queue_url, item.receipt_handle, seconds)
    except AwsError as error:  # the queue's own visibility timeout applies instead: later, never lost
        logger.warning("visibility not changed", extra={"message_id": item.message_id, "error": str(error)})
