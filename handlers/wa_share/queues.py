"""SQS, as this project uses it: failure records for the on-failure queue, work items for the sweep."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from wa_share.aws import aws_call

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

BATCH_SIZE = 10  # SendMessageBatch's maximum
MAX_REASON = 4096


def failure_record(event: Any, *, error_type: str, message: str, request_id: str, function_arn: str) -> dict[str, Any]:
    """A record shaped like Lambda's own on-failure destination record, so one redrive handles both."""
    return {
        "version": "1.0",
        "timestamp": datetime.now(UTC).isoformat(),
        "requestContext": {
            "requestId": request_id,
            "functionArn": function_arn,
            "condition": "RejectedInvalidInput",
            "approximateInvokeCount": 1,
        },
        "requestPayload": event,
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": error_type},
        "responsePayload": {"errorType": error_type, "errorMessage": message},
    }


def send_record(sqs: SQSClient, queue_url: str, record: dict[str, Any]) -> str:
    with aws_call("sqs:SendMessage", queue_url):
        response = sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(record, default=str))
    return response["MessageId"]


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


class QueueSendError(RuntimeError):
    """Some messages could not be enqueued even after retries."""
