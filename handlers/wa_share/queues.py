"""SQS, as this project uses it: failure records for the on-failure queue, work items for the sweep."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from wa_share.aws import aws_call

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


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
