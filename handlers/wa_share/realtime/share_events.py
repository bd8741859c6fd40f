"""The share CloudTrail events (CreateWorkloadShare, UpdateWorkloadShare, DeleteWorkloadShare), parsed into
one typed model, and the one dispatcher that tells them from CreateWorkload by `detail.eventName`.

AWS publishes no sample of these records, and CloudTrail's keys need not be the API's member names (the
CreateWorkload record says `Id` and `Arn`): the API's names and the short forms are both read, and a field
that is missing is left None, for the guard to find by listing the workload's shares rather than guessing.
What is present must be right: a workload ID that is not 32 hex characters, two IDs that disagree or a
permission that does not exist reject the event, naming the field. Owner account and region come from the
record (`recipientAccountId`, `awsRegion`), never from the envelope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from wa_share.domain import ACCOUNT_ID, REGION, Permission
from wa_share.realtime.events import (
    WORKLOAD_ARN,
    WORKLOAD_ID,
    CloudTrailEnvelope,
    InvalidEvent,
    WorkloadCreated,
    event_id_of,
    event_time,
    parse_create_workload,
    shown,
)
from wa_share.validation import validation_problems

SHARE_EVENT_NAMES = ("CreateWorkloadShare", "UpdateWorkloadShare", "DeleteWorkloadShare")
EVENT_NAMES = ("CreateWorkload", *SHARE_EVENT_NAMES)  # what the rules forward (template.yaml)
ShareEventName = Literal["CreateWorkloadShare", "UpdateWorkloadShare", "DeleteWorkloadShare"]
MAX_PRINCIPAL = 2048  # SharedWith's length bound in the API model


@dataclass(frozen=True)
class ShareChanged:
    """One successful share call, as far as its record tells; None where the record is silent."""

    event_id: str
    event_name: ShareEventName
    account_id: str  # the workload's owner, where the call was made
    region: str
    workload_id: str
    share_id: str | None
    shared_with: str | None
    permission: str | None
    caller_arn: str  # userIdentity.arn (or its type when it has none): who made the call
    caller_role: str | None  # the IAM role behind an assumed-role caller
    replay_name: str | None = None
    event_time: datetime | None = None


class _Detail(BaseModel):
    model_config = ConfigDict(extra="ignore")
    eventSource: Literal["wellarchitected.amazonaws.com"]
    eventName: ShareEventName
    eventID: str = Field(min_length=1, max_length=128)
    awsRegion: str = Field(pattern=REGION.pattern)
    recipientAccountId: str = Field(pattern=ACCOUNT_ID.pattern)
    eventTime: Any = None
    errorCode: str | None = None
    userIdentity: dict[str, Any] = Field(default_factory=dict)
    requestParameters: dict[str, Any] | None = None
    responseElements: dict[str, Any] | None = None

    @field_validator("errorCode")
    @classmethod
    def _succeeded(cls, value: str | None) -> None:
        if value is not None:
            raise ValueError(f"the call failed ({value}): no share changed")


class _Envelope(CloudTrailEnvelope):
    detail: _Detail


def parse_event(event: Any) -> WorkloadCreated | ShareChanged:
    """Dispatch on `detail.eventName`: CreateWorkload, one of the share calls, or a clear rejection."""
    detail = event.get("detail") if isinstance(event, dict) else None
    name = detail.get("eventName") if isinstance(detail, dict) else None
    name = name if isinstance(name, str) else None
    if name in SHARE_EVENT_NAMES:
        return parse_share_event(event)
    if name is not None and name != "CreateWorkload":
        problem = f"detail.eventName: {shown(name)} is not an event wa-share handles ({', '.join(EVENT_NAMES)})"
        raise InvalidEvent(event_id_of(event), [problem])
    return parse_create_workload(event)


def parse_share_event(event: Any) -> ShareChanged:
    event_id = event_id_of(event)
    try:
        envelope = _Envelope.model_validate(event)
    except ValidationError as error:
        raise InvalidEvent(event_id, validation_problems(error, whole="event")) from None
    detail = envelope.detail
    fields = _Fields(detail)
    problems = fields.problems
    if problems:
        raise InvalidEvent(event_id, problems)
    return ShareChanged(
        event_id=detail.eventID,
        event_name=detail.eventName,
        account_id=detail.recipientAccountId,
        region=detail.awsRegion,
        workload_id=fields.workload_id or "",
        share_id=fields.share_id,
        shared_with=fields.shared_with,
        permission=fields.permission,
        caller_arn=_caller_arn(detail.userIdentity),
        caller_role=_caller_role(detail.userIdentity),
        replay_name=envelope.replay_name,
        event_time=event_time(detail.eventTime),
    )


class _Fields:
    """The record's fields under every name they may have, each checked; `problems` lists what is wrong."""

    def __init__(self, detail: _Detail) -> None:
        self.problems: list[str] = []
        self._detail = detail
        request = detail.requestParameters or {}
        response = detail.responseElements or {}
        nested = response.get("WorkloadShare")
        share: dict[str, Any] = nested if isinstance(nested, dict) else {}
        self.workload_id = self._workload_id(request, response)
        ids = {"requestParameters.ShareId": request.get("ShareId"), "responseElements.ShareId": response.get("ShareId")}
        self.share_id = self._one("share ID", ids | {"WorkloadShare.ShareId": share.get("ShareId")}, WORKLOAD_ID)
        principals = {"requestParameters.SharedWith": request.get("SharedWith")}
        self.shared_with = self._one("SharedWith", principals | {"WorkloadShare.SharedWith": share.get("SharedWith")})
        permissions = {"requestParameters.PermissionType": request.get("PermissionType")}
        permissions |= {"requestParameters.Permission": request.get("Permission")}
        self.permission = self._permission(permissions | {"WorkloadShare.PermissionType": share.get("PermissionType")})

    def _workload_id(self, request: dict[str, Any], response: dict[str, Any]) -> str | None:
        ids = {f"requestParameters.{key}": request.get(key) for key in ("WorkloadId", "Id")}
        ids |= {f"responseElements.{key}": response.get(key) for key in ("WorkloadId", "Id")}
        arn = request.get("WorkloadArn") or request.get("Arn")
        if arn is not None:
            ids["requestParameters.WorkloadArn"] = self._from_arn(arn)
        found = self._one("workload ID", ids, WORKLOAD_ID)
        if found is None and not self.problems:
            self.problems.append("detail: no WorkloadId, Id or WorkloadArn: there is no workload to look at")
        return found

    def _from_arn(self, arn: Any) -> str | None:
        match = WORKLOAD_ARN.fullmatch(arn) if isinstance(arn, str) else None
        if match is None:
            self.problems.append(f"detail.requestParameters.WorkloadArn: not a workload ARN: {shown(arn)}")
            return None
        if (match["account"], match["region"]) != (self._detail.recipientAccountId, self._detail.awsRegion):
            self.problems.append("detail.requestParameters.WorkloadArn: account or region differs from the record's")
        return match["id"]

    def _one(self, what: str, candidates: dict[str, Any], shape: Any = None) -> str | None:
        """The one value the record gives under any of its names; None when it gives none."""
        given = {where: value for where, value in candidates.items() if value is not None}
        for where, value in given.items():
            too_long = isinstance(value, str) and len(value) > MAX_PRINCIPAL
            if not isinstance(value, str) or too_long or (shape is not None and not shape.fullmatch(value)):
                self.problems.append(f"detail.{where}: not a valid {what}: {shown(value)}")
                return None
        values = set(given.values())
        if len(values) > 1:
            self.problems.append(f"detail: conflicting {what}s {', '.join(map(shown, sorted(values)))}")
            return None
        return values.pop() if values else None

    def _permission(self, candidates: dict[str, Any]) -> str | None:
        value = self._one("permission", candidates)
        if value is not None and value not in {permission.value for permission in Permission}:
            self.problems.append(f"detail: permission {shown(value)} is neither READONLY nor CONTRIBUTOR")
            return None
        return value


def _caller_arn(identity: dict[str, Any]) -> str:
    arn = identity.get("arn")
    return arn if isinstance(arn, str) and arn else str(identity.get("type") or "unknown")[:128]


def _caller_role(identity: dict[str, Any]) -> str | None:
    """The role name of an assumed-role caller: the session issuer's, else from the STS ARN."""
    if identity.get("type") != "AssumedRole":
        return None
    issuer = identity.get("sessionContext", {}).get("sessionIssuer", {})
    name = issuer.get("userName") if isinstance(issuer, dict) else None
    if isinstance(name, str) and name:
        return name
    arn = identity.get("arn")
    parts = arn.split(":", 5)[-1].split("/") if isinstance(arn, str) else []
    return parts[1] if len(parts) >= 3 and parts[0] == "assumed-role" else None  # noqa: PLR2004 - kind/role/session
