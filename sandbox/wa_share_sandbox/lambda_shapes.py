"""What Lambda hands a function, shaped as Lambda shapes it: the context, a schedule rule's event and an SQS
record of a batch. The runner builds invocations from these; tests and the benchmark build events with them."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

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
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": {
            "ApproximateReceiveCount": message.get("Attributes", {}).get("ApproximateReceiveCount", "1"),
            "SentTimestamp": message.get("Attributes", {}).get("SentTimestamp", "0"),
        },
        "messageAttributes": {},
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:{}:{}".format(*queue_url.split("/")[-2:]),
        "awsRegion": "us-east-1",
    }
