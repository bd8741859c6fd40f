"""The moto handler of the sandbox WA service. moto parses requests and serialises results from botocore's
model (``automated_parameter_parsing``); this layer adds paging, injected faults and CloudTrail."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from moto.core.common_types import TYPE_RESPONSE
from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, BaseResponse, EmptyResult

from wa_share_sandbox.throttle import admit
from wa_share_sandbox.wellarchitected.cloudtrail import (
    create_workload_record,
    deliver_cloudtrail_event,
    share_record,
    user_identity,
)
from wa_share_sandbox.wellarchitected.exceptions import ThrottlingException, ValidationException, WellArchitectedError
from wa_share_sandbox.wellarchitected.faults import Switches
from wa_share_sandbox.wellarchitected.models import LOCK, WellArchitectedBackend, get_backend

MAX_PAGE = 50


def paginate[T](items: Sequence[T], max_results: Any, next_token: Any) -> tuple[list[T], str | None]:
    limit = MAX_PAGE if max_results is None else int(max_results)
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationException(f"MaxResults must be between 1 and {MAX_PAGE}", Reason="OTHER")
    token = str(next_token or "0")
    if not (token.isascii() and token.isdigit()):
        raise ValidationException("Invalid NextToken", Reason="OTHER")
    end = int(token) + limit
    return list(items[int(token) : end]), (str(end) if end < len(items) else None)


class WellArchitectedResponse(BaseResponse):
    def __init__(self) -> None:
        super().__init__(service_name="wellarchitected")
        self.automated_parameter_parsing = True

    @property
    def backend(self) -> WellArchitectedBackend:
        return get_backend(self.current_account, self.region)

    def call_action(self) -> TYPE_RESPONSE:
        if Switches.latency_seconds:
            time.sleep(Switches.latency_seconds)  # outside the lock, releasing the GIL: calls overlap
        with LOCK:
            return super().call_action()

    def _begin(self) -> None:
        """The account and region's rate limit, then injected faults: first thing in every operation."""
        if not admit("wellarchitected", self.current_account, self.region):
            raise ThrottlingException("Rate exceeded", QuotaCode="L-WA-RATE", ServiceCode="wellarchitected")
        fault = Switches.fault
        code = fault(self._get_action(), self.current_account, self.region) if fault else None
        if not code and Switches.request_fault is not None:
            code = Switches.request_fault(self._get_action(), dict(self.params))
        if code:
            raise WellArchitectedError(f"Injected {code}", code=code)  # moto finds the shape by code

    def _paged(self, key: str, items: Sequence[Any], **extra: Any) -> ActionResult:
        page, token = paginate(items, self._get_param("MaxResults"), self._get_param("NextToken"))
        return ActionResult({**extra, key: page, "NextToken": token})  # None members are omitted

    def create_workload(self) -> ActionResult:
        params = dict(self.params)
        identity = user_identity(self.current_account, self.region, self.get_access_key())
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

    def _recorded(self, operation: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """Run a share call and put its CloudTrail record on the bus, failed or not (CloudTrail records both)."""
        params = dict(self.params)
        identity = user_identity(self.current_account, self.region, self.get_access_key())
        try:
            self._begin()
            result = operation()
        except ServiceException as err:
            deliver_cloudtrail_event(
                share_record(self._get_action(), identity, self.region, params, result=None, error=err)
            )
            raise
        deliver_cloudtrail_event(
            share_record(self._get_action(), identity, self.region, params, result=result, error=None)
        )
        return result

    def create_workload_share(self) -> ActionResult:
        names = ("WorkloadId", "SharedWith", "PermissionType", "ClientRequestToken")
        result = self._recorded(lambda: self.backend.create_workload_share(*map(self._get_param, names)))
        lost = Switches.lost_response
        if lost is not None and (code := lost(self._get_action(), dict(self.params))):
            raise WellArchitectedError(f"Injected {code} after the share was made", code=code)
        return ActionResult(result)

    def list_workload_shares(self) -> ActionResult:
        self._begin()
        names = ("WorkloadId", "SharedWithPrefix", "Status")
        shares = self.backend.list_workload_shares(*map(self._get_param, names))
        return self._paged("WorkloadShareSummaries", shares, WorkloadId=self._get_param("WorkloadId"))

    def update_workload_share(self) -> ActionResult:
        names = ("WorkloadId", "ShareId", "PermissionType")

        def update() -> dict[str, Any]:
            share = self.backend.update_workload_share(*map(self._get_param, names))
            return {"WorkloadId": share.workload_id, "WorkloadShare": share}

        return ActionResult(self._recorded(update))

    def delete_workload_share(self) -> ActionResult:
        def delete() -> dict[str, Any]:
            self.backend.delete_workload_share(self._get_param("WorkloadId"), self._get_param("ShareId"))
            return {}  # DeleteWorkloadShare answers nothing: its record's responseElements are null

        self._recorded(delete)
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
