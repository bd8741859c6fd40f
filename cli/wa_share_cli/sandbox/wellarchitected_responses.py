"""Wire layer of the sandbox WA service (public API: ``wellarchitected_backend``): error shapes, fault
and latency injection, CloudTrail-shaped CreateWorkload events, and the moto handler. moto parses requests
and serialises results from botocore's model (``automated_parameter_parsing``). The handler finds the
backend through the ``moto.wellarchitected`` alias, so this module never imports it at runtime.
"""

from __future__ import annotations

import importlib
import json
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from moto.core.common_types import TYPE_RESPONSE
from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, BaseResponse, EmptyResult
from moto.events.models import events_backends
from moto.sts.models import sts_backends
from moto.utilities.utils import get_partition

if TYPE_CHECKING:
    from wa_share_cli.sandbox.wellarchitected_backend import WellArchitectedBackend

CloudTrailFilter = Callable[[dict[str, Any]], bool]
FaultHook = Callable[[str, str, str], str | None]
RequestHook = Callable[[str, dict[str, Any]], str | None]
ResponseElementsStyle = Literal["WorkloadId", "Id"]
MAX_PAGE = 50
LOCK = threading.RLock()  # guards all WA state: every API call and every test hook holds it


class WellArchitectedError(ServiceException):
    """An error shape of the WA model; extra members (ResourceId, QuotaCode…) are serialised too."""

    def __init__(self, message: str, **members: str) -> None:
        super().__init__(message)
        for name, value in members.items():
            setattr(self, name, value)


class ValidationException(WellArchitectedError):
    code = "ValidationException"


class AccessDeniedException(WellArchitectedError):
    code = "AccessDeniedException"


class _ResourceError(WellArchitectedError):
    def __init__(self, message: str, resource_id: str, resource_type: str = "WORKLOAD") -> None:
        super().__init__(message, ResourceId=resource_id, ResourceType=resource_type)


class ConflictException(_ResourceError):
    code = "ConflictException"


class ResourceNotFoundException(_ResourceError):
    code = "ResourceNotFoundException"


class ServiceQuotaExceededException(WellArchitectedError):
    code = "ServiceQuotaExceededException"

    def __init__(self, resource_type: str, resource_id: str) -> None:
        codes = {"QuotaCode": f"{resource_type}_QUOTA", "ServiceCode": "wellarchitected"}
        super().__init__(f"{resource_type} quota reached", ResourceId=resource_id, ResourceType=resource_type, **codes)


class _Settings:
    # Module-level on purpose: settings outlive moto's resets (tests reset them explicitly).
    latency_seconds: float = 0.0
    fault: FaultHook | None = None
    request_fault: RequestHook | None = None
    lost_response: RequestHook | None = None
    cloudtrail_filter: CloudTrailFilter | None = None
    style: ResponseElementsStyle = "WorkloadId"


def configure_faults(latency_seconds: float = 0.0, fault: FaultHook | None = None) -> None:
    """Sleep ``latency_seconds`` per WA call; ``fault(operation, account, region)`` names an error to raise."""
    if latency_seconds < 0:
        raise ValueError("latency_seconds must be >= 0")
    _Settings.latency_seconds, _Settings.fault = latency_seconds, fault


def configure_request_faults(before: RequestHook | None = None, after: RequestHook | None = None) -> None:
    """By request parameters: ``before(operation, params)`` names an error raised instead of the operation
    (e.g. one workload's permanent failure); ``after(operation, params)`` names one raised after
    CreateWorkloadShare succeeded, as if the response were lost on the way back."""
    _Settings.request_fault, _Settings.lost_response = before, after


def reset_faults() -> None:
    configure_faults()
    configure_request_faults()


def set_cloudtrail_filter(fn: CloudTrailFilter | None) -> None:
    """``fn(cloudtrail_record)`` returning False drops the event (CloudTrail is best effort)."""
    _Settings.cloudtrail_filter = fn


def set_response_elements_style(style: ResponseElementsStyle) -> None:
    """``"WorkloadId"``: {WorkloadId, WorkloadArn} (AWS samples); ``"Id"``: {Id, Arn} (user guide)."""
    if style not in ("WorkloadId", "Id"):
        raise ValueError(f"unknown responseElements style: {style}")
    _Settings.style = style


# --- CloudTrail ---------------------------------------------------------------------------------


def _user_identity(account_id: str, region: str, access_key: str) -> dict[str, str]:
    partition = get_partition(region)
    role = sts_backends[account_id][partition].get_assumed_role_from_access_key(access_key)
    arn = role.arn if role is not None else f"arn:{partition}:iam::{account_id}:root"
    kind = "AssumedRole" if role is not None else "Root"
    return {"type": kind, "arn": arn, "accountId": account_id, "accessKeyId": access_key}


def _request_parameters(params: dict[str, Any]) -> dict[str, Any]:
    redacted = {"WorkloadName": "Name", "Description": "Description", "ReviewOwner": "ReviewOwner"}
    out: dict[str, Any] = {"Name": "***"}
    for key, value in params.items():
        out[redacted.get(key, key)] = "***" if key in redacted else value
    return out


def _response_elements(result: dict[str, str] | None) -> dict[str, str] | None:
    if result is None:
        return None
    if _Settings.style == "Id":
        return {"Id": result["WorkloadId"], "Arn": result["WorkloadArn"]}
    return dict(result)


def create_workload_record(
    identity: dict[str, str],
    region: str,
    params: dict[str, Any],
    result: dict[str, str] | None,
    error: ServiceException | None,
) -> dict[str, Any]:
    """The CloudTrail record of one CreateWorkload call (``responseElements`` null on failure)."""
    record: dict[str, Any] = {
        "eventVersion": "1.05",
        "userIdentity": identity,
        "eventTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": "wellarchitected.amazonaws.com",
        "eventName": "CreateWorkload",
        "awsRegion": region,
        "requestParameters": _request_parameters(params),
        "responseElements": _response_elements(result),
        "requestID": str(uuid.uuid4()),
        "eventID": str(uuid.uuid4()),
        "readOnly": False,
        "eventType": "AwsApiCall",
        "recipientAccountId": identity["accountId"],
    }
    if error is not None:
        record["errorCode"] = error.code
        record["errorMessage"] = error.message
    return record


def deliver_cloudtrail_event(record: dict[str, Any]) -> bool:
    """Put ``record`` on the default bus of its account and region, unless the filter drops it."""
    hook = _Settings.cloudtrail_filter
    if hook is not None and not hook(record):
        return False
    entry = {
        "Source": "aws.wellarchitected",
        "DetailType": "AWS API Call via CloudTrail",
        "Detail": json.dumps(record),
        "Time": time.time(),
        "Resources": [],
    }
    events_backends[record["recipientAccountId"]][record["awsRegion"]].put_events([entry])
    return True


# --- paging ------------------------------------------------------------------------------------


def paginate[T](items: Sequence[T], max_results: Any, next_token: Any) -> tuple[list[T], str | None]:
    limit = MAX_PAGE if max_results is None else int(max_results)
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationException(f"MaxResults must be between 1 and {MAX_PAGE}", Reason="OTHER")
    token = str(next_token or "0")
    if not (token.isascii() and token.isdigit()):
        raise ValidationException("Invalid NextToken", Reason="OTHER")
    end = int(token) + limit
    return list(items[int(token) : end]), (str(end) if end < len(items) else None)


# --- handler -----------------------------------------------------------------------------------


class WellArchitectedResponse(BaseResponse):
    def __init__(self) -> None:
        super().__init__(service_name="wellarchitected")
        self.automated_parameter_parsing = True

    @property
    def backend(self) -> WellArchitectedBackend:
        module = importlib.import_module("moto.wellarchitected")  # the alias install() creates
        backend: WellArchitectedBackend = module.get_backend(self.current_account, self.region)
        return backend

    def call_action(self) -> TYPE_RESPONSE:
        if _Settings.latency_seconds:
            time.sleep(_Settings.latency_seconds)  # outside the lock, releasing the GIL: calls overlap
        with LOCK:
            return super().call_action()

    def _begin(self) -> None:
        """Injected faults, first thing in every operation."""
        fault = _Settings.fault
        code = fault(self._get_action(), self.current_account, self.region) if fault else None
        if not code and _Settings.request_fault is not None:
            code = _Settings.request_fault(self._get_action(), dict(self.params))
        if code:
            raise WellArchitectedError(f"Injected {code}", code=code)  # moto finds the shape by code

    def _paged(self, key: str, items: Sequence[Any], **extra: Any) -> ActionResult:
        page, token = paginate(items, self._get_param("MaxResults"), self._get_param("NextToken"))
        return ActionResult({**extra, key: page, "NextToken": token})  # None members are omitted

    def create_workload(self) -> ActionResult:
        params = dict(self.params)
        identity = _user_identity(self.current_account, self.region, self.get_access_key())
        try:
            self._begin()
            result = self.backend.create_workload(params)
        except ServiceException as err:
            deliver_cloudtrail_event(create_workload_record(identity, self.region, params, None, err))
            raise
        deliver_cloudtrail_event(create_workload_record(identity, self.region, params, result, None))
        return ActionResult(result)

    def get_workload(self) -> ActionResult:
        self._begin()
        return ActionResult({"Workload": self.backend.get_workload(self._get_param("WorkloadId"))})

    def list_workloads(self) -> ActionResult:
        self._begin()
        workloads = self.backend.list_workloads(self._get_param("WorkloadNamePrefix"))
        return self._paged("WorkloadSummaries", [w.summary() for w in workloads])

    def delete_workload(self) -> ActionResult:
        self._begin()
        self.backend.delete_workload(self._get_param("WorkloadId"))
        return EmptyResult()

    def create_workload_share(self) -> ActionResult:
        self._begin()
        names = ("WorkloadId", "SharedWith", "PermissionType", "ClientRequestToken")
        result = self.backend.create_workload_share(*map(self._get_param, names))
        lost = _Settings.lost_response
        if lost is not None and (code := lost(self._get_action(), dict(self.params))):
            raise WellArchitectedError(f"Injected {code} after the share was made", code=code)
        return ActionResult(result)

    def list_workload_shares(self) -> ActionResult:
        self._begin()
        names = ("WorkloadId", "SharedWithPrefix", "Status")
        shares = self.backend.list_workload_shares(*map(self._get_param, names))
        return self._paged("WorkloadShareSummaries", shares, WorkloadId=self._get_param("WorkloadId"))

    def update_workload_share(self) -> ActionResult:
        self._begin()
        names = ("WorkloadId", "ShareId", "PermissionType")
        share = self.backend.update_workload_share(*map(self._get_param, names))
        return ActionResult({"WorkloadId": share.workload_id, "WorkloadShare": share})

    def delete_workload_share(self) -> ActionResult:
        self._begin()
        self.backend.delete_workload_share(self._get_param("WorkloadId"), self._get_param("ShareId"))
        return EmptyResult()

    def list_share_invitations(self) -> ActionResult:
        self._begin()
        shares = self.backend.list_share_invitations(self._get_param("WorkloadNamePrefix"))
        kind = self._get_param("ShareResourceType")
        return self._paged("ShareInvitationSummaries", shares if kind in (None, "WORKLOAD") else [])

    def update_share_invitation(self) -> ActionResult:
        self._begin()
        names = ("ShareInvitationId", "ShareInvitationAction")
        return ActionResult({"ShareInvitation": self.backend.update_share_invitation(*map(self._get_param, names))})

    def update_global_settings(self) -> ActionResult:
        self._begin()
        self.backend.update_global_settings(self._get_param("OrganizationSharingStatus"))
        return EmptyResult()


_dispatch = WellArchitectedResponse.dispatch
url_bases = [r"https?://wellarchitected\.(.+)\.amazonaws\.com"]
url_paths = {
    "{0}/workloads$": _dispatch,
    "{0}/workloadsSummaries$": _dispatch,
    "{0}/workloads/(?P<WorkloadId>[^/]+)$": _dispatch,
    "{0}/workloads/(?P<WorkloadId>[^/]+)/shares$": _dispatch,
    "{0}/workloads/(?P<WorkloadId>[^/]+)/shares/(?P<ShareId>[^/]+)$": _dispatch,
    "{0}/shareInvitations$": _dispatch,
    "{0}/shareInvitations/(?P<ShareInvitationId>[^/]+)$": _dispatch,
    "{0}/global-settings$": _dispatch,
}
