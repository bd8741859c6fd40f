"""Property: whatever lands on the sweep queue, the worker answers with a clear error or a correct work item.

Bulk (1,000 examples): `parse_work_item` against an independent oracle; its error names each wrong field
and fits in an SQS message attribute. A smaller sample goes through the real worker on the sandbox: an
invalid message makes exactly one AWS call, the SendMessage that keeps it whole on the dead-letter queue
with its reason, and is not failed back to the queue (retrying cannot make it valid).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings

from tests.integration.properties import oracles
from tests.integration.properties.strategies import WORK_ITEM_BODIES
from tests.integration.security.workout import sqs_record
from tests.support.iam_actions import iam_action
from tests.support.request_log import REQUESTS, install_request_log
from wa_share.sweep.work_items import InvalidWorkItem, WorkItem, parse_work_item
from wa_share_sandbox.deployment import Deployment
from wa_share_sandbox.organization import SimulatedOrganization
from wa_share_sandbox.runner import FunctionRunner

FIELDS = ("body", "account_id", "sweep_id", "dry_run", "regions")
REASON_LIMIT = 4096  # what the worker keeps of a reason (queues.MAX_REASON)


def names_a_field(problem: str, body: str) -> bool:
    """ "<field>: <what is wrong>": one of the item's fields, or an unexpected key of the body (maybe quoted)."""
    if problem.startswith('"'):  # a quoted key, which may hold ": " itself
        key, end = json.JSONDecoder().raw_decode(problem)
        return problem[end:].startswith(": ") and key in _keys(body)
    field, _, what = problem.partition(": ")
    return bool(what) and (field.split(".")[0] in FIELDS or field in _keys(body))


def _keys(body: str) -> set[str]:
    try:
        document = json.loads(body)
    except ValueError:
        return set()
    return set(document) if isinstance(document, dict) else set()


@settings(max_examples=1000, deadline=None)
@given(body=WORK_ITEM_BODIES)
def test_a_message_is_parsed_exactly_when_valid_else_rejected_naming_the_field(body: str) -> None:
    expected = oracles.work_item_of(body)
    item = _parsed(body)  # any other exception type fails the test
    if isinstance(item, InvalidWorkItem):
        assert expected is None, f"a valid work item was rejected: {item}"
        assert item.problems
        assert all(names_a_field(problem, body) for problem in item.problems), item.problems
        assert oracles.sqs_accepts(str(item)[:REASON_LIMIT]), f"SQS would refuse this reason: {item!s:.200}"
        return
    assert expected is not None, f"an invalid work item was accepted: {item}"
    assert (item.account_id, item.sweep_id) == (expected["account_id"], expected["sweep_id"])


def _parsed(body: str) -> WorkItem | InvalidWorkItem:
    try:
        return parse_work_item(body)
    except InvalidWorkItem as invalid:
        return invalid


@pytest.fixture
def worker_runner(deployment: Deployment) -> FunctionRunner:
    """One runner for all examples (fixtures are not rebuilt per example): the function stays warm."""
    install_request_log()
    return FunctionRunner(deployment)


def _take_one(org: SimulatedOrganization, queue_url: str) -> dict[str, Any]:
    sqs = org.client(org.automation, "sqs")
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
    [message] = messages["Messages"]
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return dict(message)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=WORK_ITEM_BODIES)
def test_the_worker_keeps_an_invalid_message_whole_on_the_dead_letter_queue_with_one_call(
    worker_runner: FunctionRunner, body: str
) -> None:
    assume(oracles.work_item_of(body) is None and oracles.sqs_accepts(body))  # SQS delivers only such bodies
    deployment = worker_runner.deployment
    dead_letters = deployment.queue_urls["SweepDeadLetterQueue"]
    with REQUESTS.recording() as recording:
        invocation = worker_runner.invoke(
            "worker", {"Records": [sqs_record(body, deployment.queue_urls["SweepQueue"])]}
        )
    assert invocation.error is None, invocation.error
    assert invocation.result == {"batchItemFailures": []}, "failed back to the queue: it would come back forever"
    calls = [(iam_action(r.service, r.operation), r.params.get("QueueUrl")) for r in recording.requests]
    assert calls == [("sqs:SendMessage", dead_letters)]
    kept = _take_one(deployment.org, dead_letters)
    reason = kept["MessageAttributes"]["wa_share_error"]["StringValue"]
    assert kept["Body"] == body
    assert reason.startswith("invalid sweep work item: ")
    assert oracles.sqs_accepts(reason), f"SQS would refuse this reason: {reason:.200}"
