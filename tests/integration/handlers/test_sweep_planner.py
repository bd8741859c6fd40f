"""The sweep planner on moto: the real handler, its role in the automation account (a delegated admin)."""

from __future__ import annotations

import json
from typing import Any

from tests.support.request_log import install_request_log
from wa_share.sweep.reviews_side import REVIEWS_SIDE_SCOPE
from wa_share.sweep.work_items import parse_work_item
from wa_share_sandbox.deployment import Deployment
from wa_share_sandbox.metering import METER
from wa_share_sandbox.organization import SimulatedOrganization
from wa_share_sandbox.runner import FunctionRunner

SCHEDULE = {
    "version": "0",
    "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "account": "123456789012",
    "time": "2026-01-01T03:00:00Z",
    "region": "us-east-1",
    "resources": ["arn:aws:events:us-east-1:123456789012:rule/wa-share-nightly"],
    "detail": {},
}


def queued(org: SimulatedOrganization, deployment: Deployment) -> list[str]:
    sqs, bodies = org.client(org.automation, "sqs"), list[str]()
    url = deployment.queue_urls["SweepQueue"]
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        bodies.extend(message["Body"] for message in batch)
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return bodies


def test_every_active_account_is_enqueued_across_pages_with_no_credentials(
    org: SimulatedOrganization, deployment: Deployment, runner: FunctionRunner
) -> None:
    organizations = org.client(org.management, "organizations")
    extra = [
        organizations.create_account(AccountName=f"extra-{index:02d}", Email=f"extra-{index:02d}@example.com")[
            "CreateAccountStatus"
        ]["AccountId"]
        for index in range(18)
    ]
    closed = extra.pop()
    organizations.close_account(AccountId=closed)
    expected = {*org.accounts, *extra}  # 22 active accounts: two ListAccounts pages of at most 20
    listed = METER.snapshot()["organizations:ListAccounts"]

    invocation = runner.invoke("planner", SCHEDULE)

    assert invocation.error is None
    assert invocation.result == {"sweep_id": SCHEDULE["id"], "accounts": 22, "enqueued": 22, "full_sweep": False}
    assert METER.snapshot()["organizations:ListAccounts"] - listed == 2
    bodies = queued(org, deployment)
    items = [parse_work_item(body) for body in bodies]
    assert {item.account_id for item in items} == expected  # the management account included, the closed one not
    assert org.management in expected
    assert len(items) == len(expected)
    assert {(item.sweep_id, item.dry_run, item.regions) for item in items} == {(SCHEDULE["id"], False, None)}
    for body in bodies:  # small work items, never credentials
        assert set(json.loads(body)) == {"account_id", "sweep_id", "dry_run"}


NOT_SCHEDULES: dict[str, tuple[Any, str]] = {
    "empty": ({}, "id"),
    "a CloudTrail event": (SCHEDULE | {"source": "aws.wellarchitected"}, "source"),
    "another detail type": (SCHEDULE | {"detail-type": "AWS API Call via CloudTrail"}, "detail-type"),
    "no id": ({key: value for key, value in SCHEDULE.items() if key != "id"}, "id"),
    "not an object": (["Scheduled Event"], "event"),
}


def test_anything_but_the_schedule_event_is_refused_naming_the_field_before_any_call(
    org: SimulatedOrganization, deployment: Deployment, runner: FunctionRunner
) -> None:
    for name, (event, field) in NOT_SCHEDULES.items():
        invocation = runner.invoke("planner", event)

        assert invocation.error is not None, name
        assert invocation.error.startswith("InvalidScheduleEvent: not a scheduled event"), name
        assert field in invocation.error, name
        assert invocation.calls == 0, name
    assert queued(org, deployment) == []


WEDNESDAY = SCHEDULE | {"id": "3e7a1f0c-1b8e-4c55-9d7e-0c4f5a9b2d11", "time": "2026-01-07T03:00:00Z"}


def test_the_planner_reads_the_reviews_side_through_a_session_policy_of_exactly_its_calls(
    org: SimulatedOrganization, deployment: Deployment, runner: FunctionRunner
) -> None:
    """The member role may also create, update and delete shares: the planner's sessions may only list."""
    requests = install_request_log()
    with requests.recording() as recording:
        invocation = runner.invoke("planner", WEDNESDAY)
    assert invocation.error is None, invocation.error
    assert invocation.result["full_sweep"] is False  # a night that reads the reviews side
    sessions = {
        key: params for key, params in recording.session_requests.items() if "role/wa-share-member" in params["RoleArn"]
    }
    assert [params["RoleArn"].split(":")[4] for params in sessions.values()] == [org.reviews]  # once, there only
    [(key, params)] = sessions.items()
    policy = json.loads(params["Policy"])
    [statement] = policy["Statement"]
    assert (statement["Effect"], statement["Resource"]) == ("Allow", "*")  # both actions take only "*"
    assert set(policy) == {"Version", "Statement"}
    assert set(statement) == {"Sid", "Effect", "Action", "Resource"}  # no NotAction, no Condition to widen it
    made = {f"{request.service}:{request.operation}" for request in recording.requests if request.access_key_id == key}
    assert made == set(statement["Action"]) == set(REVIEWS_SIDE_SCOPE.actions)
    assert made == {"ec2:DescribeRegions", "wellarchitected:ListWorkloads"}
