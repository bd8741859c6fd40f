"""`wa-share redrive`: failed work goes back where it came from, and no message is ever lost."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse, HTTPHeaders

from tests.integration.cli.conftest import Cli
from wa_share.sweep.work_items import WorkItem
from wa_share_cli.operations.redrive import redrive_queue
from wa_share_cli.operations.share_failures import Target, redrive_share_failures
from wa_share_sandbox import wellarchitected as wellarchitected_backend
from wa_share_sandbox.metering import METER
from wa_share_sandbox.organization import create_workload
from wa_share_sandbox.runner import FunctionRunner

Message = tuple[str, dict[str, Any]]


def depth(cli: Cli, queue: str) -> tuple[int, int]:
    """(visible, in flight): the whole content of a queue, without touching it."""
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = cli.admin(cli.org.automation, "sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=names)
    return int(attributes["Attributes"][names[0]]), int(attributes["Attributes"][names[1]])


def drain(cli: Cli, queue: str) -> list[Message]:
    sqs, found = cli.admin(cli.org.automation, "sqs"), list[Message]()
    while batch := sqs.receive_message(
        QueueUrl=queue, MaxNumberOfMessages=10, VisibilityTimeout=600, MessageAttributeNames=["All"]
    ).get("Messages", []):
        found.extend((message["Body"], message.get("MessageAttributes", {})) for message in batch)
    return found


def fill_dlq(cli: Cli, count: int, *, reason: str = "AccessDenied: member role unavailable") -> list[str]:
    sqs, sent = cli.admin(cli.org.automation, "sqs"), []
    for index in range(count):
        body = WorkItem(account_id=f"{index + 1:012d}", sweep_id="nightly-1").to_message()
        attributes = {"wa_share_error": {"DataType": "String", "StringValue": reason}}
        sqs.send_message(QueueUrl=cli.queue("SweepDeadLetterQueue"), MessageBody=body, MessageAttributes=attributes)
        sent.append(body)
    return sent


def failing(operation: str, *, on_call: int) -> tuple[str, Callable[..., Any]]:
    """A botocore hook that makes the n-th call of an operation fail with AccessDenied, as AWS would answer."""
    calls = 0

    def hook(**_kwargs: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        nonlocal calls
        calls += 1
        if calls != on_call:
            return None
        error = {"Code": "AccessDenied", "Message": "injected failure"}
        return AWSResponse("https://injected", 403, HTTPHeaders(), None), {
            "Error": error,
            "ResponseMetadata": {"HTTPStatusCode": 403},
        }

    return f"before-call.{operation}", hook


def operator_client(cli: Cli, service: str, *hooks: tuple[str, Callable[..., Any]]) -> Any:
    session = cli.org.botocore_session(cli.org.credentials(cli.org.automation))
    for event, hook in hooks:
        session.register(event, hook)
    return session.create_client(service, region_name="us-east-1")


# ---------------------------------------------------------------- sweep dead-letter queue


def test_dead_lettered_accounts_go_back_to_the_sweep_queue(cli: Cli) -> None:
    sent = fill_dlq(cli, 3)
    cli.admin(cli.org.automation, "sqs").send_message(QueueUrl=cli.queue("SweepDeadLetterQueue"), MessageBody="junk")
    result = cli("redrive", "--from", "sweep-dlq")
    assert result.code == 1  # the junk message needs a person
    assert "moved 3 message(s)" in result.out
    assert "3 had failed with: AccessDenied: member role unavailable" in result.out
    assert "not a sweep work item" in result.out
    moved = drain(cli, cli.queue("SweepQueue"))
    assert sorted(body for body, _ in moved) == sorted(sent)
    assert all("wa_share_error" not in attributes for _, attributes in moved)  # the stale reason is dropped
    assert [body for body, _ in drain(cli, cli.queue("SweepDeadLetterQueue"))] == ["junk"]


def test_a_send_failing_midway_loses_nothing(cli: Cli) -> None:
    sent = fill_dlq(cli, 25)
    sqs = operator_client(cli, "sqs", failing("sqs.SendMessageBatch", on_call=2))
    result = redrive_queue(
        sqs, source_url=cli.queue("SweepDeadLetterQueue"), target_url=cli.queue("SweepQueue"), use_move_task=False
    )
    assert result.moved == 10
    assert result.error is not None
    assert "sqs:SendMessageBatch" in result.error
    assert "AccessDenied" in result.error
    assert depth(cli, cli.queue("SweepDeadLetterQueue")) == (15, 0)  # released at once, ready for a rerun
    moved = [body for body, _ in drain(cli, cli.queue("SweepQueue"))]
    left = [body for body, _ in drain(cli, cli.queue("SweepDeadLetterQueue"))]
    assert sorted(moved + left) == sorted(sent)  # every message once: none lost, none doubled


def test_a_delete_failing_after_the_send_duplicates_but_never_loses(cli: Cli) -> None:
    sent = fill_dlq(cli, 4)
    sqs = operator_client(cli, "sqs", failing("sqs.DeleteMessageBatch", on_call=1))
    result = redrive_queue(
        sqs, source_url=cli.queue("SweepDeadLetterQueue"), target_url=cli.queue("SweepQueue"), use_move_task=False
    )
    assert (result.moved, result.duplicated) == (4, 4)
    assert result.error is not None
    assert "delivered twice at worst" in result.error
    assert sorted(body for body, _ in drain(cli, cli.queue("SweepQueue"))) == sorted(sent)
    assert depth(cli, cli.queue("SweepDeadLetterQueue")) == (0, 4)  # still there, back when the hold ends


def test_the_move_task_is_used_where_sqs_offers_it(cli: Cli) -> None:
    def offered(**_kwargs: Any) -> tuple[AWSResponse, dict[str, Any]]:
        return AWSResponse("https://sqs", 200, HTTPHeaders(), None), {"TaskHandle": "handle-1"}

    fill_dlq(cli, 2)
    sqs = operator_client(cli, "sqs", ("before-call.sqs.StartMessageMoveTask", offered))
    result = redrive_queue(sqs, source_url=cli.queue("SweepDeadLetterQueue"), target_url=cli.queue("SweepQueue"))
    assert (result.task_handle, result.moved) == ("handle-1", 0)
    assert depth(cli, cli.queue("SweepDeadLetterQueue")) == (2, 0)  # SQS moves them, not us


# ---------------------------------------------------------------- share failures


@pytest.fixture
def failed_event(cli: Cli, functions: FunctionRunner) -> str:
    """A workload whose share failed three times (WA refused): its event sits in the share failure queue."""

    def refuse(operation: str, _account: str, _region: str) -> str | None:
        return "AccessDeniedException" if operation in ("ListWorkloadShares", "CreateWorkloadShare") else None

    workload = create_workload(cli.org, cli.org.members[0], "us-east-1", "invoices")
    wellarchitected_backend.configure_faults(fault=refuse)
    [failed] = functions.deliver_share_events()
    wellarchitected_backend.reset_faults()
    assert failed.error is not None
    assert depth(cli, cli.queue("ShareFailureQueue")) == (1, 0)
    return workload


def test_a_failed_event_is_replayed_to_the_share_rule_then_its_record_deleted(
    cli: Cli, functions: FunctionRunner, failed_event: str
) -> None:
    early = cli("redrive", "--from", "share-failures")
    assert early.code == 1
    assert "too recent for the archive" in early.out
    assert "--force" in early.out
    assert depth(cli, cli.queue("ShareFailureQueue")) == (1, 0)
    result = cli("redrive", "--from", "share-failures", "--force")
    assert result.code == 0, result.out + result.err
    assert "redrove 1 failed event(s)" in result.out
    assert "COMPLETED" in result.out
    assert depth(cli, cli.queue("ShareFailureQueue")) == (0, 0)
    [again] = functions.deliver_share_events()
    assert again.error is None
    assert again.result["event"]["workload_id"] == failed_event
    assert [item["outcome"] for item in again.result["results"]] == ["created"]


def test_a_failed_replay_keeps_the_records(cli: Cli, failed_event: str) -> None:
    del failed_event
    events = operator_client(cli, "events", failing("events.StartReplay", on_call=1))
    target = Target(cli.deployment.archive_arn, cli.deployment.bus_arn, cli.deployment.share_rule_arn, 30)
    result = redrive_share_failures(
        operator_client(cli, "sqs"),
        events,
        queue_url=cli.queue("ShareFailureQueue"),
        target=target,
        now=datetime.now(UTC),
        force=True,
        poll_seconds=0,
    )
    assert result.moved == 0
    assert result.error is not None
    assert "events:StartReplay" in result.error
    assert depth(cli, cli.queue("ShareFailureQueue")) == (1, 0)


def test_an_invalid_event_is_kept_and_the_reason_explained(cli: Cli, functions: FunctionRunner) -> None:
    rejected = functions.invoke("share", {"source": "aws.wellarchitected", "detail": {}})
    assert rejected.result["status"] == "rejected"
    result = cli("redrive", "--from", "share-failures", "--force")
    assert result.code == 0  # nothing that could be redriven was left behind
    assert "invalid event, not redriven" in result.out
    assert "--include-invalid" in result.out
    assert depth(cli, cli.queue("ShareFailureQueue")) == (1, 0)


def test_a_refused_move_task_falls_back_to_the_copy(cli: Cli) -> None:
    sent = fill_dlq(cli, 3)
    sqs = operator_client(cli, "sqs", failing("sqs.StartMessageMoveTask", on_call=1))
    result = redrive_queue(sqs, source_url=cli.queue("SweepDeadLetterQueue"), target_url=cli.queue("SweepQueue"))
    assert result.task_handle is None
    assert "sqs:StartMessageMoveTask" in result.copied_because
    assert result.moved == 3
    assert sorted(body for body, _ in drain(cli, cli.queue("SweepQueue"))) == sorted(sent)


def test_records_kept_on_purpose_are_never_sent_again_so_the_arrival_alarms_stay_quiet(
    cli: Cli, functions: FunctionRunner
) -> None:
    """The failure-queue alarms count arrivals (SQS NumberOfMessagesSent): keeping a record must not send it."""
    functions.invoke("share", {"source": "aws.wellarchitected", "detail": {}})  # kept: an invalid event
    cli.admin(cli.org.automation, "sqs").send_message(QueueUrl=cli.queue("SweepDeadLetterQueue"), MessageBody="{}")
    sends = ("sqs:SendMessage", "sqs:SendMessageBatch")
    before = METER.snapshot()

    assert "invalid event, not redriven" in cli("redrive", "--from", "share-failures", "--force").out
    assert "not a sweep work item" in cli("redrive", "--from", "sweep-dlq").out

    after = METER.snapshot()
    assert [after[name] - before[name] for name in sends] == [0, 0]
    assert depth(cli, cli.queue("ShareFailureQueue")) == depth(cli, cli.queue("SweepDeadLetterQueue")) == (1, 0)


def test_an_event_the_queues_redrive_policy_moved_is_replayed_like_a_record(
    cli: Cli, functions: FunctionRunner
) -> None:
    """The function crashed on an event's last receive: SQS moved the bare event to the failure queue."""
    workload = create_workload(cli.org, cli.org.members[0], "us-east-1", "crashed")
    sqs = cli.admin(cli.org.automation, "sqs")
    [message] = sqs.receive_message(QueueUrl=cli.deployment.invocation_queue_url)["Messages"]
    sqs.send_message(QueueUrl=cli.queue("ShareFailureQueue"), MessageBody=message["Body"])  # as SQS moves it
    sqs.delete_message(QueueUrl=cli.deployment.invocation_queue_url, ReceiptHandle=message["ReceiptHandle"])
    result = cli("redrive", "--from", "share-failures", "--force")
    assert result.code == 0, result.out + result.err
    assert "redrove 1 failed event(s)" in result.out
    assert depth(cli, cli.queue("ShareFailureQueue")) == (0, 0)
    [again] = functions.deliver_share_events()
    assert again.result["event"]["workload_id"] == workload
    assert [item["outcome"] for item in again.result["results"]] == ["created"]
