"""CloudTrail as the sandbox plays it: the record of each CreateWorkload, CreateWorkloadShare,
UpdateWorkloadShare and DeleteWorkloadShare call (failed ones too), put on the default bus of its account
and region (unless the best-effort filter drops it).

AWS publishes no sample of a share call's record, and CloudTrail's keys need not be the API's member names
(the published CreateWorkload record says ``Name`` and ``Id``): the ``style`` switch plays both. "WorkloadId":
the API's names, UpdateWorkloadShare's response with its WorkloadShare. "Id": the short forms (``Id`` for the
workload) and no WorkloadShare in the response, so a reader must list the shares to learn with whom.
DeleteWorkloadShare returns nothing: its ``responseElements`` are null either way."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from moto.core.exceptions import ServiceException
from moto.events.models import events_backends
from moto.sts.models import sts_backends
from moto.utilities.utils import get_partition

from wa_share_sandbox.clock import CLOCK
from wa_share_sandbox.wellarchitected.faults import Switches


def user_identity(account_id: str, region: str, access_key: str) -> dict[str, Any]:
    """CloudTrail's userIdentity of the caller: an assumed role (with its session issuer) or the root."""
    partition = get_partition(region)
    role = sts_backends[account_id][partition].get_assumed_role_from_access_key(access_key)
    if role is None:
        arn = f"arn:{partition}:iam::{account_id}:root"
        return {"type": "Root", "arn": arn, "accountId": account_id, "accessKeyId": access_key}
    issuer = {"type": "Role", "arn": role.role_arn, "accountId": account_id, "userName": role.role_arn.split("/")[-1]}
    return {
        "type": "AssumedRole",
        "arn": role.arn,
        "accountId": account_id,
        "accessKeyId": access_key,
        "sessionContext": {"sessionIssuer": issuer},
    }


def _request_parameters(params: dict[str, Any]) -> dict[str, Any]:
    redacted = {"WorkloadName": "Name", "Description": "Description", "ReviewOwner": "ReviewOwner"}
    out: dict[str, Any] = {"Name": "***"}
    for key, value in params.items():
        out[redacted.get(key, key)] = "***" if key in redacted else value
    return out


def _response_elements(result: dict[str, str] | None) -> dict[str, str] | None:
    if result is None:
        return None
    if Switches.style == "Id":
        return {"Id": result["WorkloadId"], "Arn": result["WorkloadArn"]}
    return dict(result)


def create_workload_record(
    identity: dict[str, Any],
    region: str,
    params: dict[str, Any],
    result: dict[str, str] | None,
    error: ServiceException | None,
) -> dict[str, Any]:
    """The CloudTrail record of one CreateWorkload call (``responseElements`` null on failure)."""
    request, response = _request_parameters(params), _response_elements(result)
    return api_call_record("CreateWorkload", identity, region, request=request, response=response, error=error)


def share_record(
    operation: str,
    identity: dict[str, Any],
    region: str,
    params: dict[str, Any],
    *,
    result: dict[str, Any] | None,
    error: ServiceException | None,
) -> dict[str, Any]:
    """The record of a share call: the request as sent (the token left out), the response in the style set."""
    request = {key: value for key, value in params.items() if key != "ClientRequestToken"}
    response = None if error is not None or not result else dict(result)
    if response is not None and "WorkloadShare" in response:  # the Share row, as the record would show it
        share = response["WorkloadShare"]
        response["WorkloadShare"] = {
            "ShareId": share.share_id,
            "SharedWith": share.shared_with,
            "PermissionType": share.permission_type,
            "Status": share.status,
        }
    if Switches.style == "Id":
        request = {("Id" if key == "WorkloadId" else key): value for key, value in request.items()}
        if response is not None:
            response = {("Id" if key == "WorkloadId" else key): value for key, value in response.items()}
            response.pop("WorkloadShare", None)
    return api_call_record(operation, identity, region, request=request, response=response, error=error)


def api_call_record(
    event_name: str,
    identity: dict[str, Any],
    region: str,
    *,
    request: dict[str, Any],
    response: dict[str, Any] | None,
    error: ServiceException | None,
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "eventVersion": "1.05",
        "userIdentity": identity,
        "eventTime": CLOCK.utc_now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": "wellarchitected.amazonaws.com",
        "eventName": event_name,
        "awsRegion": region,
        "requestParameters": request,
        "responseElements": response,
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
    hook = Switches.cloudtrail_filter
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
