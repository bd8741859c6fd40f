"""A workout of the real functions on the sandbox that takes every path making an AWS call.

Real time: a new workload (CreateWorkloadShare, its invitation accepted, the share announced), one whose
live share has the wrong permission (UpdateWorkloadShare, drift policy "enforce"), one in an account
without the member role (AssumeRole denied, then the on-failure queue), an invalid event (SendMessage to
the failure queue), one more with no acceptor role (the announcement reads the name with GetWorkload).
Sweep: the planner lists the accounts and enqueues them; the worker shares the workloads whose events were
lost (one of them drifted; one whose share expired, whose dead row DeleteWorkloadShare removes), and
dead-letters the account without the role and an invalid work item; then one more account with
WaRegions=auto (the region list read from SSM). Everything the functions print is kept. The optional
features are on (acceptance by the reviews account's acceptor role, announcements on SNS and the central
bus), so their conditional grants are in effect and measured too.

A feature that adds a permission adds its path here: the least-privilege test fails on a grant no path uses.
"""

from __future__ import annotations

import io
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from tests.factories import create_workload_event
from tests.security import cli_workout
from wa_share_cli.sandbox import wellarchitected_backend
from wa_share_cli.sandbox.deployment import STACK_NAME, Deployment, deploy, deploy_acceptor
from wa_share_cli.sandbox.iam_trust import install_trust_checks
from wa_share_cli.sandbox.metering import REQUESTS, Recording, install_request_log
from wa_share_cli.sandbox.organization import SimulatedOrganization, build_organization, create_workload
from wa_share_cli.sandbox.runner import FunctionRunner, Invocation

REGIONS = ("us-east-1", "eu-west-1")
ACCEPTOR_ROLE = "wa-share-acceptor"
OVERRIDES: dict[str, Any] = {"PermissionDriftPolicy": "enforce"}
INVALID_WORK_ITEM = json.dumps({"account_id": "not-an-account", "sweep_id": "workout"})


@dataclass
class Workout:
    org: SimulatedOrganization
    deployment: Deployment
    recording: Recording
    logs: str
    invocations: list[Invocation]
    cli_runs: list[cli_workout.CliRun]
    workloads: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # name -> (account, region, id)

    @property
    def without_role(self) -> str:
        return self.org.members[2]

    def log_records(self) -> list[dict[str, Any]]:
        """The functions' JSON log lines (Powertools), EMF metric blobs excluded."""
        records = []
        for line in self.logs.splitlines():
            if line.startswith("{") and '"_aws"' not in line:
                records.append(json.loads(line))
        return records

    def shares(self, name: str) -> list[tuple[str, str, str]]:
        """(shared with, permission, status) of every share row of a workout workload."""
        account, region, workload = self.workloads[name]
        client = self.org.client(account, "wellarchitected", region)
        rows = client.list_workload_shares(WorkloadId=workload)["WorkloadShareSummaries"]
        return [(row["SharedWith"], row["PermissionType"], row["Status"]) for row in rows]

    def outcomes(self, function: str) -> list[str]:
        found: list[str] = []
        for invocation in self.invocations:
            if invocation.function == function and isinstance(invocation.result, dict):
                found.extend(str(result["outcome"]) for result in invocation.result.get("results", []))
        return found


def build() -> tuple[SimulatedOrganization, Deployment]:
    """Three members, the third without the member role, and an operator; call inside a moto mock."""
    install_request_log()  # before any session the functions create
    org = build_organization(members=3)
    overrides = OVERRIDES | {"OperatorPrincipalArns": [cli_workout.operator_arn(org)]}
    deployment = deploy(org, REGIONS, overrides=overrides, accounts_without_role=frozenset({org.members[2]}))
    cli_workout.create_logging_trail(org, org.members[0])
    enable_reviews_team_features(org, deployment)
    install_trust_checks()
    return org, deployment


def enable_reviews_team_features(org: SimulatedOrganization, deployment: Deployment) -> None:
    """Acceptance and announcements on, as the central stack would have them with AcceptorRoleName set and
    Announcements=true: the acceptor stack in the reviews account, the announcement topic, the functions'
    variables, and the parameters (so that the roles' conditional statements are in effect)."""
    if deployment.function_env.get("ANNOUNCE_TOPIC_ARN"):
        return  # the sandbox deploys them itself
    deploy_acceptor(org, ACCEPTOR_ROLE)
    topic = org.client(org.automation, "sns").create_topic(Name=f"{STACK_NAME}-new-shares")["TopicArn"]
    deployment.parameters |= {"AcceptorRoleName": ACCEPTOR_ROLE, "Announcements": "true"}
    deployment.function_env |= {
        "ACCEPTOR_ROLE_NAME": ACCEPTOR_ROLE,
        "ANNOUNCE_TOPIC_ARN": topic,
        "ANNOUNCE_BUS_NAME": deployment.bus_name,
    }


def run(org: SimulatedOrganization, deployment: Deployment, *, cli: bool = True) -> Workout:
    """The functions' paths, then (with `cli`) the operators' commands, all recorded."""
    logs = io.StringIO()
    runner = FunctionRunner(deployment, log_stream=logs)
    operator = cli_workout.create_operator(org) if cli else {}
    with REQUESTS.recording() as recording:
        workloads = _create_workloads(org)
        runner.deliver_share_events()
        workloads |= _announce_without_acceptance(org, deployment, runner)
        runner.invoke("share", create_workload_event(workload_id="not-a-workload-id"))
        org.client(org.automation, "sqs").send_message(
            QueueUrl=deployment.queue_urls["SweepQueue"], MessageBody=INVALID_WORK_ITEM
        )
        runner.run_sweep()
        _sweep_with_regions_from_ssm(deployment, runner)
        cli_runs = cli_workout.run_commands(operator) if cli else []
    return Workout(org, deployment, recording, logs.getvalue(), runner.invocations, cli_runs, workloads)


def _announce_without_acceptance(
    org: SimulatedOrganization, deployment: Deployment, runner: FunctionRunner
) -> dict[str, tuple[str, str, str]]:
    """Announcements with no acceptor role: the workload's name then comes from GetWorkload."""
    acceptor = deployment.function_env.get("ACCEPTOR_ROLE_NAME", "")
    deployment.function_env["ACCEPTOR_ROLE_NAME"] = ""
    try:
        announced = FunctionRunner(deployment, log_stream=runner.log_stream)
        workload = create_workload(org, org.members[1], "eu-west-1", "announced")
        announced.deliver_share_events()
        runner.invocations.extend(announced.invocations)
    finally:
        deployment.function_env["ACCEPTOR_ROLE_NAME"] = acceptor
        FunctionRunner(deployment)  # clears the functions' cached settings again
    return {"announced": (org.members[1], "eu-west-1", workload)}


def _sweep_with_regions_from_ssm(deployment: Deployment, runner: FunctionRunner) -> None:
    """WaRegions=auto for one account (every WA region is a botocore client: keep it to one account)."""
    deployment.function_env["WA_REGIONS"] = "auto"
    try:
        auto = FunctionRunner(deployment, log_stream=runner.log_stream)
        body = json.dumps({"account_id": deployment.org.reviews, "sweep_id": "workout-auto"})
        auto.invoke("worker", {"Records": [sqs_record(body, deployment.queue_urls["SweepQueue"])]})
        runner.invocations.extend(auto.invocations)
    finally:
        deployment.function_env["WA_REGIONS"] = ",".join(deployment.regions)
        FunctionRunner(deployment)  # clears the functions' cached settings again


def sqs_record(body: str, queue_url: str, receive_count: int = 1) -> dict[str, Any]:
    """An SQS event record as the event source mapping hands it to the worker."""
    account, name = queue_url.split("/")[-2:]
    return {
        "messageId": str(uuid.uuid4()),
        "receiptHandle": uuid.uuid4().hex,
        "body": body,
        "attributes": {"ApproximateReceiveCount": str(receive_count), "SentTimestamp": "0"},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:us-east-1:{account}:{name}",
        "awsRegion": "us-east-1",
    }


def _create_workloads(org: SimulatedOrganization) -> dict[str, tuple[str, str, str]]:
    member, other, without_role = org.members
    plan = [
        ("realtime", member, "us-east-1", False, False),
        ("drifted", member, "eu-west-1", False, True),
        ("missed", other, "us-east-1", True, False),
        ("missed-drifted", other, "eu-west-1", True, True),
        ("no-role", without_role, "us-east-1", False, False),
    ]
    workloads = {}
    try:
        for name, account, region, lost, drifted in plan:
            wellarchitected_backend.set_cloudtrail_filter((lambda _record: False) if lost else None)
            workload = create_workload(org, account, region, name)
            if drifted:  # someone shared it by hand, with more than the policy allows
                org.client(account, "wellarchitected", region).create_workload_share(
                    WorkloadId=workload, SharedWith=org.reviews, PermissionType="CONTRIBUTOR", ClientRequestToken=name
                )
            workloads[name] = (account, region, workload)
        workloads["expired"] = _expired_share(org, other, "us-east-1")
    finally:
        wellarchitected_backend.set_cloudtrail_filter(None)
    return workloads


def _expired_share(org: SimulatedOrganization, account: str, region: str) -> tuple[str, str, str]:
    """A workload whose share expired unaccepted (event lost): the sweep deletes the dead row, then reshares."""
    wellarchitected_backend.set_cloudtrail_filter(lambda _record: False)
    workload = create_workload(org, account, region, "expired")
    client = org.client(account, "wellarchitected", region)
    share = client.create_workload_share(
        WorkloadId=workload, SharedWith=org.reviews, PermissionType="READONLY", ClientRequestToken="expired"
    )["ShareId"]
    wellarchitected_backend.get_backend(account, region).set_share_status(workload, share, "EXPIRED")
    return account, region, workload


def queue_messages(org: SimulatedOrganization, queue_url: str) -> list[dict[str, Any]]:
    """Every message on a queue (each becomes invisible once read: read them once, at the end)."""
    sqs, messages = org.client(org.automation, "sqs"), list[dict[str, Any]]()
    while True:
        batch = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], VisibilityTimeout=600
        ).get("Messages", [])
        if not batch:
            return messages
        messages.extend(batch)
