"""The CreateWorkload CloudTrail event, parsed into a typed model or rejected with the field that is wrong.

The envelope is Powertools' EventBridge model, narrowed to CloudTrail's Well-Architected events: every
field EventBridge always sends is required. The owner account and region come from the event's detail
(and the workload ARN), never from the envelope: forwarding from a member's default bus to the central
bus may rewrite the envelope.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from aws_lambda_powertools.utilities.parser.models.event_bridge import EventBridgeModel
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from wa_share.domain import ACCOUNT_ID, REGION
from wa_share.validation import validation_problems

# Matched with fullmatch: "$" would also accept a trailing newline.
WORKLOAD_ID = re.compile(r"[0-9a-f]{32}")
WORKLOAD_ARN = re.compile(
    r"arn:aws[a-z-]*:wellarchitected:(?P<region>[a-z0-9-]+):(?P<account>[0-9]{12}):workload/(?P<id>[^/]+)"
)


SHOWN_VALUE = 80  # characters of a bad value quoted in an error: enough to recognise it, never the whole event


def shown(value: object) -> str:
    """A value's repr for an error message, cut to SHOWN_VALUE characters (a bad field may be huge)."""
    text = repr(value)
    return text if len(text) <= SHOWN_VALUE else f"{text[: SHOWN_VALUE - 1]}… ({len(text)} characters)"


class InvalidEvent(ValueError):
    """An event this function must not act on; it names the event and every field that is wrong."""

    def __init__(self, event_id: str, problems: list[str]) -> None:
        super().__init__(f"invalid event {event_id}: " + "; ".join(problems))
        self.event_id = event_id
        self.problems = problems


@dataclass(frozen=True)
class WorkloadCreated:
    event_id: str
    account_id: str
    region: str
    workload_id: str
    replay_name: str | None = None
    event_time: datetime | None = None  # when CreateWorkload ran (CloudTrail's eventTime); None if unreadable


class _ResponseElements(BaseModel):
    # CloudTrail samples disagree on the keys (Id/Arn versus WorkloadId/WorkloadArn): accept both.
    model_config = ConfigDict(extra="ignore")
    WorkloadId: str | None = None
    Id: str | None = None
    WorkloadArn: str | None = None
    Arn: str | None = None


class _Detail(BaseModel):
    model_config = ConfigDict(extra="ignore")
    eventSource: Literal["wellarchitected.amazonaws.com"]
    eventName: Literal["CreateWorkload"]
    eventID: str = Field(min_length=1, max_length=128)
    awsRegion: str = Field(pattern=REGION.pattern)
    recipientAccountId: str = Field(pattern=ACCOUNT_ID.pattern)
    # Read leniently (see event_time): it tells a fresh event from a late one and measures the latency;
    # the share needs neither, so it is never a reason to reject, whatever it is.
    eventTime: Any = None
    errorCode: str | None = None
    responseElements: _ResponseElements

    @field_validator("errorCode")
    @classmethod
    def _succeeded(cls, value: str | None) -> None:
        if value is not None:
            raise ValueError(f"the CreateWorkload call failed ({value}): there is no workload to share")


class CloudTrailEnvelope(EventBridgeModel):
    """The envelope of a Well-Architected call recorded by CloudTrail; each event kind adds its `detail`."""

    # by the alias only: Powertools reads "detail_type" too, EventBridge never sends it (both keys: pydantic
    # before 2.11, which Powertools allows, knows only populate_by_name)
    model_config = ConfigDict(extra="ignore", populate_by_name=False, validate_by_name=False)
    source: Literal["aws.wellarchitected"]
    detail_type: Literal["AWS API Call via CloudTrail"] = Field(alias="detail-type")

    @field_validator("replay_name")
    @classmethod
    def _unicode_text(cls, value: str | None) -> str | None:
        return unicode_text(value)


class _Envelope(CloudTrailEnvelope):
    detail: _Detail


def unicode_text(value: str | None) -> str | None:
    # pydantic lets a lone surrogate (json.loads of "\ud800") through an optional string; it is not text
    if value is not None and not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("not Unicode text (a lone surrogate)") from None
    return value


def event_id_of(event: Any) -> str:
    """The best identifier a (possibly malformed) event offers, for logs and error messages."""
    if isinstance(event, dict):
        detail = event.get("detail")
        if isinstance(detail, dict) and isinstance(detail.get("eventID"), str):
            return str(detail["eventID"])[:128]
        if isinstance(event.get("id"), str):
            return str(event["id"])[:128]
    return "unknown"


def parse_create_workload(event: Any) -> WorkloadCreated:
    event_id = event_id_of(event)
    if not isinstance(event, dict):
        raise InvalidEvent(event_id, [f"event: expected a JSON object, got {type(event).__name__}"])
    try:
        envelope = _Envelope.model_validate(event)
    except ValidationError as error:
        raise InvalidEvent(event_id, validation_problems(error, whole="event")) from None
    detail = envelope.detail
    workload_id = _workload_id(event_id, detail)
    return WorkloadCreated(
        event_id=detail.eventID,
        account_id=detail.recipientAccountId,
        region=detail.awsRegion,
        workload_id=workload_id,
        replay_name=envelope.replay_name,
        event_time=event_time(detail.eventTime),
    )


def event_time(value: Any) -> datetime | None:
    """CloudTrail's eventTime ("2020-10-14T04:43:13Z"); None rather than a rejection when it is bad."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None  # without a zone the latency would be a guess


def _workload_id(event_id: str, detail: _Detail) -> str:
    elements = detail.responseElements
    arn = elements.WorkloadArn or elements.Arn
    candidates = {value for value in (elements.WorkloadId, elements.Id) if value}
    problems: list[str] = []
    if arn:
        match = WORKLOAD_ARN.fullmatch(arn)
        if match is None:
            problems.append(f"detail.responseElements.WorkloadArn: not a workload ARN: {shown(arn)}")
        else:
            candidates.add(match["id"])
            if (match["account"], match["region"]) != (detail.recipientAccountId, detail.awsRegion):
                problems.append("detail.responseElements.WorkloadArn: account or region differs from the detail's")
    if not candidates and not problems:
        problems.append("detail.responseElements: no WorkloadId, Id, WorkloadArn or Arn")
    if len(candidates) > 1:
        problems.append(
            f"detail.responseElements: conflicting workload IDs {', '.join(map(shown, sorted(candidates)))}"
        )
    for candidate in candidates:
        if not WORKLOAD_ID.fullmatch(candidate):
            problems.append(f"detail.responseElements.WorkloadId: {shown(candidate)} is not 32 hex characters")
    if problems:
        raise InvalidEvent(event_id, problems)
    return candidates.pop()
