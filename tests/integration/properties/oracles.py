"""What valid input is, written again independently of the code under test (plain Python, ASCII classes).

If the code accepts something an oracle rejects, the code lets invalid input through to AWS; if it
rejects something an oracle accepts, it drops good input.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any, TypeGuard

from pydantic import TypeAdapter, ValidationError

ACCOUNT = re.compile(r"[0-9]{12}")
REGION = re.compile(r"[a-z]{2}(-gov)?-[a-z]+-[0-9]")
WORKLOAD_ID = re.compile(r"[0-9a-f]{32}")
WORKLOAD_ARN = re.compile(r"arn:aws[a-z-]*:wellarchitected:([a-z0-9-]+):([0-9]{12}):workload/([^/]+)")
# What SQS accepts in a message body or a String attribute (SendMessage, "Message").
SQS_TEXT = re.compile("[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")


def _text(value: Any) -> TypeGuard[str]:
    """A string of Unicode text: lone surrogates (possible after json.loads of "\\ud800") are not text."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _is(value: Any, pattern: re.Pattern[str]) -> bool:
    return _text(value) and pattern.fullmatch(value) is not None


def _optional_str(mapping: dict[str, Any], key: str) -> bool:
    return mapping.get(key) is None or _text(mapping.get(key))


_DATETIME = TypeAdapter(datetime)


def _envelope(event: dict[str, Any]) -> bool:
    """What EventBridge always sends (Powertools' EventBridgeModel): the fields the code does not read
    need only their type; the time is whatever pydantic reads as a datetime (its parser, not ours)."""
    try:
        _DATETIME.validate_python(event.get("time"))
    except ValidationError:
        return False
    resources = event.get("resources")
    return (
        all(isinstance(event.get(key), str) for key in ("version", "id", "account", "region"))
        and isinstance(resources, list)
        and all(isinstance(resource, str) for resource in resources)
    )


def workload_id_of(event: Any) -> str | None:
    """The workload ID a valid CreateWorkload event names, or None when the event is not valid."""
    if not isinstance(event, dict) or not _optional_str(event, "replay-name") or not _envelope(event):
        return None
    if event.get("source") != "aws.wellarchitected" or event.get("detail-type") != "AWS API Call via CloudTrail":
        return None
    detail = event.get("detail")
    if not isinstance(detail, dict) or not _valid_detail(detail):
        return None
    return _single_workload_id(detail)


def _valid_detail(detail: dict[str, Any]) -> bool:
    event_id = detail.get("eventID")
    return (
        detail.get("eventSource") == "wellarchitected.amazonaws.com"
        and detail.get("eventName") == "CreateWorkload"
        and _text(event_id)
        and 1 <= len(event_id) <= 128
        and _is(detail.get("awsRegion"), REGION)
        and _is(detail.get("recipientAccountId"), ACCOUNT)
        and detail.get("errorCode") is None
        and isinstance(detail.get("responseElements"), dict)
    )


def _single_workload_id(detail: dict[str, Any]) -> str | None:
    elements = detail["responseElements"]
    keys = ("WorkloadId", "Id", "WorkloadArn", "Arn")
    if not all(_optional_str(elements, key) for key in keys):
        return None
    ids = {elements[key] for key in ("WorkloadId", "Id") if elements.get(key)}
    arn = elements.get("WorkloadArn") or elements.get("Arn")
    if arn:
        match = WORKLOAD_ARN.fullmatch(arn)
        if match is None or (match[2], match[1]) != (detail["recipientAccountId"], detail["awsRegion"]):
            return None
        ids.add(match[3])
    if len(ids) != 1:
        return None
    (workload_id,) = ids
    return workload_id if WORKLOAD_ID.fullmatch(workload_id) else None


def work_item_of(body: str) -> dict[str, Any] | None:
    """The work item a valid sweep message holds, or None when the message is not valid."""
    try:
        item = json.loads(body)
    except ValueError:
        return None
    if not isinstance(item, dict) or set(item) - {"account_id", "sweep_id", "dry_run", "regions"}:
        return None
    sweep_id, regions = item.get("sweep_id"), item.get("regions")
    valid = (
        _is(item.get("account_id"), ACCOUNT)
        and _text(sweep_id)
        and 1 <= len(sweep_id) <= 128
        and isinstance(item.get("dry_run", False), bool)
        and (regions is None or (isinstance(regions, list) and regions and all(_is(r, REGION) for r in regions)))
    )
    return item if valid else None


def sqs_accepts(text: str) -> bool:
    return SQS_TEXT.fullmatch(text) is not None
