from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.support.factories import create_workload_event
from wa_share.realtime.events import InvalidEvent, parse_create_workload
from wa_share.realtime.new_workload import is_fresh

WORKLOAD = "8cdcdf7add10b181fdd3f686dacffdac"


@pytest.mark.parametrize("style", ["WorkloadId", "Id"])
def test_both_response_element_styles_parse(style: str) -> None:
    event = create_workload_event(style=style, event_id="e-1")
    created = parse_create_workload(event)
    assert (created.event_id, created.account_id, created.region, created.workload_id) == (
        "e-1",
        "444455556666",
        "us-west-2",
        WORKLOAD,
    )


def test_owner_comes_from_the_detail_not_the_rewritten_envelope() -> None:
    event = create_workload_event(envelope_account="999999999999")
    assert parse_create_workload(event).account_id == "444455556666"


def test_id_from_arn_alone() -> None:
    event = create_workload_event()
    event["detail"]["responseElements"] = {"Arn": f"arn:aws:wellarchitected:us-west-2:444455556666:workload/{WORKLOAD}"}
    assert parse_create_workload(event).workload_id == WORKLOAD


def test_replay_name_is_kept() -> None:
    event = create_workload_event() | {"replay-name": "wa-share-20261128"}
    assert parse_create_workload(event).replay_name == "wa-share-20261128"


def _without(path: list[str]) -> dict[str, Any]:
    event = create_workload_event(event_id="e-bad")
    target = event
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return event


def _with(path: list[str], value: Any) -> dict[str, Any]:
    event = create_workload_event(event_id="e-bad")
    target = event
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return event


@pytest.mark.parametrize(
    ("event", "field"),
    [
        (_without(["detail"]), "detail"),
        (_with(["detail"], "not an object"), "detail"),
        (_without(["detail", "recipientAccountId"]), "detail.recipientAccountId"),
        (_with(["detail", "recipientAccountId"], "12345"), "detail.recipientAccountId"),
        (_with(["detail", "awsRegion"], "Mars"), "detail.awsRegion"),
        (_without(["detail", "eventID"]), "detail.eventID"),
        (_with(["detail", "eventName"], "CreateWorkloadShare"), "detail.eventName"),
        (_with(["detail", "eventSource"], "ec2.amazonaws.com"), "detail.eventSource"),
        (_with(["source"], "aws.ec2"), "source"),
        (_with(["detail-type"], "Object Created"), "detail-type"),
        (_with(["detail", "responseElements"], None), "detail.responseElements"),
        (_with(["detail", "responseElements"], {}), "detail.responseElements"),
        (_with(["detail", "responseElements"], {"WorkloadId": "XYZ"}), "detail.responseElements.WorkloadId"),
        (_with(["detail", "responseElements"], {"WorkloadId": "A" * 32}), "detail.responseElements.WorkloadId"),
        (
            _with(["detail", "responseElements"], {"WorkloadId": WORKLOAD, "Id": "0" * 32}),
            "conflicting workload IDs",
        ),
        (
            _with(
                ["detail", "responseElements"],
                {"Arn": f"arn:aws:wellarchitected:eu-west-1:444455556666:workload/{WORKLOAD}"},
            ),
            "WorkloadArn",
        ),
        (_with(["detail", "responseElements"], {"Arn": "arn:aws:s3:::bucket"}), "WorkloadArn"),
        (_with(["replay-name"], "\ud800"), "replay-name"),  # a lone surrogate: found by tests/integration/properties
        # EventBridge's envelope (Powertools' EventBridgeModel): what EventBridge always sends is required
        (_without(["time"]), "time: Field required"),
        (_with(["time"], "yesterday"), "time: Input should be a valid datetime"),
        (_without(["version"]), "version: Field required"),
        (_with(["resources"], "arn:aws:wellarchitected"), "resources: Input should be a valid list"),
        (_without(["account"]), "account: Field required"),
        ({**_without(["detail-type"]), "detail_type": "AWS API Call via CloudTrail"}, "detail-type: Field required"),
    ],
)
def test_bad_input_names_the_field(event: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidEvent, match=field) as raised:
        parse_create_workload(event)
    assert raised.value.event_id in {"e-bad", event["id"]}


def test_a_failed_call_is_rejected_with_its_error_code() -> None:
    event = create_workload_event(error_code="ValidationException", event_id="e-failed")
    with pytest.raises(InvalidEvent, match=r"detail.errorCode.*ValidationException") as raised:
        parse_create_workload(event)
    assert raised.value.event_id == "e-failed"


@pytest.mark.parametrize("event", [None, [], "CreateWorkload", 42])
def test_non_objects_are_rejected(event: Any) -> None:
    with pytest.raises(InvalidEvent, match="expected a JSON object"):
        parse_create_workload(event)


def test_event_time_is_read_with_its_zone() -> None:
    assert parse_create_workload(create_workload_event()).event_time == datetime(2020, 10, 14, 4, 43, 13, tzinfo=UTC)


@pytest.mark.parametrize("value", [None, "", "yesterday", 1602650593, ["2020-10-14T04:43:13Z"], "2020-10-14T04:43:13"])
def test_a_bad_event_time_does_not_reject_the_event(value: Any) -> None:
    event = create_workload_event()
    event["detail"]["eventTime"] = value
    created = parse_create_workload(event)
    assert (created.workload_id, created.event_time) == (WORKLOAD, None)
    del event["detail"]["eventTime"]
    assert parse_create_workload(event).event_time is None


NOW = datetime(2026, 12, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("event_time", "replayed", "fresh"),
    [
        ("2026-12-01T11:59:30Z", False, True),  # first received 30 s after it: one call
        ("2026-12-01T12:00:05Z", False, True),  # a clock a little ahead of ours
        ("2026-12-01T11:58:55Z", False, False),  # 65 s: maybe a second delivery, list first
        ("2026-12-01T11:59:30Z", True, False),  # a replay is never fresh
        ("not a time", False, False),  # unreadable: list first, never rejected
        ([], False, False),  # not even a string
        (None, False, False),
    ],
)
def test_only_an_event_first_received_seconds_after_it_and_untouched_takes_the_one_call_path(
    event_time: object, replayed: bool, fresh: bool
) -> None:
    event = create_workload_event()
    if event_time is None:
        del event["detail"]["eventTime"]
    else:
        event["detail"]["eventTime"] = event_time
    if replayed:
        event["replay-name"] = "wa-share-replay-1"
    created = parse_create_workload(event)
    assert is_fresh(created, NOW) is fresh  # first received NOW, nothing of it acted on yet
    assert is_fresh(created, None) is False  # a receive may have acted on it: list first, always
    assert created.workload_id == "8cdcdf7add10b181fdd3f686dacffdac"  # the event itself is valid either way
