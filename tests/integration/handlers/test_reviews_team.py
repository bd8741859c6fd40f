"""Issue 7 on the real-time path: invitations accepted, each new share announced once, organization mode."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from tests.support.acceptor import deploy_with_features, turn_acceptance_on
from tests.support.emf import emf_documents
from tests.support.factories import create_workload_event
from tests.support.fixtures import REGIONS
from tests.support.queues import drain_bodies
from tests.support.shares import share_statuses
from wa_share_sandbox import wellarchitected as wellarchitected_backend
from wa_share_sandbox.deployment import Deployment, deploy
from wa_share_sandbox.iam_trust import install_trust_checks
from wa_share_sandbox.organization import SimulatedOrganization, create_workload
from wa_share_sandbox.runner import FunctionRunner


@pytest.fixture
def deployment(org: SimulatedOrganization) -> Deployment:
    return deploy_with_features(org)


@pytest.fixture
def organization_deployment(org: SimulatedOrganization) -> Deployment:
    """Organization sharing mode: the member role may turn the setting on (UpdateGlobalSettings)."""
    deployed = deploy(org, REGIONS, overrides={"ShareWithOrganizationUnits": [org.org_id]})
    install_trust_checks()
    return deployed


def listen(org: SimulatedOrganization, deployment: Deployment) -> tuple[str, str]:
    """Turn announcements on and return two queues: an SNS subscriber and a rule for `wa-share` events."""
    sns, sqs, events = (org.client(org.automation, service) for service in ("sns", "sqs", "events"))
    topic = sns.create_topic(Name="wa-share-new-shares")["TopicArn"]
    queues = []
    for name in ("announcements-sns", "announcements-bus"):
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        queues.append(
            (url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])
        )
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queues[0][1], Attributes={"RawMessageDelivery": "true"})
    events.put_rule(Name="chat", EventBusName=deployment.bus_name, EventPattern=json.dumps({"source": ["wa-share"]}))
    events.put_targets(Rule="chat", EventBusName=deployment.bus_name, Targets=[{"Id": "q", "Arn": queues[1][1]}])
    deployment.function_env |= {"ANNOUNCE_TOPIC_ARN": topic, "ANNOUNCE_BUS_NAME": deployment.bus_name}
    return queues[0][0], queues[1][0]


def test_a_new_workload_ends_accepted_with_one_announcement(org: SimulatedOrganization, deployment: Deployment) -> None:
    turn_acceptance_on(org, deployment)
    sns_queue, bus_queue = listen(org, deployment)
    runner = FunctionRunner(deployment)
    member = org.members[0]
    workload = create_workload(org, member, "eu-west-1", "checkout")
    [invocation] = runner.deliver_share_events()
    assert invocation.error is None
    assert [item["outcome"] for item in invocation.result["acceptances"]] == ["accepted"]
    assert share_statuses(org, member, "eu-west-1", workload) == ["ACCEPTED"]
    reviews_view = org.client(org.reviews, "wellarchitected", "eu-west-1").list_workloads()["WorkloadSummaries"]
    assert [(item["WorkloadId"], item["Owner"]) for item in reviews_view] == [(workload, member)]
    [announced] = drain_bodies(org, sns_queue)
    [event] = drain_bodies(org, bus_queue)
    assert event["source"] == "wa-share"
    assert event["detail-type"] == "Workload Shared"
    assert event["detail"] == announced
    assert announced | {"share_id": None} == {
        "account_id": member,
        "region": "eu-west-1",
        "workload_id": workload,
        "workload_name": "checkout",
        "shared_with": org.reviews,
        "permission": "READONLY",
        "share_id": None,
        "found_by": "realtime",
        "accepted": True,
    }
    # A duplicate delivery neither shares nor announces again.
    again = runner.invoke("share", {"source": "aws.wellarchitected", **_replayed(invocation.result)})
    assert [item["outcome"] for item in again.result["results"]] == ["already_shared"]
    assert drain_bodies(org, sns_queue) == drain_bodies(org, bus_queue) == []


def _replayed(result: dict[str, Any]) -> dict[str, Any]:
    event = result["event"]
    built = create_workload_event(
        account_id=event["account_id"], region=event["region"], workload_id=event["workload_id"]
    )
    return {key: value for key, value in built.items() if key != "source"}


def test_announcements_without_acceptance_look_the_name_up(org: SimulatedOrganization, deployment: Deployment) -> None:
    sns_queue, _ = listen(org, deployment)
    runner = FunctionRunner(deployment)
    create_workload(org, org.members[1], "us-east-1", "inventory")
    [invocation] = runner.deliver_share_events()
    assert invocation.result["acceptances"] == []
    [announced] = drain_bodies(org, sns_queue)
    assert (announced["workload_name"], announced["accepted"]) == ("inventory", False)


def test_a_failed_announcement_or_acceptance_never_fails_the_share(
    org: SimulatedOrganization, deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.function_env |= {
        "ACCEPTOR_ROLE_NAME": "wa-share-acceptor",  # not deployed: AssumeRole is denied
        "ANNOUNCE_TOPIC_ARN": f"arn:aws:sns:us-east-1:{org.automation}:no-such-topic",
    }
    runner = FunctionRunner(deployment)
    member = org.members[0]
    workload = create_workload(org, member, "us-east-1", "resilient")
    [invocation] = runner.deliver_share_events()
    assert invocation.error is None
    assert [item["outcome"] for item in invocation.result["results"]] == ["created"]
    assert [item["outcome"] for item in invocation.result["acceptances"]] == ["failed"]
    assert share_statuses(org, member, "us-east-1", workload) == ["PENDING"]
    output = capsys.readouterr().out
    assert '"AnnouncementsFailed":[1.0]' in output.replace(" ", "")
    assert '"AcceptanceFailed":[1.0]' in output.replace(" ", "")


def test_organization_mode_shares_with_the_organization_without_invitations(
    org: SimulatedOrganization, organization_deployment: Deployment
) -> None:
    assert organization_deployment.function_env["SHARE_WITH"] == org.org_id
    runner = FunctionRunner(organization_deployment)
    member = org.members[0]
    workload = create_workload(org, member, "us-east-1", "org-wide")
    assert not wellarchitected_backend.get_backend(member, "us-east-1").organization_sharing
    [invocation] = runner.deliver_share_events()
    assert invocation.error is None
    shares = org.client(member, "wellarchitected", "us-east-1").list_workload_shares(WorkloadId=workload)
    [share] = shares["WorkloadShareSummaries"]
    assert (share["SharedWith"], share["Status"]) == (org.org_id, "ASSOCIATING")
    assert wellarchitected_backend.get_backend(member, "us-east-1").organization_sharing
    role = org.client(member, "iam").get_role(RoleName="AWSServiceRoleForWellArchitected")["Role"]
    assert role["Path"] == "/aws-service-role/wellarchitected.amazonaws.com/"  # what the member role may create
    invitations = org.client(org.reviews, "wellarchitected", "us-east-1").list_share_invitations()
    assert invitations["ShareInvitationSummaries"] == []


OUTSIDER = "999988887777"  # an account that is not in the organization


def outsider_invites_reviews(org: SimulatedOrganization, region: str) -> str:
    """A share to the reviews account from outside the organization, made straight in the simulator."""
    backend = wellarchitected_backend.get_backend(OUTSIDER, region)
    with wellarchitected_backend.LOCK:
        workload = backend.create_workload(
            {
                "WorkloadName": "outside-job",
                "Description": "not ours",
                "Environment": "PRODUCTION",
                "Lenses": ["wellarchitected"],
                "AwsRegions": [region],
                "ReviewOwner": "someone@example.com",
            }
        )["WorkloadId"]
        backend.create_workload_share(workload, org.reviews, "READONLY", "outsider-token")
    return str(workload)


def test_the_sweep_accepts_invitations_left_pending_and_leaves_outsiders_alone(
    org: SimulatedOrganization, deployment: Deployment
) -> None:
    turn_acceptance_on(org, deployment)
    member = org.members[1]
    # Shared by hand before wa-share accepted anything: the invitation is still pending.
    workload = create_workload(org, member, "us-east-1", "legacy")
    org.client(member, "wellarchitected", "us-east-1").create_workload_share(
        WorkloadId=workload, SharedWith=org.reviews, PermissionType="READONLY", ClientRequestToken="by-hand"
    )
    outsider_workload = outsider_invites_reviews(org, "us-east-1")
    logs = io.StringIO()
    runner = FunctionRunner(deployment, log_stream=logs)
    runner.discard_share_events()
    runner.run_sweep()
    assert share_statuses(org, member, "us-east-1", workload) == ["ACCEPTED"]
    outsider_shares = wellarchitected_backend.get_backend(OUTSIDER, "us-east-1").list_all_shares(outsider_workload)
    assert [share.status for share in outsider_shares] == ["PENDING"]
    lines = [json.loads(line) for line in logs.getvalue().splitlines() if line.startswith("{")]
    reported = [line for line in lines if line.get("outcome") == "outsider_reported"]
    assert all(line["message"] == "invitation not accepted" for line in reported)
    assert [(line["workload_id"], line["reason"]) for line in reported] == [
        (outsider_workload, f"shared by {OUTSIDER}, which is not an account of the organization")
    ]
    metrics = emf_documents(logs.getvalue())
    assert sum(sum(blob.get("InvitationsAccepted", [])) for blob in metrics) == 1
