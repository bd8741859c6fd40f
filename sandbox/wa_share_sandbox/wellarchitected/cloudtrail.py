"""CloudTrail as the sandbox plays it: the record of each CreateWorkload call, put on the default bus of
its account and region (unless the best-effort filter drops it)."""

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


def user_identity(account_id: str, region: str, access_key: str) -> dict[str, str]:
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
    if Switches.style == "Id":
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
        "eventTime": CLOCK.utc_now().strftime("%Y-%m-%dT%H:%M:%SZ"),
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
