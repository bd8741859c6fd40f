"""The share queue's transport on moto's SQS: what a throttled event's copy carries, when it is given up,
and that a real failure keeps its own tries. The handler is a stand-in that raises what the domain raises:
the transport is under test here; the share function's own runs are in test_share_function.py."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import boto3
import pytest

import wa_share.realtime.queue as share_queue
from tests.support.factories import create_workload_event
from wa_share.aws.access import AwsError, ErrorKind, ThrottledBeforeChange
from wa_share.realtime.queue import (
    EARLIER_RECEIVES,
    SHARE_MAX_RECEIVES,
    UNTOUCHED_SINCE,
    ShareQueue,
    share_batch,
)
from wa_share.runtime.deadline import Deadline
from wa_share_sandbox.clock import CLOCK, install_sqs_clock
from wa_share_sandbox.lambda_shapes import sqs_record

LATER = 61.0  # seconds: past any deferral's delay (THROTTLE_BACKOFF's cap is 60)


def _throttle(kind: type[AwsError] = AwsError, code: str = "ThrottlingException") -> AwsError:
    error_kind = ErrorKind.RETRYABLE
    return kind(kind=error_kind, code=code, operation="wellarchitected:CreateWorkloadShare", resource="r", message="m")


@dataclass
class Transport:
    sqs: Any
    queue: ShareQueue
    seen: list[tuple[str, datetime | None]] = field(default_factory=list)  # (workload, untouched_since) per try

    def send(self, event: dict[str, Any], numbers: dict[str, str] | None = None) -> None:
        attributes = {name: {"DataType": "Number", "StringValue": value} for name, value in (numbers or {}).items()}
        self.sqs.send_message(
            QueueUrl=self.queue.queue_url, MessageBody=json.dumps(event), MessageAttributes=attributes
        )

    def receive(self) -> list[dict[str, Any]]:
        response = self.sqs.receive_message(
            QueueUrl=self.queue.queue_url,
            MaxNumberOfMessages=10,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        return list(response.get("Messages", []))

    def run(self, answer: Callable[[str], None]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """One batch of what is visible; `answer(workload)` raises what the domain would. Returns the records
        handed over and the batch's answer; settled messages are deleted, as the event source does."""
        messages = self.receive()
        records = [sqs_record(message, self.queue.queue_url) for message in messages]

        def handle(event: Any, untouched_since: datetime | None) -> None:
            workload = event["detail"]["responseElements"]["WorkloadId"]
            self.seen.append((workload, untouched_since))
            answer(workload)

        answered = share_batch(records, handle, self.queue, Deadline())
        failed = {item["itemIdentifier"] for item in answered["batchItemFailures"]}
        for message in messages:
            if message["MessageId"] not in failed:
                self.sqs.delete_message(QueueUrl=self.queue.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return records, answered

    def failure_records(self) -> list[dict[str, Any]]:
        response = self.sqs.receive_message(QueueUrl=self.queue.failure_queue_url, MaxNumberOfMessages=10)
        return [json.loads(message["Body"]) for message in response.get("Messages", [])]


@pytest.fixture
def transport(moto_aws: None) -> Iterator[Transport]:
    install_sqs_clock()
    CLOCK.set_now(0.0)
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="share")["QueueUrl"]
    failures = sqs.create_queue(QueueName="share-failures")["QueueUrl"]
    yield Transport(sqs, ShareQueue(sqs, url, failures, function_arn="arn:function", request_id="request"))
    CLOCK.release()


def _event(workload: str, account: str = "111122223333", region: str = "eu-west-1") -> dict[str, Any]:
    return create_workload_event(account_id=account, region=region, workload_id=workload)


WORKLOAD = "8cdcdf7add10b181fdd3f686dacffd01"


def _never(_workload: str) -> None:
    """The stand-in for a share that succeeded."""


def _raise(error: AwsError) -> Callable[[str], None]:
    def answer(_workload: str) -> None:
        raise error

    return answer


def test_a_throttle_before_any_change_is_sent_back_keeping_the_first_receive(transport: Transport) -> None:
    transport.send(_event(WORKLOAD))
    [record], answered = transport.run(_raise(_throttle(ThrottledBeforeChange)))
    assert answered == {"batchItemFailures": []}  # the original is settled: its copy carries on
    first = int(record["attributes"]["ApproximateFirstReceiveTimestamp"])
    assert transport.receive() == []  # delivered after its delay, not at once
    CLOCK.advance(LATER)
    [copy], _ = transport.run(_never)
    carried = copy["messageAttributes"]
    assert carried[EARLIER_RECEIVES]["stringValue"] == "1"
    assert carried[UNTOUCHED_SINCE]["stringValue"] == str(first)
    assert copy["body"] == record["body"]
    [(_, before), (_, after)] = transport.seen
    assert before == after is not None  # the copy is tried as its first receive was: still fresh if that was


def test_a_throttle_after_a_share_may_have_changed_sends_it_back_for_the_list_first_path(
    transport: Transport,
) -> None:
    transport.send(_event(WORKLOAD))
    transport.run(_raise(_throttle()))  # a plain throttle: a share may have been made before it
    CLOCK.advance(LATER)
    [copy], _ = transport.run(_never)
    assert copy["messageAttributes"][EARLIER_RECEIVES]["stringValue"] == "1"
    assert UNTOUCHED_SINCE not in copy["messageAttributes"]
    assert transport.seen[-1] == (WORKLOAD, None)


def test_the_batch_s_other_events_of_that_account_and_region_follow_without_a_call(transport: Transport) -> None:
    burst = [f"8cdcdf7add10b181fdd3f686dacffd1{index}" for index in range(3)]
    for workload in burst:
        transport.send(_event(workload))
    transport.send(_event(WORKLOAD, account="444455556666"))
    records, answered = transport.run(_raise(_throttle(ThrottledBeforeChange)))
    assert len(records) == 4
    assert answered == {"batchItemFailures": []}
    # The other account goes first; of the burst's account and region only one call is made.
    assert [workload for workload, _ in transport.seen] == [WORKLOAD, burst[0]]
    CLOCK.advance(LATER)
    copies = transport.receive()
    assert sorted(json.loads(copy["Body"])["detail"]["responseElements"]["WorkloadId"] for copy in copies) == sorted(
        [*burst, WORKLOAD]
    )
    assert all(UNTOUCHED_SINCE in copy["MessageAttributes"] for copy in copies)  # none of them changed a share


def test_an_event_received_the_most_times_in_all_is_given_up_with_its_reason(transport: Transport) -> None:
    transport.send(_event(WORKLOAD), {EARLIER_RECEIVES: str(SHARE_MAX_RECEIVES - 1)})
    _, answered = transport.run(_raise(_throttle(ThrottledBeforeChange)))
    assert answered == {"batchItemFailures": []}
    [record] = transport.failure_records()
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == SHARE_MAX_RECEIVES
    assert "ThrottlingException" in record["responsePayload"]["errorMessage"]
    assert record["requestPayload"]["detail"]["responseElements"]["WorkloadId"] == WORKLOAD
    CLOCK.advance(LATER)
    assert transport.receive() == []  # given up: no copy


def test_an_event_deferred_without_a_call_is_given_up_at_the_limit_too(transport: Transport) -> None:
    first = "8cdcdf7add10b181fdd3f686dacffd02"
    transport.send(_event(first))
    transport.send(_event(WORKLOAD), {EARLIER_RECEIVES: str(SHARE_MAX_RECEIVES - 1)})
    transport.run(_raise(_throttle(ThrottledBeforeChange)))  # the first is throttled; the second follows it
    assert [workload for workload, _ in transport.seen] == [first]
    [record] = transport.failure_records()
    assert record["requestPayload"]["detail"]["responseElements"]["WorkloadId"] == WORKLOAD
    assert "throttled earlier in this batch" in record["responsePayload"]["errorMessage"]


def test_a_real_failure_after_many_throttles_still_gets_its_own_tries(transport: Transport) -> None:
    server_error = AwsError(
        kind=ErrorKind.RETRYABLE, code="InternalServerException", operation="o", resource="r", message="m"
    )
    transport.send(_event(WORKLOAD), {EARLIER_RECEIVES: "40"})
    for _try in range(share_queue.RETRY_TRIES - 1):
        [record], answered = transport.run(_raise(server_error))
        assert answered["batchItemFailures"] == [{"itemIdentifier": record["messageId"]}]  # retried by the queue
        CLOCK.advance(400.0)  # past RETRY_BACKOFF's cap
    assert transport.failure_records() == []
    transport.run(_raise(server_error))
    [record] = transport.failure_records()
    assert record["requestContext"]["approximateInvokeCount"] == 40 + share_queue.RETRY_TRIES


def test_a_copy_that_cannot_be_sent_leaves_the_original_to_come_back(
    transport: Transport, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*_args: Any, **_kwargs: Any) -> str:
        raise AwsError(
            kind=ErrorKind.RETRYABLE, code="InternalError", operation="sqs:SendMessage", resource="q", message="m"
        )

    monkeypatch.setattr(share_queue, "send_back", refused)
    transport.send(_event(WORKLOAD))
    [record], answered = transport.run(_raise(_throttle(ThrottledBeforeChange)))
    assert answered["batchItemFailures"] == [{"itemIdentifier": record["messageId"]}]  # not settled: never lost
    CLOCK.advance(LATER)
    [again] = transport.receive()
    assert again["MessageId"] == record["messageId"]  # back after its visibility change
