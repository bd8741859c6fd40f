"""Announcing each new share: on an SNS topic and as an event on the central bus.

An announcement never blocks or fails a share: a failed publish is logged and counted, and the share
stands. The event (`source` "wa-share", `detail-type` "Workload Shared") does not match the share
rule or the archive, whose pattern is `aws.wellarchitected` only, so it cannot loop.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from wa_share.aws import AwsError, ErrorKind, aws_call
from wa_share.observability import count, logger

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_sns import SNSClient

EVENT_SOURCE = "wa-share"
EVENT_DETAIL_TYPE = "Workload Shared"


@dataclass(frozen=True)
class ShareAnnouncement:
    account_id: str
    region: str
    workload_id: str
    workload_name: str
    shared_with: str
    permission: str
    share_id: str | None
    found_by: str  # "realtime", "replay" or "sweep"
    accepted: bool

    def subject(self) -> str:
        name = self.workload_name or self.workload_id
        return f"Workload shared: {name} ({self.account_id}, {self.region})"[:100]


class Announcer:
    def __init__(
        self,
        *,
        sns: SNSClient | None = None,
        topic_arn: str | None = None,
        events: EventBridgeClient | None = None,
        bus_name: str | None = None,
    ) -> None:
        self._sns, self._topic_arn = sns, topic_arn
        self._events, self._bus_name = events, bus_name

    @property
    def enabled(self) -> bool:
        return bool(self._topic_arn or self._bus_name)

    def announce(self, announcement: ShareAnnouncement) -> None:
        detail = json.dumps(asdict(announcement))
        sns, topic_arn, events, bus_name = self._sns, self._topic_arn, self._events, self._bus_name
        if sns is not None and topic_arn:
            self._guarded("sns:Publish", lambda: _publish(sns, topic_arn, announcement.subject(), detail))
        if events is not None and bus_name:
            self._guarded("events:PutEvents", lambda: _put_event(events, bus_name, detail))

    @staticmethod
    def _guarded(operation: str, publish: Callable[[], None]) -> None:
        try:
            publish()
        except AwsError as error:
            count("AnnouncementsFailed")
            logger.warning("announcement failed; the share stands", extra={"operation": operation, "error": str(error)})


def _publish(sns: SNSClient, topic_arn: str, subject: str, detail: str) -> None:
    with aws_call("sns:Publish", topic_arn):
        sns.publish(TopicArn=topic_arn, Subject=subject, Message=detail)


def _put_event(events: EventBridgeClient, bus_name: str, detail: str) -> None:
    entry = {"Source": EVENT_SOURCE, "DetailType": EVENT_DETAIL_TYPE, "Detail": detail, "EventBusName": bus_name}
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
