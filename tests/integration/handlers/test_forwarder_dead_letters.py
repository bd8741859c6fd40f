"""Events the member forwarders could not deliver reach one central metric and alarm through the nightly sweep,
without a single alarm (or anything else that costs money idle) in the member accounts."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse, HTTPHeaders

from tests.support.alarms import alarm_on
from tests.support.emf import metric_values
from tests.support.fixtures import REGIONS
from wa_share.observability import Metric, metrics
from wa_share.sweep.forwarder_dead_letters import (
    FORWARDER_DEAD_LETTER_QUEUE,
    FOUND_LOG,
    MISSING_LOG,
    UNREADABLE_LOG,
    QueueState,
    read_forwarder_queue,
    report_forwarder_queues,
)
from wa_share_sandbox.deployment import Deployment
from wa_share_sandbox.organization import SimulatedOrganization, create_workload
from wa_share_sandbox.runner import FunctionRunner

Records = Callable[[str], list[dict[str, Any]]]


def refuse_every_forwarder(org: SimulatedOrganization, deployment: Deployment) -> None:
    """A central bus policy for another organization: EventBridge refuses each forwarded event for good and
    puts it, whole, on the member's dead-letter queue (the sandbox plays EventBridge's part)."""
    statement = {
        "Sid": "AnotherOrganization",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "events:PutEvents",
        "Resource": deployment.bus_arn,
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-otherorg123"}},
    }
    policy = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    org.client(org.automation, "events").put_permission(EventBusName=deployment.bus_name, Policy=policy)


def summary(records: Records, account: str) -> dict[str, Any]:
    [line] = [line for line in records("sweep summary") if line["account_id"] == account]
    return line


def test_an_undeliverable_event_fires_the_one_central_alarm_and_the_sweep_still_shares_it(
    org: SimulatedOrganization,
    deployment: Deployment,
    runner: FunctionRunner,
    log_records: Records,
    capsys: pytest.CaptureFixture[str],
) -> None:
    member = org.members[0]
    refuse_every_forwarder(org, deployment)
    workload = create_workload(org, member, "eu-west-1", "undelivered")
    assert runner.pending_share_events() == 0  # it never reached the central bus

    runs = runner.run_sweep()

    assert [run.error for run in runs if run.error] == []
    shares = org.client(member, "wellarchitected", "eu-west-1").list_workload_shares(WorkloadId=workload)
    assert [row["SharedWith"] for row in shares["WorkloadShareSummaries"]] == [org.reviews]
    # Two dead letters: the CreateWorkload call, and the share the sweep then made (the forwarder carries the
    # share calls too, for the share guard), refused by the same bus policy.
    values = metric_values(capsys.readouterr().out, Metric.FORWARDER_DEAD_LETTERS)
    assert len(values) == len(org.accounts)  # one datapoint per account, no per-account dimension
    assert max(values) == 2 == sum(values)
    [alarm] = alarm_on("WaShare", Metric.FORWARDER_DEAD_LETTERS)
    assert max(values) > alarm["Threshold"]
    assert alarm["Statistic"] == "Maximum"
    [found] = log_records(FOUND_LOG)
    assert (found["account_id"], found["region"], found["messages"]) == (member, "eu-west-1", 2)
    assert found["fix"] == f"wa-share doctor --account {member}"
    line = summary(log_records, member)
    assert (line["forwarder_dead_letters"], line["forwarder_dead_letter_regions"]) == (2, ["eu-west-1"])
    assert line["forwarder_missing_regions"] == line["forwarder_unread_regions"] == []
    # Read, not received: the dead letter stays for the operator (doctor shows how to read it).
    sqs = org.client(member, "sqs", "eu-west-1")
    url = sqs.get_queue_url(QueueName=FORWARDER_DEAD_LETTER_QUEUE)["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "2"


def test_empty_queues_emit_zero_and_log_nothing(
    org: SimulatedOrganization, runner: FunctionRunner, log_records: Records, capsys: pytest.CaptureFixture[str]
) -> None:
    runner.run_sweep()

    values = metric_values(capsys.readouterr().out, Metric.FORWARDER_DEAD_LETTERS)
    assert values == [0] * len(org.accounts)
    assert log_records(FOUND_LOG) == log_records(MISSING_LOG) == log_records(UNREADABLE_LOG) == []
    line = summary(log_records, org.members[1])
    assert (line["forwarder_dead_letters"], line["forwarder_dead_letter_regions"]) == (0, [])


def test_a_region_without_a_forwarder_is_reported_not_failed(
    org: SimulatedOrganization, runner: FunctionRunner, log_records: Records, capsys: pytest.CaptureFixture[str]
) -> None:
    member = org.members[1]
    sqs = org.client(member, "sqs", "us-east-1")
    sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName=FORWARDER_DEAD_LETTER_QUEUE)["QueueUrl"])
    workload = create_workload(org, member, "us-east-1", "swept-anyway")

    runs = runner.run_sweep()

    assert [run.error for run in runs if run.error] == []
    [missing] = log_records(MISSING_LOG)
    assert (missing["account_id"], missing["region"], missing["level"]) == (member, "us-east-1", "WARNING")
    assert "forwarder.yaml" in missing["fix"]
    line = summary(log_records, member)
    assert line["forwarder_missing_regions"] == ["us-east-1"]
    assert (line["failed"], line["workloads_seen"]) == (0, 1)  # the sweep's own work is untouched
    shares = org.client(member, "wellarchitected", "us-east-1").list_workload_shares(WorkloadId=workload)
    assert len(shares["WorkloadShareSummaries"]) == 1
    values = metric_values(capsys.readouterr().out, Metric.FORWARDER_DEAD_LETTERS)
    assert values == [0] * len(org.accounts)  # eu-west-1 was read


def denied(operation: str) -> tuple[str, Callable[..., Any]]:
    """A botocore hook answering the operation as AWS answers a call the caller's policies do not allow."""

    def hook(**_kwargs: Any) -> tuple[AWSResponse, dict[str, Any]]:
        error = {"Code": "AccessDenied", "Message": "not authorized to perform: sqs:GetQueueAttributes"}
        return AWSResponse("https://denied", 403, HTTPHeaders(), None), {
            "Error": error,
            "ResponseMetadata": {"HTTPStatusCode": 403},
        }

    return f"before-call.sqs.{operation}", hook


@pytest.mark.parametrize("region", REGIONS)
def test_each_queue_state_is_classified_at_the_boundary(
    org: SimulatedOrganization, deployment: Deployment, region: str
) -> None:
    member = org.members[0]
    sqs = org.client(member, "sqs", region)
    url = sqs.get_queue_url(QueueName=FORWARDER_DEAD_LETTER_QUEUE)["QueueUrl"]
    assert read_forwarder_queue(sqs, member, region).state is QueueState.READ
    sqs.send_message(QueueUrl=url, MessageBody="{}")
    sqs.send_message(QueueUrl=url, MessageBody="{}")
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=300)  # one held by an operator
    assert read_forwarder_queue(sqs, member, region).messages == 2
    sqs.delete_queue(QueueUrl=url)
    gone = read_forwarder_queue(sqs, member, region)
    assert (gone.state, gone.messages, gone.denied) == (QueueState.MISSING, 0, False)
    sqs.meta.events.register(*denied("GetQueueAttributes"))
    refused = read_forwarder_queue(sqs, member, region)
    assert (refused.state, refused.error_code, refused.denied) == (QueueState.UNREADABLE, "AccessDenied", True)


def test_a_denied_read_is_an_error_line_with_the_fix_and_no_datapoint(
    org: SimulatedOrganization, deployment: Deployment, log_records: Records
) -> None:
    member = org.members[0]
    sqs = org.client(member, "sqs", "eu-west-1")
    sqs.meta.events.register(*denied("GetQueueAttributes"))

    fields = report_forwarder_queues([read_forwarder_queue(sqs, member, "eu-west-1")], emit_metric=True)

    assert fields["forwarder_unread_regions"] == ["eu-west-1"]
    [line] = log_records(UNREADABLE_LOG)
    assert (line["level"], line["account_id"], line["error_code"]) == ("ERROR", member, "AccessDenied")
    assert "roles.yaml" in line["fix"]
    assert Metric.FORWARDER_DEAD_LETTERS not in metrics.metric_set  # nothing read: no zero pretending all is well
    report_forwarder_queues([read_forwarder_queue(org.client(member, "sqs"), member, "us-east-1")], emit_metric=True)
    assert metrics.metric_set[Metric.FORWARDER_DEAD_LETTERS]["Value"] == [0.0]
