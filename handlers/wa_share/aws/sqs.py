"""SQS, as this project uses it: failure records for the on-failure queue, work items for the sweep."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from wa_share.aws.access import aws_call

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

BATCH_SIZE = 10  # SendMessageBatch's maximum
MAX_REASON = 4096
# ShareFailureQueue's MaximumMessageSize in template.yaml (a test checks): SQS's ceiling, 1 MiB. A record is
# the event plus at most MAX_REASON characters of error and a few hundred bytes of context, so it fits
# unless the event itself comes within a few KiB of EventBridge's own 1 MiB limit; then see _shrunk.
MAX_RECORD_BYTES = 1_048_576
# What the envelope of an oversized event keeps: enough to find it in the archive (`wa-share redrive` and
# `replay` search it by time) and to recognise it.
_KEPT_ENVELOPE = ("version", "id", "detail-type", "source", "account", "time", "region", "replay-name")
_KEPT_CHARS = 256


def failure_record(
    event: Any,
    *,
    error_type: str,
    message: str,
    request_id: str,
    function_arn: str,
    condition: str = "RejectedInvalidInput",
    invoke_count: int = 1,
) -> dict[str, Any]:
    """A record shaped like Lambda's on-failure destination record (which this project used before the
    share queue), so one redrive reads every record ever written."""
    return {
        "version": "1.0",
        "timestamp": datetime.now(UTC).isoformat(),
        "requestContext": {
            "requestId": request_id,
            "functionArn": function_arn,
            "condition": condition,
            "approximateInvokeCount": invoke_count,
        },
        "requestPayload": event,
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": error_type},
        "responsePayload": {"errorType": error_type, "errorMessage": _bounded(message)},
    }


def _bounded(message: str) -> str:
    return message if len(message) <= MAX_REASON else f"{message[: MAX_REASON - 30]}… ({len(message)} characters)"


def send_record(sqs: SQSClient, queue_url: str, record: dict[str, Any]) -> str:
    """Send a failure record; one too large for the queue keeps the event's envelope and digest instead."""
    body = json.dumps(record, default=str)
    if len(body.encode()) > MAX_RECORD_BYTES:
        body = json.dumps(_shrunk(record, body), default=str)
    with aws_call("sqs:SendMessage", queue_url):
        response = sqs.send_message(QueueUrl=queue_url, MessageBody=body)
    return response["MessageId"]


def _shrunk(record: dict[str, Any], body: str) -> dict[str, Any]:
    """The record with the event cut to its envelope: every event that reaches the share function came
    through the share rule, whose pattern is the archive's, so the whole event stays in the archive."""
    event = record.get("requestPayload")
    payload = json.dumps(event, default=str).encode()
    envelope: dict[str, Any] = {}
    if isinstance(event, dict):
        envelope = {key: str(event[key])[:_KEPT_CHARS] for key in _KEPT_ENVELOPE if key in event}
        detail = event.get("detail")
        if isinstance(detail, dict) and "eventID" in detail:
            envelope["detail"] = {"eventID": str(detail["eventID"])[:_KEPT_CHARS]}
    truncated = {"bytes": len(payload), "sha256": hashlib.sha256(payload).hexdigest(), "recordBytes": len(body)}
    return record | {"requestPayload": envelope, "requestPayloadTruncated": truncated}


def dead_letter(sqs: SQSClient, queue_url: str, body: str, *, reason: str) -> None:
    """Keep a message whole on a dead-letter queue, with the reason it could not be processed."""
    with aws_call("sqs:SendMessage", queue_url):
        sqs.send_message(
            QueueUrl=queue_url,
            MessageBody=body,
            MessageAttributes={"wa_share_error": {"DataType": "String", "StringValue": reason[:MAX_REASON]}},
        )


def send_batches(sqs: SQSClient, queue_url: str, bodies: Sequence[str], *, attempts: int = 3) -> int:
    """SendMessageBatch in groups of ten; entries SQS reports as failed are sent again, then it raises."""
    sent = 0
    for start in range(0, len(bodies), BATCH_SIZE):
        pending = dict(enumerate(bodies[start : start + BATCH_SIZE]))
        for attempt in range(attempts):
            entries = [{"Id": str(index), "MessageBody": body} for index, body in pending.items()]
            with aws_call("sqs:SendMessageBatch", queue_url):
                response = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)  # type: ignore[arg-type]
            for ok in response.get("Successful", []):
                pending.pop(int(ok["Id"]), None)
            sent += len(entries) - len(pending)
            if not pending:
                break
            if attempt + 1 < attempts:
                time.sleep(0.2 * 2**attempt)
        if pending:
            failed = response.get("Failed", [])
            raise QueueSendError(f"SendMessageBatch to {queue_url} failed for {len(pending)} messages: {failed[:3]}")
    return sent


def queue_attributes(sqs: SQSClient, queue_url: str, names: Sequence[str]) -> dict[str, str]:
    attribute_names: Any = list(names)
    with aws_call("sqs:GetQueueAttributes", queue_url):
        answer = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=attribute_names)
    return {str(name): value for name, value in answer.get("Attributes", {}).items()}


def send_back(sqs: SQSClient, queue_url: str, body: str, *, delay_seconds: int, numbers: dict[str, int]) -> str:
    """A message's body sent again, delivered after `delay_seconds` (SQS allows up to 900), carrying
    `numbers` as Number message attributes; returns the new message's ID."""
    attributes = {name: {"DataType": "Number", "StringValue": str(value)} for name, value in numbers.items()}
    with aws_call("sqs:SendMessage", queue_url):
        response = sqs.send_message(
            QueueUrl=queue_url,
            MessageBody=body,
            DelaySeconds=delay_seconds,
            MessageAttributes=attributes,  # type: ignore[arg-type]
        )
    return response["MessageId"]


def delete_message(sqs: SQSClient, queue_url: str, receipt_handle: str) -> None:
    with aws_call("sqs:DeleteMessage", queue_url):
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=receipt_handle)


def change_visibility(sqs: SQSClient, queue_url: str, receipt_handle: str, seconds: int) -> None:
    with aws_call("sqs:ChangeMessageVisibility", queue_url):
        sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=seconds)


class QueueSendError(RuntimeError):
    """Some messages could not be enqueued even after retries."""
