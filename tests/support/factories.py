"""Test data shaped like AWS's: CloudTrail events, SQS records, Lambda contexts and their remaining time."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from aws_lambda_powertools.utilities.typing import LambdaContext


def create_workload_event(
    *,
    account_id: str = "444455556666",
    region: str = "us-west-2",
    workload_id: str = "8cdcdf7add10b181fdd3f686dacffdac",
    style: str = "WorkloadId",
    error_code: str | None = None,
    event_id: str | None = None,
    envelope_account: str | None = None,
) -> dict[str, Any]:
    """A CreateWorkload event as EventBridge delivers it (the AWS user guide's sample, parameterised)."""
    arn = f"arn:aws:wellarchitected:{region}:{account_id}:workload/{workload_id}"
    if error_code:
        response: dict[str, str] | None = None
    elif style == "WorkloadId":
        response = {"WorkloadId": workload_id, "WorkloadArn": arn}
    else:
        response = {"Id": workload_id, "Arn": arn}
    detail: dict[str, Any] = {
        "eventVersion": "1.05",
        "eventSource": "wellarchitected.amazonaws.com",
        "eventName": "CreateWorkload",
        "awsRegion": region,
        "eventTime": "2020-10-14T04:43:13Z",
        "userIdentity": {"type": "AssumedRole", "accountId": account_id},
        "requestParameters": {"Name": "***", "Environment": "PRODUCTION", "Lenses": ["wellarchitected"]},
        "responseElements": response,
        "eventID": event_id or str(uuid.uuid4()),
        "readOnly": False,
        "eventType": "AwsApiCall",
        "recipientAccountId": account_id,
    }
    if error_code:
        detail["errorCode"] = error_code
        detail["errorMessage"] = "simulated failure"
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.wellarchitected",
        "account": envelope_account or account_id,
        "time": "2020-10-14T04:43:13Z",
        "region": region,
        "resources": [],
        "detail": detail,
    }


def scheduled_event(
    *, event_id: str | None = None, time: str = "2026-01-07T03:00:00Z", source: str = "aws.events"
) -> dict[str, Any]:
    """An EventBridge rule's scheduled event as Lambda receives it (every envelope field EventBridge sends)."""
    return {
        "version": "0",
        "id": event_id or str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": source,
        "account": "123456789012",
        "time": time,
        "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/wa-share-schedule"],
        "detail": {},
    }


@dataclass
class FakeLambdaContext:
    """The attributes of Lambda's context object that Powertools reads."""

    function_name: str = "wa-share-share"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:222222222222:function:wa-share-share"
    aws_request_id: str = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
    function_version: str = "$LATEST"

    def get_remaining_time_in_millis(self) -> int:
        return 900_000  # the share function's Timeout in template.yaml


def lambda_context() -> LambdaContext:
    """A FakeLambdaContext, typed as the handlers declare their context (it has what Powertools reads)."""
    return cast("LambdaContext", FakeLambdaContext())


SHARE_ID = "a1b2c3d4e5f60718293a4b5c6d7e8f90"


def share_event(
    event_name: str,
    *,
    account_id: str = "444455556666",
    region: str = "us-west-2",
    workload_id: str = "8cdcdf7add10b181fdd3f686dacffdac",
    share_id: str = SHARE_ID,
    shared_with: str | None = "111122223333",
    permission: str = "READONLY",
    caller: str = "arn:aws:sts::444455556666:assumed-role/Admin/alice",
    error_code: str | None = None,
) -> dict[str, Any]:
    """A CreateWorkloadShare, UpdateWorkloadShare or DeleteWorkloadShare event, with the API's member names
    (AWS publishes no sample of these records: see sandbox/wa_share_sandbox/wellarchitected/cloudtrail.py)."""
    event = create_workload_event(account_id=account_id, region=region, workload_id=workload_id, error_code=error_code)
    request: dict[str, Any] = {"WorkloadId": workload_id}
    response: dict[str, Any] | None = {"WorkloadId": workload_id, "ShareId": share_id}
    if event_name == "CreateWorkloadShare":
        request |= {"SharedWith": shared_with, "PermissionType": permission, "ClientRequestToken": "t"}
    elif event_name == "UpdateWorkloadShare":
        request |= {"ShareId": share_id, "PermissionType": permission}
        share = {"ShareId": share_id, "SharedWith": shared_with, "PermissionType": permission, "Status": "PENDING"}
        response = {"WorkloadId": workload_id, "WorkloadShare": share}
    else:
        request |= {"ShareId": share_id, "ClientRequestToken": "t"}
        response = None
    role = caller.split("/")[1] if ":assumed-role/" in caller else None
    identity: dict[str, Any] = {"type": "AssumedRole" if role else "IAMUser", "arn": caller, "accountId": account_id}
    if role:
        issuer = {"type": "Role", "arn": f"arn:aws:iam::{account_id}:role/{role}", "userName": role}
        identity["sessionContext"] = {"sessionIssuer": issuer}
    event["detail"] |= {
        "eventName": event_name,
        "userIdentity": identity,
        "requestParameters": request,
        "responseElements": None if error_code else response,
    }
    return event


def bad_share_events() -> list[tuple[str, Any]]:
    """Share events the share function must reject, each with its name."""
    bad_permission = share_event("CreateWorkloadShare")
    bad_permission["detail"]["requestParameters"]["PermissionType"] = "OWNER"
    no_workload = share_event("DeleteWorkloadShare")
    no_workload["detail"] |= {"requestParameters": {"ShareId": "a" * 32}, "responseElements": None}
    conflicting = share_event("UpdateWorkloadShare")
    conflicting["detail"]["responseElements"]["WorkloadId"] = "f" * 32
    return [
        ("failed create share", share_event("CreateWorkloadShare", error_code="ValidationException")),
        ("failed delete share", share_event("DeleteWorkloadShare", error_code="AccessDeniedException")),
        ("other source", share_event("UpdateWorkloadShare") | {"source": "aws.ec2"}),
        ("other event name", share_event("CreateWorkloadShare") | {"detail": {"eventName": "UpdateShareInvitation"}}),
        ("bad permission", bad_permission),
        ("no workload", no_workload),
        ("conflicting workload ids", conflicting),
    ]


def scripted_clock(first_ms: int, *, then: int) -> Callable[[], int]:
    """An invocation's remaining time: `first_ms` on the first reading, `then` on every later one."""
    readings = iter([first_ms])
    return lambda: next(readings, then)


def sqs_record(body: str, queue_url: str, receive_count: int = 1) -> dict[str, Any]:
    """An SQS event record as the event source mapping hands it to the worker."""
    account, name = queue_url.split("/")[-2:]
    return {
        "messageId": str(uuid.uuid4()),
        "receiptHandle": uuid.uuid4().hex,
        "body": body,
        "attributes": {"ApproximateReceiveCount": str(receive_count), "SentTimestamp": "0"},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:us-east-1:{account}:{name}",
        "awsRegion": "us-east-1",
    }
