"""The share events: every name a record may use is read, what is missing stays None (the guard lists),
what is wrong rejects the event naming the field, and the dispatcher tells the four event kinds apart."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.support.factories import SHARE_ID, create_workload_event, share_event
from wa_share.realtime.events import InvalidEvent, WorkloadCreated
from wa_share.realtime.share_events import SHARE_EVENT_NAMES, ShareChanged, parse_event

WORKLOAD = "8cdcdf7add10b181fdd3f686dacffdac"
ARN = f"arn:aws:wellarchitected:us-west-2:444455556666:workload/{WORKLOAD}"


def parsed(event: dict[str, Any]) -> ShareChanged:
    result = parse_event(event)
    assert isinstance(result, ShareChanged)
    return result


def test_the_dispatcher_tells_create_workload_from_the_share_calls() -> None:
    assert isinstance(parse_event(create_workload_event()), WorkloadCreated)
    for name in SHARE_EVENT_NAMES:
        assert parsed(share_event(name)).event_name == name


@pytest.mark.parametrize("name", SHARE_EVENT_NAMES)
def test_api_member_names_are_read(name: str) -> None:
    change = parsed(share_event(name, shared_with="111122223333", permission="CONTRIBUTOR"))
    assert (change.account_id, change.region, change.workload_id, change.share_id) == (
        "444455556666",
        "us-west-2",
        WORKLOAD,
        SHARE_ID,
    )
    if name != "DeleteWorkloadShare":  # a delete's record names neither principal nor permission
        assert (change.shared_with, change.permission) == ("111122223333", "CONTRIBUTOR")
    else:
        assert (change.shared_with, change.permission) == (None, None)


def _short_forms(event: dict[str, Any]) -> None:
    detail = event["detail"]
    detail["requestParameters"] = {"Id": WORKLOAD, "ShareId": SHARE_ID, "PermissionType": "READONLY"}
    detail["responseElements"] = None


def _arn_only(event: dict[str, Any]) -> None:
    event["detail"]["requestParameters"] = {"WorkloadArn": ARN}
    event["detail"]["responseElements"] = None


@pytest.mark.parametrize("shape", [_short_forms, _arn_only])
def test_short_forms_are_read_and_missing_fields_stay_unknown(shape: Callable[[dict[str, Any]], None]) -> None:
    event = share_event("UpdateWorkloadShare")
    shape(event)
    change = parsed(event)
    assert change.workload_id == WORKLOAD
    assert change.shared_with is None  # the guard lists the workload's shares rather than guess


def test_the_caller_is_read_from_user_identity() -> None:
    change = parsed(
        share_event("CreateWorkloadShare", caller="arn:aws:sts::444455556666:assumed-role/wa-share-member/wa-share")
    )
    assert (change.caller_role, change.caller_arn) == (
        "wa-share-member",
        "arn:aws:sts::444455556666:assumed-role/wa-share-member/wa-share",
    )
    event = share_event("CreateWorkloadShare")
    del event["detail"]["userIdentity"]["sessionContext"]  # no issuer: the STS ARN names the role
    assert parsed(event).caller_role == "Admin"
    user = parsed(share_event("CreateWorkloadShare", caller="arn:aws:iam::444455556666:user/bob"))
    assert (user.caller_role, user.caller_arn) == (None, "arn:aws:iam::444455556666:user/bob")


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(event: dict[str, Any]) -> None:
        target = event
        *parents, last = path.split(".")
        for key in parents:
            target = target[key]
        target[last] = value

    return change


def _no_workload(event: dict[str, Any]) -> None:
    event["detail"] |= {"requestParameters": {"SharedWith": "111122223333"}, "responseElements": None}


BAD: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "failed call": (_set("detail.errorCode", "AccessDeniedException"), "detail.errorCode"),
    "other source": (_set("source", "aws.ec2"), "source"),
    "other event name": (_set("detail.eventName", "DeleteWorkload"), "detail.eventName"),
    "bad workload id": (_set("detail.requestParameters.WorkloadId", "nope"), "requestParameters.WorkloadId"),
    "conflicting ids": (_set("detail.responseElements.WorkloadId", "f" * 32), "conflicting workload IDs"),
    "no workload": (_no_workload, "no WorkloadId"),
    "bad share id": (_set("detail.responseElements.ShareId", "../x"), "responseElements.ShareId"),
    "bad permission": (_set("detail.requestParameters.PermissionType", "OWNER"), "neither READONLY"),
    "principal not text": (_set("detail.requestParameters.SharedWith", ["1"]), "requestParameters.SharedWith"),
    "huge principal": (_set("detail.requestParameters.SharedWith", "x" * 5000), "requestParameters.SharedWith"),
    "bad region": (_set("detail.awsRegion", "mars-1"), "detail.awsRegion"),
    "arn of another account": (
        _set("detail.requestParameters", {"WorkloadArn": ARN.replace("444455556666", "111111111111")}),
        "account or region differs",
    ),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_share_event_is_rejected_naming_the_field(case: str) -> None:
    change, named = BAD[case]
    event = share_event("CreateWorkloadShare")
    change(event)
    with pytest.raises(InvalidEvent) as rejected:
        parse_event(event)
    assert any(named in problem for problem in rejected.value.problems), rejected.value.problems


@pytest.mark.parametrize("event", ["text", [], {"detail": "text"}, {"detail": {"eventName": 7}}])
def test_anything_else_is_rejected_not_crashed_on(event: Any) -> None:
    with pytest.raises(InvalidEvent):
        parse_event(event)
