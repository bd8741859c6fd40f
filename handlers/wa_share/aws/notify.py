"""SNS and EventBridge, as this project uses them: one message published, one event put on a bus."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wa_share.aws.access import AwsError, ErrorKind, aws_call

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_sns import SNSClient


def publish(sns: SNSClient, topic_arn: str, subject: str, message: str) -> None:
    with aws_call("sns:Publish", topic_arn):
        sns.publish(TopicArn=topic_arn, Subject=subject, Message=message)


def put_event(events: EventBridgeClient, bus_name: str, *, source: str, detail_type: str, detail: str) -> None:
    """One event on the bus; an entry EventBridge refuses (its answer succeeds) raises as a permanent error."""
    entry = {"Source": source, "DetailType": detail_type, "Detail": detail, "EventBusName": bus_name}
    with aws_call("events:PutEvents", bus_name):
        response = events.put_events(Entries=[entry])  # type: ignore[list-item]
    if response.get("FailedEntryCount"):
        failed = response["Entries"][0]
        raise AwsError(
            kind=ErrorKind.PERMANENT,
            code=failed.get("ErrorCode", "Unknown"),
            operation="events:PutEvents",
            resource=bus_name,
            message=failed.get("ErrorMessage", ""),
        )
