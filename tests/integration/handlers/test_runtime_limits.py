"""Runtime limits: the failure record fits its queue, the SNS subject is one that SNS accepts, the time
budget of the share function adds up, and a step that no longer fits is skipped rather than cut off."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from tests.integration.handlers.test_reviews_team import deploy_with_features, turn_acceptance_on
from tests.support.factories import create_workload_event
from wa_share.aws.sqs import MAX_REASON, MAX_RECORD_BYTES
from wa_share.followup.announce import MAX_SUBJECT, ShareAnnouncement
from wa_share.runtime.deadline import ACCEPTANCE_CALLS, ANNOUNCEMENT_CALLS, SHARE_CALLS, Deadline, worst_call_seconds
from wa_share_cli.cfn_templates import load_template, repo_root
from wa_share_sandbox.deployment import Deployment
from wa_share_sandbox.organization import SimulatedOrganization, create_workload
from wa_share_sandbox.runner import FunctionRunner, function_timeout

MIB = 1_048_576


@pytest.fixture
def deployment(org: SimulatedOrganization) -> Deployment:
    """Announcements and acceptance deployed, their grants with them (test_reviews_team.FEATURES)."""
    return deploy_with_features(org)


def failure_records(org: SimulatedOrganization, deployment: Deployment) -> list[dict[str, Any]]:
    sqs = org.client(org.automation, "sqs")
    url = deployment.queue_urls["ShareFailureQueue"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"]) for message in messages]


def test_the_failure_queue_takes_the_largest_record_the_function_sends() -> None:
    queue = load_template(repo_root() / "template.yaml")["Resources"]["ShareFailureQueue"]["Properties"]
    assert queue["MaximumMessageSize"] == MAX_RECORD_BYTES == MIB


def test_a_huge_bad_value_is_quoted_short_and_the_event_kept_whole(
    org: SimulatedOrganization, deployment: Deployment, runner: FunctionRunner
) -> None:
    """Before: the error repeated the 400 KB value (twice), the record passed 1 MiB, the send failed, Lambda retried."""
    event = create_workload_event(workload_id="f" * 400_000)
    invocation = runner.invoke("share", event)
    assert invocation.error is None
    [record] = failure_records(org, deployment)
    assert record["requestPayload"] == event
    assert "requestPayloadTruncated" not in record
    message = record["responsePayload"]["errorMessage"]
    assert len(message) <= MAX_REASON
    assert "400002 characters" in message  # the repr's length: the value is named, not repeated
    assert all(len(problem) < 300 for problem in invocation.result["problems"])


def test_an_event_too_large_for_any_record_keeps_its_envelope_and_digest(
    org: SimulatedOrganization, deployment: Deployment, runner: FunctionRunner
) -> None:
    event = create_workload_event(workload_id="not-hex")
    event["detail"]["requestParameters"]["Description"] = ""
    # an event that EventBridge could still deliver (under 1 MiB), too large once the record wraps it
    event["detail"]["requestParameters"]["Description"] = "x" * (MIB - 100 - len(json.dumps(event)))
    invocation = runner.invoke("share", event)
    assert invocation.error is None, "the record must be sent, not retried"
    [record] = failure_records(org, deployment)
    payload = json.dumps(event).encode()
    assert record["requestPayloadTruncated"]["sha256"] == hashlib.sha256(payload).hexdigest()
    assert record["requestPayloadTruncated"]["bytes"] == len(payload)
    kept = record["requestPayload"]
    assert (kept["id"], kept["time"], kept["source"]) == (event["id"], event["time"], event["source"])
    assert kept["detail"] == {"eventID": event["detail"]["eventID"]}
    # the share rule and the archive have one pattern: the whole event is in the archive, found by its time
    archived = org.client(org.automation, "events").describe_archive(ArchiveName=deployment.archive_arn.split("/")[-1])
    assert archived["State"] == "ENABLED"


NAMES = [
    ("accents", "Café Zürich \u2013 paiements", "Cafe Zurich ? paiements"),
    ("line breaks", "checkout\nsecond line\r\nthird", "checkout second line third"),
    ("emoji and CJK", "🚀 決済 api", "? ? api"),
    ("tabs and controls", "a\tb\x00c\x7fd", "a?b?c?d"),
    ("empty after cleaning", "", None),
]


@pytest.mark.parametrize(("name", "raw", "shown"), NAMES, ids=[name for name, _, _ in NAMES])
def test_the_subject_is_printable_ascii_on_one_line(name: str, raw: str, shown: str | None) -> None:
    announcement = ShareAnnouncement("111122223333", "ap-southeast-2", "ab" * 16, raw, "o", "READONLY", None, "x", True)
    subject = announcement.subject()
    assert subject.isascii(), subject
    assert subject.isprintable(), subject
    assert len(subject) <= MAX_SUBJECT < 100
    assert subject == f"Workload shared: {shown or 'ab' * 16} (111122223333, ap-southeast-2)"


def test_a_long_name_is_cut_with_an_ellipsis_and_keeps_account_and_region() -> None:
    announcement = ShareAnnouncement(
        "111122223333", "ap-southeast-2", "ab" * 16, "é" * 100, "o", "READONLY", None, "x", True
    )
    subject = announcement.subject()
    assert len(subject) == MAX_SUBJECT
    assert subject.endswith("... (111122223333, ap-southeast-2)")


def test_sns_receives_the_safe_subject_and_the_whole_name(org: SimulatedOrganization, deployment: Deployment) -> None:
    sns, sqs = org.client(org.automation, "sns"), org.client(org.automation, "sqs")
    topic = sns.create_topic(Name="wa-share-new-shares")["TopicArn"]
    url = sqs.create_queue(QueueName="subjects")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)  # not raw: the envelope carries the Subject
    deployment.function_env["ANNOUNCE_TOPIC_ARN"] = topic
    name = "Paiements\nÉté 2026 \u2013 🚀 " + "long " * 30
    create_workload(org, org.members[0], "us-east-1", name)
    [invocation] = FunctionRunner(deployment).deliver_share_events()
    assert invocation.error is None
    [message] = sqs.receive_message(QueueUrl=url).get("Messages", [])
    envelope = json.loads(message["Body"])
    assert envelope["Subject"].isascii()
    assert envelope["Subject"].isprintable()
    assert len(envelope["Subject"]) < 100
    assert envelope["Subject"].startswith("Workload shared: Paiements Ete 2026 ? ? long long")
    assert json.loads(envelope["Message"])["workload_name"] == name


def test_the_share_function_timeout_covers_the_share_and_each_step_alone() -> None:
    worst = worst_call_seconds()
    assert worst == 6 * (3 + 20) + (1 + 2 + 4 + 8 + 16)  # max_attempts=5 means five retries after the first
    timeout = function_timeout("share")
    assert SHARE_CALLS * worst <= timeout <= 900  # Lambda allows 900 at most
    # after a share that took a normal second, each step alone still fits
    assert timeout - 1 >= max(ACCEPTANCE_CALLS, ANNOUNCEMENT_CALLS) * worst


def test_steps_that_no_longer_fit_are_skipped_counted_and_the_share_stands(
    org: SimulatedOrganization, deployment: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    turn_acceptance_on(org, deployment)
    sns = org.client(org.automation, "sns")
    deployment.function_env["ANNOUNCE_TOPIC_ARN"] = sns.create_topic(Name="wa-share-new-shares")["TopicArn"]
    # Less than either step's worst case once the share is done (the share itself takes no time here).
    left = (min(ACCEPTANCE_CALLS, ANNOUNCEMENT_CALLS) * worst_call_seconds() - 1) * 1000
    monkeypatch.setattr(Deadline, "of", classmethod(lambda cls, context: cls(lambda: left)))
    workload = create_workload(org, org.members[0], "us-east-1", "late")
    [invocation] = FunctionRunner(deployment).deliver_share_events()
    assert invocation.error is None
    assert [item["outcome"] for item in invocation.result["results"]] == ["created"]
    [acceptance] = invocation.result["acceptances"]
    assert acceptance["outcome"] == "failed"
    assert "too little time" in acceptance["reason"]
    shares = org.client(org.members[0], "wellarchitected", "us-east-1").list_workload_shares(WorkloadId=workload)
    assert [row["Status"] for row in shares["WorkloadShareSummaries"]] == ["PENDING"]  # the sweep accepts it
