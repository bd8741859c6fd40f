"""What Lambda hands a function, shaped as Lambda shapes it: the context, a schedule rule's event and an SQS
record of a batch. The runner builds invocations from these; tests and the benchmark build events with them."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from wa_share_sandbox.clock import CLOCK
from wa_share_sandbox.organization import HOME_REGION

RemainingTime = Callable[[], int]


@dataclass
class LambdaContext:
    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int = 256
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    timeout_ms: int = 900_000  # the function's Timeout in template.yaml
    remaining: RemainingTime | None = None  # a test's own clock of the invocation's remaining time
    started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        if self.remaining is not None:
            return self.remaining()
        return max(0, self.timeout_ms - round((time.monotonic() - self.started) * 1000))


def scheduled_event(account: str, rule: str, at: datetime | None = None) -> dict[str, Any]:
    """What an EventBridge schedule rule in `account` sends its function at `at` (now by default)."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account,
        "time": (at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": HOME_REGION,
        "resources": [f"arn:aws:events:{HOME_REGION}:{account}:rule/{rule}"],
        "detail": {},
    }


def sqs_record(message: dict[str, Any], queue_url: str) -> dict[str, Any]:
    """One record of an SQS batch; a message not received from a queue (handed over directly) is received now."""
    attributes = message.get("Attributes", {})
    now = str(round(CLOCK.unix_millis()))
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": {
            "ApproximateReceiveCount": attributes.get("ApproximateReceiveCount", "1"),
            "SentTimestamp": attributes.get("SentTimestamp", now),
            "ApproximateFirstReceiveTimestamp": attributes.get("ApproximateFirstReceiveTimestamp", now),
        },
        "messageAttributes": {
            name: _record_attribute(value) for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:{}:{}".format(*queue_url.split("/")[-2:]),
        "awsRegion": "us-east-1",
    }


def _record_attribute(value: dict[str, Any]) -> dict[str, Any]:
    """A message attribute as ReceiveMessage gives it, spelled as Lambda's SQS record spells it."""
    return {
        "stringValue": value.get("StringValue"),
        "binaryValue": value.get("BinaryValue"),
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": value.get("DataType", "String"),
    }
