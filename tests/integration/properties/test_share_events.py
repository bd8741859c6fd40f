"""Property: whatever the share function is handed, it answers with a clear error or a correct share request.

Bulk (1,000 examples): the event parser, against an independent oracle. A smaller sample goes through the
real handler on the sandbox: an invalid event makes exactly one AWS call, the SendMessage that keeps it
whole on the failure queue, and is never retried.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings

from tests.integration.properties import oracles
from tests.integration.properties.strategies import EVENTS
from tests.support.iam_actions import iam_action
from tests.support.request_log import REQUESTS, install_request_log
from wa_share.realtime.events import InvalidEvent, WorkloadCreated, parse_create_workload
from wa_share_sandbox.deployment import Deployment
from wa_share_sandbox.organization import SimulatedOrganization
from wa_share_sandbox.runner import FunctionRunner

# The event itself, and every field of EventBridge's envelope (Powertools' EventBridgeModel)
TOP_LEVEL_FIELDS = frozenset(
    {"event", "version", "id", "source", "account", "time", "region", "resources", "detail-type", "detail"}
) | {"replay-name"}


def names_a_field(problem: str) -> bool:
    """ "<field path>: <what is wrong>", the path starting at a field of the event."""
    field, _, what = problem.partition(": ")
    return bool(what) and field.split(".")[0] in TOP_LEVEL_FIELDS


@settings(max_examples=1000, deadline=None)
@given(event=EVENTS)
def test_an_event_is_parsed_exactly_when_valid_else_rejected_naming_the_field(event: Any) -> None:
    expected = oracles.workload_id_of(event)
    created = _parsed(event)  # any other exception type fails the test
    if isinstance(created, InvalidEvent):
        assert expected is None, f"a valid event was rejected: {created}"
        assert created.problems
        assert all(names_a_field(problem) for problem in created.problems), created.problems
        json.dumps({"problems": created.problems, "event_id": created.event_id})  # loggable as they are
        return
    assert expected is not None, f"an invalid event was accepted: {created}"
    detail = event["detail"]
    assert (created.workload_id, created.account_id, created.region) == (
        expected,
        detail["recipientAccountId"],
        detail["awsRegion"],
    )


def _parsed(event: Any) -> WorkloadCreated | InvalidEvent:
    try:
        return parse_create_workload(event)
    except InvalidEvent as invalid:
        return invalid


def _drain(org: SimulatedOrganization, queue_url: str) -> list[dict[str, Any]]:
    sqs, messages = org.client(org.automation, "sqs"), []
    while batch := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
        for message in batch:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        messages.extend(batch)
    return messages


@pytest.fixture
def share_runner(deployment: Deployment) -> FunctionRunner:
    """One runner for all examples (fixtures are not rebuilt per example): the function stays warm."""
    install_request_log()
    return FunctionRunner(deployment)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(event=EVENTS)
def test_the_share_function_keeps_an_invalid_event_whole_with_one_call_and_no_retry(
    share_runner: FunctionRunner, event: Any
) -> None:
    assume(oracles.workload_id_of(event) is None)
    runner, deployment = share_runner, share_runner.deployment
    with REQUESTS.recording() as recording:
        invocation = runner.invoke("share", event)
    assert invocation.error is None, f"raised, so Lambda would retry it: {invocation.error}"
    assert invocation.result["status"] == "rejected"
    assert all(names_a_field(problem) for problem in invocation.result["problems"])
    failure_queue = deployment.queue_urls["ShareFailureQueue"]
    calls = [(iam_action(r.service, r.operation), r.params.get("QueueUrl")) for r in recording.requests]
    assert calls == [("sqs:SendMessage", failure_queue)]
    [kept] = _drain(deployment.org, failure_queue)
    assert json.loads(kept["Body"])["requestPayload"] == event
