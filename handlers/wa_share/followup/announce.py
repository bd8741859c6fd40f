"""Announcing each new share, and each share outside the organization: on an SNS topic and as an event on
the central bus.

An announcement never blocks or fails a share: a failed publish is logged and counted, and the share
stands. The event (`source` "wa-share", `detail-type` "Workload Shared") does not match the share
rule or the archive, whose pattern is `aws.wellarchitected` only, so it cannot loop.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from wa_share.aws.access import AwsError
from wa_share.aws.notify import publish, put_event
from wa_share.observability import Metric, count, logger

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_sns import SNSClient

EVENT_SOURCE = "wa-share"
EVENT_DETAIL_TYPE = "Workload Shared"
EXTERNAL_DETAIL_TYPE = "Workload Shared Outside Organization"
# SNS refuses a Subject that is not ASCII, holds a line break or control character, or has 100 characters
# or more; workload names may be any of these. The full name stays in the message body (JSON).
MAX_SUBJECT = 99
_NOT_PRINTABLE_ASCII = re.compile(r"[^\x20-\x7e]+")


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

    detail_type = EVENT_DETAIL_TYPE

    def subject(self) -> str:
        return _subject("Workload shared: ", self.workload_name or self.workload_id, self.account_id, self.region)


@dataclass(frozen=True)
class ExternalShareAnnouncement:
    """A share outside the organization (outsiders.ExternalShare), with the workload's name."""

    account_id: str
    region: str
    workload_id: str
    workload_name: str
    share_id: str | None
    shared_with: str
    permission: str | None
    status: str | None
    shared_by: str
    reason: str

    detail_type = EXTERNAL_DETAIL_TYPE

    def subject(self) -> str:
        prefix = "Shared outside the organization: "
        return _subject(prefix, self.workload_name or self.workload_id, self.account_id, self.region)


def _subject(prefix: str, name: str, account_id: str, region: str) -> str:
    suffix = f" ({account_id}, {region})"
    room = MAX_SUBJECT - len(prefix) - len(suffix)
    name = subject_safe(name) or "?"
    if len(name) > room:
        name = name[: room - 3].rstrip() + "..."
    return f"{prefix}{name}{suffix}"


def subject_safe(text: str) -> str:
    """Printable ASCII on one line: accents dropped (é→e), anything else becomes "?"; spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_only = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NOT_PRINTABLE_ASCII.sub("?", ascii_only.replace("\n", " ").replace("\r", " ")).split())


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

    def announce(self, announcement: ShareAnnouncement | ExternalShareAnnouncement) -> None:
        detail = json.dumps(asdict(announcement))
        sns, topic_arn, events, bus_name = self._sns, self._topic_arn, self._events, self._bus_name
        if sns is not None and topic_arn:
            self._guarded("sns:Publish", lambda: publish(sns, topic_arn, announcement.subject(), detail))
        if events is not None and bus_name:
            detail_type = announcement.detail_type
            self._guarded(
                "events:PutEvents",
                lambda: put_event(events, bus_name, source=EVENT_SOURCE, detail_type=detail_type, detail=detail),
            )

    @staticmethod
    def _guarded(operation: str, publish: Callable[[], None]) -> None:
        try:
            publish()
        except AwsError as error:
            count(Metric.ANNOUNCEMENTS_FAILED)
            logger.warning("announcement failed; the share stands", extra={"operation": operation, "error": str(error)})
