"""The share queue's transport: each SQS record is one event from the central bus; the batch answers with
partial batch failures.

Why a queue (docs/bursts.md): the event source's MaximumConcurrency bounds the share function, so a burst
of hundreds of events in one account and region neither takes the account's Lambda concurrency nor meets
the Well-Architected API all at once. A throttled event is not a failure: it is sent back to the queue, to
be delivered after a backoff, and every other event of its account and region in the batch follows it
without a call. Other accounts' events in the batch go first, so a burst does not hold them up.

Sent back rather than left for a visibility change, because the copy carries what the event's earlier
receives leave to the next (message attributes): how many there were, and, while none of them may have
changed a share, when the first one was. Such an event may still take the one-call path
(`new_workload.is_fresh`): under a tight rate limit a burst drains at one call an event, not three.

A real failure is retried by the queue (a visibility change); on its last try, or once the event has been
received SHARE_MAX_RECEIVES times in all, it is written to the failure queue with its reason, in the record
shape `wa-share redrive` reads, and the alarm fires.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from wa_share.aws.access import AwsError, ThrottledBeforeChange
from wa_share.aws.sqs import change_visibility, delete_message, failure_record, send_back, send_record
from wa_share.observability import Metric, count, logger
from wa_share.runtime.deadline import SHARE_CALLS, Deadline

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

# Receives of one event, its sent-back copies' included, after which a throttled event is given up (over an
# hour of throttling: 100 x ~45 s). Equal to the share queue's maxReceiveCount (template.yaml; a test holds
# them equal), SQS's own fallback for a message whose invocations crash.
SHARE_MAX_RECEIVES = 100
# Seconds: a deferral's delay, from the first, doubling to the cap (jittered between half and all of it).
THROTTLE_BACKOFF = (2.0, 60.0)
RETRY_BACKOFF = (30.0, 300.0)  # a real failure: retried later, a few times, then recorded
# Tries of one message after which a real failure is recorded: a permanent error on the third (as Lambda's
# two async retries did), any other on the fifth.
PERMANENT_TRIES = 3
RETRY_TRIES = 5
# The message attributes a sent-back event carries (Number): the event's receives before this message, and,
# while none of them may have changed a share, its first receive (epoch milliseconds).
EARLIER_RECEIVES = "wa-share-earlier-receives"
UNTOUCHED_SINCE = "wa-share-untouched-since"
# Milliseconds: how long a copy's history can take when deferred SHARE_MAX_RECEIVES times by THROTTLE_BACKOFF's
# cap. An older one may not come straight from the function (a message moved back from the failure queue keeps
# its attributes, not what its crashed receives did) and is trusted with nothing: at worst, a copy that also
# waited that long in a backlog takes the list-first path.
UNTOUCHED_HORIZON_MS = round(SHARE_MAX_RECEIVES * THROTTLE_BACKOFF[1] * 1000)
# One event in, with its first receive while no receive may have changed a share (None: one may have); its
# result out. Raises AwsError on an AWS failure, ThrottledBeforeChange for a throttle that changed nothing.
Handle = Callable[[Any, datetime | None], Any]


@dataclass(frozen=True)
class QueuedEvent:
    message_id: str
    receipt_handle: str
    body: str
    receive_count: int  # this message's (SQS's ApproximateReceiveCount)
    earlier_receives: int = 0  # the event's, before this message was sent back
    untouched_since: datetime | None = None  # its first receive, while no receive may have changed a share

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> QueuedEvent:
        attributes, carried = record.get("attributes", {}), record.get("messageAttributes") or {}
        receive_count = _number(attributes.get("ApproximateReceiveCount")) or 1
        # From the bus, a first receive is the event's first; a copy sent back says when that was, if nothing
        # changed since (a copy whose attributes cannot be read is trusted with nothing). A message received
        # before (its invocation crashed, or a real failure is retried) may have changed a share.
        sent_back = EARLIER_RECEIVES in carried
        received = _number(attributes.get("ApproximateFirstReceiveTimestamp"))
        since = _number(_string_value(carried, UNTOUCHED_SINCE)) if sent_back else received
        too_old = sent_back and (received is None or since is None or received - since > UNTOUCHED_HORIZON_MS)
        if receive_count != 1 or too_old:
            since = None
        earlier = _number(_string_value(carried, EARLIER_RECEIVES)) if sent_back else 0
        if earlier is None:
            logger.warning("unreadable receive count", extra={"message_id": record["messageId"]})
            since = None
        return cls(
            record["messageId"], record["receiptHandle"], record["body"], receive_count, earlier or 0, _moment(since)
        )

    @property
    def receives(self) -> int:
        return self.earlier_receives + self.receive_count

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
    """True when the record is settled (shared, rejected, sent back or recorded as failed); False to see it again."""
    pair = item.pair()
    if pair is not None and pair in throttled:
        return _defer(item, queue, reason="throttled earlier in this batch", untouched=True)
    if not time_left:
        return _defer(item, queue, reason="no time left in this invocation", untouched=True)
    try:
        handle(item.event(), item.untouched_since)
    except AwsError as error:
        if not error.throttled:
            return _retry_or_record(item, error, queue)
        throttled.add(pair)
        return _defer(item, queue, reason=str(error), untouched=isinstance(error, ThrottledBeforeChange))
    return True


def _defer(item: QueuedEvent, queue: ShareQueue, *, reason: str, untouched: bool) -> bool:
    """Sent back, delivered again after a jittered backoff that grows with its receives; `untouched`: this
    receive changed no share. If the copy cannot be sent, the original comes back after a visibility change."""
    if item.receives >= SHARE_MAX_RECEIVES:
        count(Metric.FAILED)
        return _give_up(item, queue, "Deferred", f"still deferred after {item.receives} receives: {reason}")
    count(Metric.SHARES_DEFERRED)
    seconds = _backoff(item.receives, THROTTLE_BACKOFF)
    history = {EARLIER_RECEIVES: item.receives}
    if untouched and item.untouched_since is not None:
        history[UNTOUCHED_SINCE] = round(item.untouched_since.timestamp() * 1000)
    try:
        copy = send_back(queue.sqs, queue.queue_url, item.body, delay_seconds=seconds, numbers=history)
    except AwsError as error:
        logger.warning("not sent back", extra={"message_id": item.message_id, "error": str(error)})
        _change_visibility(item, queue, seconds)
        return False
    kept = UNTOUCHED_SINCE in history
    extra = {"message_id": item.message_id, "copy": copy, "reason": reason, "seconds": seconds, "untouched": kept}
    logger.info("share deferred", extra=extra)
    _delete(item, queue)
    return True


def _retry_or_record(item: QueuedEvent, error: AwsError, queue: ShareQueue) -> bool:
    tries = RETRY_TRIES if error.retryable else PERMANENT_TRIES
    if item.receive_count < tries and item.receives < SHARE_MAX_RECEIVES:
        _change_visibility(item, queue, _backoff(item.receive_count, RETRY_BACKOFF))
        return False
    return _give_up(item, queue, type(error).__name__, str(error))


def _give_up(item: QueuedEvent, queue: ShareQueue, error_type: str, message: str) -> bool:
    """The event, whole, on the failure queue with its reason: the share-failures alarm fires."""
    record = failure_record(
        item.event(),
        error_type=error_type,
        message=message,
        request_id=queue.request_id,
        function_arn=queue.function_arn,
        condition="RetriesExhausted",
        invoke_count=item.receives,
    )
    send_record(queue.sqs, queue.failure_queue_url, record)
    logger.error("sharing given up", extra={"message_id": item.message_id, "receives": item.receives})
    return True


def _backoff(receives: int, backoff: tuple[float, float]) -> int:
    first, cap = backoff
    ceiling = min(cap, first * 2 ** (receives - 1))
    return round(random.uniform(ceiling / 2, ceiling))


def _delete(item: QueuedEvent, queue: ShareQueue) -> None:
    """The original, gone at once: should the invocation fail later, only its copy is delivered again."""
    try:
        delete_message(queue.sqs, queue.queue_url, item.receipt_handle)
    except AwsError as error:  # the event source deletes it when the batch returns
        logger.warning("original not deleted", extra={"message_id": item.message_id, "error": str(error)})


def _change_visibility(item: QueuedEvent, queue: ShareQueue, seconds: int) -> None:
    try:
        change_visibility(queue.sqs, queue.queue_url, item.receipt_handle, seconds)
    except AwsError as error:  # the queue's own visibility timeout applies instead: later, never lost
        logger.warning("visibility not changed", extra={"message_id": item.message_id, "error": str(error)})


def _string_value(attributes: Mapping[str, Any], name: str) -> Any:
    """A message attribute's value as the SQS event record spells it."""
    value = attributes.get(name)
    return value.get("stringValue") if isinstance(value, dict) else None


def _moment(epoch_ms: int | None) -> datetime | None:
    try:
        return datetime.fromtimestamp(epoch_ms / 1000, UTC) if epoch_ms is not None else None
    except (OverflowError, OSError, ValueError):  # past what a date can hold: not a time SQS or we wrote
        return None


def _number(text: Any) -> int | None:
    """A whole number SQS wrote, or None: an attribute that is missing or malformed is not trusted."""
    return int(text) if isinstance(text, str) and text.isascii() and text.isdecimal() else None
