"""MissedByRealtime counts only workloads created after the forwarder of their account and region existed.

The sweep shares every workload that has no share; one created before its forwarder (the installation's
backfill, an account that just joined the organization) is reported as SharedBeforeForwarder, not alarmed.
A workload created after the forwarder whose event was lost still counts as MissedByRealtime (its alarm).
The forwarder's age is its dead-letter queue's creation time; a workload's age is bounded by its UpdatedAt.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from tests.integration.handlers.test_probe import metric_sums
from tests.support.fixtures import REGIONS
from wa_share.sweep.forwarder_dead_letters import FORWARDER_DEAD_LETTER_QUEUE
from wa_share_cli.cfn_templates import load_template, templates_root
from wa_share_sandbox import wellarchitected as wab
from wa_share_sandbox.deployment import Deployment, deploy, stackset_parameters
from wa_share_sandbox.iam_trust import install_trust_checks
from wa_share_sandbox.member_stacks import create_member_stack
from wa_share_sandbox.metering import METER
from wa_share_sandbox.organization import SimulatedOrganization, create_workload

REGION = "us-east-1"
HOME = "us-east-1"


def existing_workload(org: SimulatedOrganization, account: str, region: str, name: str) -> str:
    """A workload that was there long before wa-share: last updated a month ago, its event long gone."""
    workload = create_workload(org, account, region, name)
    backend = wab.get_backend(account, region)
    with wab.LOCK:
        backend.workloads[workload].updated_at = datetime.now(UTC) - timedelta(days=30)
    return workload


def sweep_metrics(deployment: Deployment) -> dict[str, float]:
    from wa_share_sandbox.runner import FunctionRunner

    logs = io.StringIO()
    runner = FunctionRunner(deployment, log_stream=logs)
    runner.discard_share_events()  # lost: CloudTrail is best effort
    runs = runner.run_sweep()
    assert all(run.error is None for run in runs), [run.error for run in runs]
    return metric_sums(logs)


def test_the_installation_backfill_is_reported_not_alarmed(org: SimulatedOrganization) -> None:
    for account in (org.members[0], org.management):
        for region in REGIONS:
            existing_workload(org, account, region, f"before-install-{region}")
    deployment = deploy(org, REGIONS)
    install_trust_checks()
    queue_reads = METER.snapshot()["sqs:GetQueueAttributes"]
    sums = sweep_metrics(deployment)
    assert sums["SharesMadeSweep"] == 4
    assert sums["SharedBeforeForwarder"] == 4
    assert sums.get("MissedByRealtime", 0) == 0
    # One read of the forwarder's age per account and region where the sweep created a share, beside the
    # nightly depth read of every swept account and region's dead-letter queue.
    depth_reads = len(org.accounts) * len(REGIONS)
    assert METER.snapshot()["sqs:GetQueueAttributes"] - queue_reads == 4 + depth_reads


def test_an_account_that_just_joined_is_a_backfill(org: SimulatedOrganization) -> None:
    deployment = deploy(org, REGIONS)
    install_trust_checks()
    status = org.client(org.management, "organizations").create_account(
        AccountName="joined", Email="joined@example.com"
    )["CreateAccountStatus"]
    joined = str(status["AccountId"])
    existing_workload(org, joined, REGION, "from-the-acquisition")
    # The StackSets' auto-deployment reaches the new account: its member roles, then its forwarders.
    roles = stackset_parameters(deployment, "MemberRolesStackSet")
    create_member_stack(org, joined, HOME, name="wa-share-roles", file="roles.yaml", parameters=roles)
    forwarder = stackset_parameters(deployment, "MemberForwarderStackSet")
    for region in REGIONS:
        create_member_stack(org, joined, region, name="wa-share-forwarder", file="forwarder.yaml", parameters=forwarder)
    sums = sweep_metrics(deployment)
    assert (sums["SharedBeforeForwarder"], sums.get("MissedByRealtime", 0)) == (1, 0)


def test_a_workload_created_after_its_forwarder_whose_event_was_lost_still_alarms(
    org: SimulatedOrganization, deployment: Deployment
) -> None:
    member = org.members[0]
    create_workload(org, member, REGION, "after-the-forwarder")
    existing_workload(org, member, "eu-west-1", "before-the-forwarder")
    sums = sweep_metrics(deployment)
    assert (sums["MissedByRealtime"], sums["SharedBeforeForwarder"]) == (1, 1)


def test_without_a_forwarder_there_is_no_proof_of_a_backfill_so_it_alarms(
    org: SimulatedOrganization, deployment: Deployment
) -> None:
    member = org.members[0]
    org.client(member, "cloudformation", REGION).delete_stack(StackName="wa-share-forwarder")
    existing_workload(org, member, REGION, "old-but-no-forwarder-to-prove-it")
    sums = sweep_metrics(deployment)
    assert (sums["MissedByRealtime"], sums["SharedBeforeForwarder"]) == (1, 0)


def test_the_queue_read_is_the_forwarder_templates_queue() -> None:
    template = load_template(templates_root() / "member_stackset" / "forwarder.yaml")
    assert template["Resources"]["ForwardDeadLetterQueue"]["Properties"]["QueueName"] == FORWARDER_DEAD_LETTER_QUEUE
