"""Redrive the sweep dead-letter queue into the sweep queue: StartMessageMoveTask, else a careful copy.

The fallback receives a batch, sends it to the target, and deletes from the source only what the target
accepted; the first failure stops the run and releases whatever is still held. A message is never lost:
at worst (a delete failing after its send succeeded) it is delivered twice, which the worker tolerates.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wa_share.aws.access import AwsError, aws_call
from wa_share.sweep.work_items import InvalidWorkItem, parse_work_item
from wa_share_cli.operations import messages
from wa_share_cli.operations.messages import Kept, Message

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

REASON_ATTRIBUTE = "wa_share_error"  # the worker's dead-letter reason: stale once the message is redriven
HOLD_SECONDS = 300
RECEIVE_WAIT_SECONDS = 2  # long polling asks every SQS server: an empty answer then means an empty queue


@dataclass
class RedriveResult:
    source: str
    target: str
    moved: int = 0
    kept: list[Kept] = field(default_factory=list)
    duplicated: int = 0  # sent, but the delete failed: the source still holds a copy
    error: str | None = None  # what stopped the run early
    task_handle: str | None = None  # set when SQS moves the messages itself (StartMessageMoveTask)
    copied_because: str = ""  # why the move task was not used
    reasons: Counter[str] = field(default_factory=Counter)  # why the moved messages had failed

    @property
    def ok(self) -> bool:
        return self.error is None and not self.kept


def start_move_task(sqs: SQSClient, source_arn: str, target_arn: str) -> tuple[str | None, str]:
    """Ask SQS to move the messages itself: (task handle, "") or (None, why not).

    Any refusal (not offered, as in moto; not allowed; failing) leads to the copy, which is always safe:
    nothing was started, and the copy deletes only what it has sent.
    """
    try:
        with aws_call("sqs:StartMessageMoveTask", source_arn):
            response = sqs.start_message_move_task(SourceArn=source_arn, DestinationArn=target_arn)
    except NotImplementedError:  # moto, in-process, raises this for actions it lacks
        return None, "sqs:StartMessageMoveTask is not offered here"
    except AwsError as error:
        return None, str(error)
    return response["TaskHandle"], ""


def redrive_queue(
    sqs: SQSClient,
    *,
    source_url: str,
    target_url: str,
    use_move_task: bool = True,
    limit: int | None = None,
) -> RedriveResult:
    """Move every message of the sweep DLQ to the sweep queue (work items only: others are kept, explained)."""
    result = RedriveResult(source_url, target_url)
    if use_move_task:
        source_arn, target_arn = messages.queue_arn(sqs, source_url), messages.queue_arn(sqs, target_url)
        result.task_handle, result.copied_because = start_move_task(sqs, source_arn, target_arn)
        if result.task_handle is not None:
            return result
    _copy_all(sqs, result, limit)
    return result


def _copy_all(sqs: SQSClient, result: RedriveResult, limit: int | None) -> None:
    seen: set[str] = set()
    held_back: list[Message] = []
    try:
        while limit is None or result.moved + len(result.kept) < limit:
            batch = [item for item in _receive(sqs, result.source) if item.message_id not in seen]
            if not batch:
                return
            seen |= {item.message_id for item in batch}
            movable = _triage(batch, result, held_back)
            if movable and not _move(sqs, result, movable):
                return
    finally:
        messages.release(sqs, result.source, held_back)


def _receive(sqs: SQSClient, queue_url: str) -> list[Message]:
    return messages.receive(sqs, queue_url, hold_seconds=HOLD_SECONDS, wait_seconds=RECEIVE_WAIT_SECONDS)


def _triage(batch: list[Message], result: RedriveResult, held_back: list[Message]) -> list[Message]:
    """Work items go back; anything else would only be dead-lettered again, so it stays, with the reason."""
    movable = []
    for item in batch:
        try:
            parse_work_item(item.body)
        except InvalidWorkItem as invalid:
            result.kept.append(Kept(item.message_id, f"not a sweep work item, the worker would refuse it: {invalid}"))
            held_back.append(item)
            continue
        movable.append(item)
    return movable


def _move(sqs: SQSClient, result: RedriveResult, batch: list[Message]) -> bool:
    """Send, then delete what was sent; False (and the rest released) on the first failure."""
    try:
        sent = messages.send(sqs, result.target, batch, drop=frozenset({REASON_ATTRIBUTE}))
    except AwsError as error:
        result.error = str(error)
        messages.release(sqs, result.source, batch)
        return False
    done = [item for item in batch if item.message_id in sent]
    unsent = [item for item in batch if item.message_id not in sent]
    deleted = _delete(sqs, result, done)
    result.moved += len(done)
    result.duplicated += len(done) - deleted
    result.reasons.update(_reason(item) for item in done)
    if unsent:
        result.error = f"sqs:SendMessageBatch on {result.target} refused {len(unsent)} message(s)"
        messages.release(sqs, result.source, unsent)
        return False
    return result.error is None


def _delete(sqs: SQSClient, result: RedriveResult, done: list[Message]) -> int:
    try:
        return len(messages.delete(sqs, result.source, done))
    except AwsError as error:
        result.error = f"{error} (the messages were sent: the source keeps a copy, delivered twice at worst)"
        return 0


def _reason(item: Message) -> str:
    value = item.attributes.get(REASON_ATTRIBUTE, {}).get("StringValue")
    return str(value)[:200] if value else "no reason recorded (dead-lettered by the queue's redrive policy)"
