"""Sweep messages and plans without AWS: work items, schedule events, the summary line, queue sending."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.session import Session
from botocore.stub import Stubber

from tests.support.factories import scheduled_event
from wa_share.aws.access import AwsError, ErrorKind
from wa_share.aws.sqs import QueueSendError, send_batches
from wa_share.rules.sharing import Outcome, ShareResult
from wa_share.runtime.schedule import InvalidScheduleEvent, parse_schedule
from wa_share.sweep.account import AccountSweep, Failure
from wa_share.sweep.planner import active_accounts, sweep_id_of
from wa_share.sweep.work_items import InvalidWorkItem, WorkItem, parse_work_item, work_items_for

ACCOUNT = "111122223333"
QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/wa-share-SweepQueue"


def client(service: str) -> Any:
    return Session().create_client(
        service, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )


def test_a_work_item_is_small_and_round_trips() -> None:
    item = WorkItem(account_id=ACCOUNT, sweep_id="nightly-1")
    assert json.loads(item.to_message()) == {"account_id": ACCOUNT, "sweep_id": "nightly-1", "dry_run": False}
    targeted = WorkItem(account_id=ACCOUNT, sweep_id="manual", dry_run=True, regions=("eu-west-1",))
    assert parse_work_item(targeted.to_message()) == targeted


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("", "body"),
        ("[]", "body"),
        ('{"sweep_id": "s"}', "account_id"),
        ('{"account_id": 111122223333, "sweep_id": "s"}', "account_id"),
        ('{"account_id": "111122223333", "sweep_id": ""}', "sweep_id"),
        ('{"account_id": "111122223333", "sweep_id": "s", "regions": ["moon-1"]}', "regions.0"),
        ('{"account_id": "111122223333", "sweep_id": "s", "AccessKeyId": "AKIA"}', "AccessKeyId"),
    ],
)
def test_an_invalid_work_item_names_the_field(body: str, field: str) -> None:
    with pytest.raises(InvalidWorkItem) as raised:
        parse_work_item(body)
    assert any(problem.startswith(f"{field}: ") for problem in raised.value.problems), raised.value.problems
    assert str(raised.value).startswith("invalid sweep work item: ")


def test_the_plan_has_one_item_per_account_once() -> None:
    items = work_items_for(["111111111111", "222222222222", "111111111111"], sweep_id="nightly", dry_run=True)
    assert [item.account_id for item in items] == ["111111111111", "222222222222"]
    assert {(item.sweep_id, item.dry_run) for item in items} == {("nightly", True)}


def test_the_cli_and_the_planner_build_items_the_same_way() -> None:
    """Regions once each (an operator's --region twice), each account with its own slice, or none."""
    slices = {"111111111111": {"us-east-1": frozenset({"a" * 32}), "eu-west-1": frozenset()}}
    items = work_items_for(
        ["111111111111", "222222222222"], sweep_id="s", regions=["us-east-1", "us-east-1"], slices=slices
    )
    assert [(item.regions, item.known_live) for item in items] == [
        (("us-east-1",), {"us-east-1": ("a" * 32,)}),
        (("us-east-1",), None),
    ]
    assert parse_work_item(items[0].to_message()) == items[0]
    assert work_items_for(["111111111111"], sweep_id="s")[0].regions is None


@pytest.mark.parametrize("source", ["aws.events", "aws.scheduler"])
def test_the_sweep_id_is_the_schedule_event_id(source: str) -> None:
    event = scheduled_event(event_id="e-1", source=source)
    assert sweep_id_of(event) == "e-1"


def test_the_schedulers_empty_detail_string_is_read_as_an_empty_object() -> None:
    """EventBridge Scheduler sends no payload as the string "{}" (Powertools' model knows); a rule never does."""
    assert sweep_id_of(scheduled_event(event_id="e-1", source="aws.scheduler") | {"detail": "{}"}) == "e-1"
    with pytest.raises(InvalidScheduleEvent, match="detail"):
        sweep_id_of(scheduled_event(event_id="e-1") | {"detail": "{}"})


def test_a_schedule_without_a_zone_is_read_as_utc_and_one_without_time_is_refused() -> None:
    assert parse_schedule(scheduled_event(time="2026-01-07T03:00:00"), function="planner").time == datetime(
        2026, 1, 7, 3, tzinfo=UTC
    )
    with pytest.raises(InvalidScheduleEvent, match="time: Field required"):
        parse_schedule({key: value for key, value in scheduled_event().items() if key != "time"}, function="planner")


def test_a_schedule_event_without_its_detail_type_is_refused() -> None:
    # (A planner without SWEEP_QUEUE_URL fails earlier, at its cold start: tests/unit/test_settings.py.)
    with pytest.raises(InvalidScheduleEvent, match="detail-type"):
        sweep_id_of({"id": "e-1", "source": "aws.events"})


def test_accounts_are_read_across_empty_pages_and_only_active_ones_kept() -> None:
    organizations = client("organizations")
    with Stubber(organizations) as stub:
        stub.add_response("list_accounts", {"Accounts": [], "NextToken": "t1"}, {"MaxResults": 20})
        page = {
            "Accounts": [
                {"Id": "111111111111", "State": "ACTIVE"},
                {"Id": "222222222222", "State": "SUSPENDED"},
                {"Id": "333333333333", "State": "PENDING_CLOSURE"},
                {"Id": "444444444444", "Status": "ACTIVE"},  # before Account.State existed
            ],
            "NextToken": "t2",
        }
        stub.add_response("list_accounts", page, {"MaxResults": 20, "NextToken": "t1"})
        last = {"Accounts": [{"Id": "555555555555", "State": "ACTIVE"}]}
        stub.add_response("list_accounts", last, {"MaxResults": 20, "NextToken": "t2"})
        assert active_accounts(organizations) == ["111111111111", "444444444444", "555555555555"]


def test_a_token_that_comes_back_twice_stops_the_listing_with_a_permanent_error() -> None:
    organizations = client("organizations")
    with Stubber(organizations) as stub:
        stub.add_response("list_accounts", {"Accounts": [], "NextToken": "t1"}, {"MaxResults": 20})
        stub.add_response("list_accounts", {"Accounts": [], "NextToken": "t1"}, {"MaxResults": 20, "NextToken": "t1"})
        with pytest.raises(
            AwsError, match="organizations:ListAccounts on organization failed: PaginationError"
        ) as raised:
            active_accounts(organizations)
    assert raised.value.kind is ErrorKind.PERMANENT


def _batch_result(ok: list[int], failed: list[int]) -> dict[str, Any]:
    return {
        "Successful": [{"Id": str(i), "MessageId": f"m{i}", "MD5OfMessageBody": "x"} for i in ok],
        "Failed": [{"Id": str(i), "SenderFault": False, "Code": "InternalError"} for i in failed],
    }


def test_entries_sqs_refuses_are_sent_again_then_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("wa_share.aws.sqs.time.sleep", lambda _seconds: None)
    sqs, bodies = client("sqs"), [f"body-{index}" for index in range(12)]
    with Stubber(sqs) as stub:
        stub.add_response("send_message_batch", _batch_result([i for i in range(10) if i != 3], [3]))
        again = {"QueueUrl": QUEUE, "Entries": [{"Id": "3", "MessageBody": "body-3"}]}
        stub.add_response("send_message_batch", _batch_result([3], []), again)
        stub.add_response("send_message_batch", _batch_result([0], [1]))  # the second batch: body-10, body-11
        stub.add_response("send_message_batch", _batch_result([], [1]))
        with pytest.raises(QueueSendError, match="failed for 1 messages"):
            send_batches(sqs, QUEUE, bodies, attempts=2)
        stub.assert_no_pending_responses()


def _sweep_with_failures(count: int) -> AccountSweep:
    sweep = AccountSweep("s", ACCOUNT, dry_run=False, regions=["us-east-1", "eu-west-1"])
    sweep.results = [ShareResult("w" * 32, "999988887777", Outcome.CREATED)]
    sweep.failures = [
        Failure("eu-west-1", f"workload {index:032d} in eu-west-1", "ThrottlingException", "slow down", True)
        for index in range(count)
    ]
    return sweep


def test_the_summary_line_cannot_collide_with_log_record_attributes() -> None:
    reserved = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
    assert not reserved & set(_sweep_with_failures(1).summary())  # "created" once crashed every summary line


def test_the_summary_shows_ten_failures_and_counts_the_rest() -> None:
    summary = _sweep_with_failures(25).summary()
    assert (summary["failed"], summary["shares_created"], summary["regions"]) == (25, 1, 2)
    failures = summary["failures"]
    assert isinstance(failures, list)
    assert len(failures) == 11
    assert failures[-1] == "… and 15 more"


def test_the_retry_reason_names_the_regions_and_the_first_failure() -> None:
    reason = _sweep_with_failures(3).retry_reason()
    assert reason == (f"3 transient failures in eu-west-1; first: workload {0:032d} in eu-west-1: slow down")


def test_a_schedule_field_is_read_by_its_eventbridge_name_only() -> None:
    event = {key: value for key, value in scheduled_event().items() if key != "detail-type"}
    with pytest.raises(InvalidScheduleEvent, match="detail-type: Field required"):
        sweep_id_of(event | {"detail_type": "Scheduled Event"})
