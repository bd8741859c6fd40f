"""SQS plumbing for redrive: receive with a hold, delete and release in batches, every call classified.

A received message stays invisible for the hold; deleting is the only way it leaves the queue, and that
happens only once its content is safe elsewhere. Anything not deleted is released (made visible again)
before the run ends, so a rerun sees it at once; if the run dies, the hold expires and SQS brings it back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wa_share.aws.access import AwsError, aws_call

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

BATCH = 10  # the most SQS receives, sends or deletes in one call
MAX_HOLD_SECONDS = 43200  # SQS's ceiling for a visibility timeout


@dataclass(frozen=True)
class Message:
    message_id: str
    receipt: str
    body: str
    attributes: dict[str, Any] = field(default_factory=dict)  # message attributes, as SendMessage takes them


@dataclass(frozen=True)
class Kept:
    """A message left where it is, and why; `deliberate` when that is the policy rather than a problem."""

    message_id: str
    reason: str
    deliberate: bool = False


def receive(sqs: SQSClient, queue_url: str, *, hold_seconds: int, wait_seconds: int) -> list[Message]:
    with aws_call("sqs:ReceiveMessage", queue_url):
        response = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=BATCH,
            VisibilityTimeout=min(hold_seconds, MAX_HOLD_SECONDS),
            WaitTimeSeconds=wait_seconds,
            MessageAttributeNames=["All"],
        )
    return [
        Message(item["MessageId"], item["ReceiptHandle"], item["Body"], dict(item.get("MessageAttributes", {})))
        for item in response.get("Messages", [])
    ]


def send(sqs: SQSClient, queue_url: str, messages: Sequence[Message], *, drop: frozenset[str]) -> set[str]:
    """SendMessageBatch; returns the IDs (of the source messages) that SQS accepted."""
    entries: list[Any] = []
    for index, message in enumerate(messages):
        entry: dict[str, Any] = {"Id": str(index), "MessageBody": message.body}
        attributes = {name: _sendable(value) for name, value in message.attributes.items() if name not in drop}
        if attributes:
            entry["MessageAttributes"] = attributes
        entries.append(entry)
    with aws_call("sqs:SendMessageBatch", queue_url):
        response = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
    return {messages[int(ok["Id"])].message_id for ok in response.get("Successful", [])}


def _sendable(value: dict[str, Any]) -> dict[str, Any]:
    return {key: value[key] for key in ("DataType", "StringValue", "BinaryValue") if key in value}


def delete(sqs: SQSClient, queue_url: str, messages: Sequence[Message]) -> set[str]:
    """DeleteMessageBatch; returns the IDs deleted. A failed delete leaves a copy behind, never a loss."""
    deleted: set[str] = set()
    for start in range(0, len(messages), BATCH):
        chunk = messages[start : start + BATCH]
        entries: list[Any] = [{"Id": str(index), "ReceiptHandle": item.receipt} for index, item in enumerate(chunk)]
        with aws_call("sqs:DeleteMessageBatch", queue_url):
            response = sqs.delete_message_batch(QueueUrl=queue_url, Entries=entries)
        deleted |= {chunk[int(ok["Id"])].message_id for ok in response.get("Successful", [])}
    return deleted


def release(sqs: SQSClient, queue_url: str, messages: Sequence[Message]) -> None:
    """Make held messages visible again now; best effort (if it fails, the hold simply runs out)."""
    for start in range(0, len(messages), BATCH):
        chunk = messages[start : start + BATCH]
        entries: list[Any] = [
            {"Id": str(index), "ReceiptHandle": item.receipt, "VisibilityTimeout": 0}
            for index, item in enumerate(chunk)
        ]
        try:
            with aws_call("sqs:ChangeMessageVisibilityBatch", queue_url):
                sqs.change_message_visibility_batch(QueueUrl=queue_url, Entries=entries)
        except AwsError:
            continue


def queue_arn(sqs: SQSClient, queue_url: str) -> str:
    with aws_call("sqs:GetQueueAttributes", queue_url):
        attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]
    return attributes["QueueArn"]


def depth(sqs: SQSClient, queue_url: str) -> tuple[int, int]:
    """(visible, in flight) messages, as SQS approximates them."""
    names: Any = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    with aws_call("sqs:GetQueueAttributes", queue_url):
        attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=names)["Attributes"]
    return int(attributes.get(names[0], 0)), int(attributes.get(names[1], 0))
