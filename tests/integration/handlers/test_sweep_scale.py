"""The sweep at scale, on moto with the real functions: the reviews side read once by the planner, and the
work item's slice saving the calls for workloads already live-shared (guards: test_sweep_deadline.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.handlers.test_sweep_worker import drain, live_shares
from tests.support.factories import scheduled_event
from wa_share.sweep.work_items import MAX_KNOWN_LIVE, WorkItem, bounded_slice, parse_work_item
from wa_share_sandbox import wellarchitected as wellarchitected_backend
from wa_share_sandbox.deployment import Deployment
from wa_share_sandbox.metering import METER
from wa_share_sandbox.organization import SimulatedOrganization, create_workload
from wa_share_sandbox.runner import FunctionRunner

WEDNESDAY = scheduled_event(event_id="nightly-wed", time="2026-01-07T03:00:00Z")
SUNDAY = WEDNESDAY | {"id": "nightly-sun", "time": "2026-01-04T03:00:00Z"}


def calls(operation: str) -> int:
    return METER.snapshot()[f"wellarchitected:{operation}"]


def share(org: SimulatedOrganization, owner: str, region: str, workload: str, permission: str = "READONLY") -> str:
    client = org.client(owner, "wellarchitected", region)
    return str(
        client.create_workload_share(
            WorkloadId=workload, SharedWith=org.reviews, PermissionType=permission, ClientRequestToken=workload
        )["ShareId"]
    )


def accept_all(org: SimulatedOrganization, region: str) -> None:
    client = org.client(org.reviews, "wellarchitected", region)
    for invitation in client.list_share_invitations(ShareResourceType="WORKLOAD")["ShareInvitationSummaries"]:
        client.update_share_invitation(
            ShareInvitationId=invitation["ShareInvitationId"], ShareInvitationAction="ACCEPT"
        )


def planned(org: SimulatedOrganization, deployment: Deployment) -> dict[str, WorkItem]:
    """The items on the sweep queue, read and deleted."""
    items = [parse_work_item(message["Body"]) for message in drain(org, deployment.queue_urls["SweepQueue"])]
    return {item.account_id: item for item in items}


def enqueue(org: SimulatedOrganization, deployment: Deployment, items: list[WorkItem]) -> None:
    sqs = org.client(org.automation, "sqs")
    for item in items:
        sqs.send_message(QueueUrl=deployment.queue_urls["SweepQueue"], MessageBody=item.to_message())


def test_the_planner_reads_the_reviews_side_and_the_worker_lists_only_what_is_not_known_live(
    org: SimulatedOrganization, deployment: Deployment, runner: FunctionRunner
) -> None:
    member = org.members[0]
    accepted = create_workload(org, member, "us-east-1", "accepted")
    pending = create_workload(org, member, "us-east-1", "pending")
    new = create_workload(org, member, "us-east-1", "new")
    elsewhere = create_workload(org, member, "eu-west-1", "eu-accepted")
    share(org, member, "us-east-1", accepted)
    share(org, member, "eu-west-1", elsewhere)
    accept_all(org, "us-east-1")
    accept_all(org, "eu-west-1")
    # An invitation is no evidence: it may have expired (undocumented whether it then leaves the list).
    share(org, member, "us-east-1", pending)

    assert runner.invoke("planner", WEDNESDAY).result["full_sweep"] is False
    items = planned(org, deployment)

    assert set(items) == set(org.accounts)
    assert items[member].known_live == {"us-east-1": (accepted,), "eu-west-1": (elsewhere,)}
    assert all(items[account].known_live is None for account in org.accounts if account != member)
    before = calls("ListWorkloadShares")
    enqueue(org, deployment, [items[member]])
    runner.drain_sweep_queue()
    # The new workload (listed, shared, listed again to prove it live) and the pending one, verified on the
    # owner side tonight; nothing else.
    assert calls("ListWorkloadShares") - before == 2 + 1
    assert live_shares(org, member, "us-east-1", new) == [org.reviews]


@pytest.mark.parametrize(
    ("variables", "schedule"),
    [
        ({"PERMISSION_DRIFT_POLICY": "enforce"}, WEDNESDAY),  # drift needs every share's permission
        ({}, SUNDAY),  # the weekly full sweep (FullSweepDay, default SUN)
        ({"FULL_SWEEP_DAY": "DAILY"}, WEDNESDAY),
    ],
    ids=["enforce", "full-sweep-day", "daily"],
)
def test_a_full_sweep_reads_no_reviews_side_and_sends_no_slices(
    org: SimulatedOrganization,
    deployment: Deployment,
    reconfigure: Callable[..., FunctionRunner],
    variables: dict[str, str],
    schedule: dict[str, Any],
) -> None:
    member = org.members[0]
    share(org, member, "us-east-1", create_workload(org, member, "us-east-1", "live"))
    runner = reconfigure(**variables)
    before = calls("ListWorkloads")

    assert runner.invoke("planner", schedule).result["full_sweep"] is True

    assert calls("ListWorkloads") == before
    assert all(item.known_live is None for item in planned(org, deployment).values())


@pytest.mark.parametrize("failing", ["ListWorkloads", None])
def test_a_reviews_region_that_cannot_be_read_falls_back_to_listing(
    org: SimulatedOrganization, deployment: Deployment, runner: FunctionRunner, failing: str | None
) -> None:
    """`failing`: the one list that is denied there (None: every call)."""
    member = org.members[0]
    for region in ("us-east-1", "eu-west-1"):
        share(org, member, region, create_workload(org, member, region, f"live-{region}"))
        accept_all(org, region)
    reviews = org.reviews
    wellarchitected_backend.configure_faults(
        fault=lambda operation, account, region: (
            "AccessDeniedException"
            if (account, region) == (reviews, "eu-west-1") and failing in {None, operation}
            else None
        )
    )
    try:
        runner.invoke("planner", WEDNESDAY)
    finally:
        wellarchitected_backend.reset_faults()

    item = planned(org, deployment)[member]
    assert item.known_live is not None
    assert set(item.known_live) == {"us-east-1"}  # eu-west-1 unread: its workloads are listed one by one


def test_a_slice_is_bounded_by_whole_regions_and_fits_a_message() -> None:
    workload = "{:032x}".format
    known = {
        "us-east-1": frozenset(workload(index) for index in range(MAX_KNOWN_LIVE - 10)),
        "eu-west-1": frozenset(workload(index) for index in range(20)),
        "eu-west-2": frozenset(),
    }
    kept = bounded_slice(known)
    assert set(kept) == {"eu-west-1"}  # the big region does not fit beside it: it falls back to listing
    alone = bounded_slice({"us-east-1": known["us-east-1"]})
    message = WorkItem(account_id="111122223333", sweep_id="s", known_live=alone).to_message()
    assert len(message.encode()) < 256 * 1024  # the sweep queue's default maximum message size
    with pytest.raises(ValueError, match="known_live"):
        WorkItem.model_validate_json(
            '{"account_id": "111122223333", "sweep_id": "s", "known_live": {"us-east-1": ["x"]}}'
        )
