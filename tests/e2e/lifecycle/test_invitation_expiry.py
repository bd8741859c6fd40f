"""How long an expired share passes as live, under both answers to what AWS does not document: whether the
invitation of an expired share leaves the recipient's ListShareInvitations at once, or stays listed.

Simulated nights, the real planner and worker on one deployment per answer (weekly full sweep on Sunday,
no acceptor: the reviews team accepts by hand, so an invitation it leaves alone expires after 7 days). For
each weekday, one shared workload's invitation expires during that day; then each night the schedule fires
(planner, then the workers drain the queue) until a live share to the reviews account exists again. A night
that ends with no live share counts as a night the expired share passed as live. An invitation that
expires during a day is therefore unshared until that night's sweep at most: within one night.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.fixtures import REGIONS
from wa_share_sandbox import wellarchitected as wab
from wa_share_sandbox.deployment import Deployment, deploy
from wa_share_sandbox.iam_trust import install_trust_checks
from wa_share_sandbox.lambda_shapes import scheduled_event
from wa_share_sandbox.organization import SimulatedOrganization, create_workload
from wa_share_sandbox.runner import FunctionRunner

REGION = "us-east-1"
MONDAY = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)  # 03:00 UTC, the default sweep schedule's hour
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
GIVE_UP_AFTER = 8  # nights: a weekly full sweep must have come by then


@pytest.fixture(params=wab.every_reviews_side_view(), ids=wab.ReviewsSideView.label)
def view(request: pytest.FixtureRequest) -> wab.ReviewsSideView:
    return wab.configure_reviews_side_view(request.param)


@pytest.fixture
def deployed(org: SimulatedOrganization, view: wab.ReviewsSideView) -> Deployment:
    deployment = deploy(org, REGIONS)
    install_trust_checks()
    return deployment


def _live(org: SimulatedOrganization, account: str, workload: str) -> bool:
    rows = wab.get_backend(account, REGION).list_all_shares(workload)
    return any(row.shared_with == org.reviews and row.status in {"PENDING", "ACCEPTED"} for row in rows)


def _night(runner: FunctionRunner, org: SimulatedOrganization, day: int) -> None:
    """The sweep schedule fires on the night of `day` (days after MONDAY): planner, then every work item."""
    planned = runner.invoke("planner", scheduled_event(org.automation, "wa-share-sweep", MONDAY + timedelta(day)))
    assert planned.error is None, planned.error
    for batch in runner.drain_sweep_queue():
        assert batch.error is None, batch.error


def _expire(org: SimulatedOrganization, account: str, workload: str) -> None:
    backend = wab.get_backend(account, REGION)
    [row] = [row for row in backend.list_all_shares(workload) if row.status == "PENDING"]
    backend.set_share_status(workload, row.share_id, "EXPIRED")


def nights_passed_as_live(org: SimulatedOrganization, deployed: Deployment) -> dict[str, int]:
    """Per weekday of expiry, the nights whose sweep left the expired share as it was."""
    runner, member, day = FunctionRunner(deployed), org.members[0], 0
    measured: dict[str, int] = {}
    for weekday in WEEKDAYS:
        workload = create_workload(org, member, REGION, f"expires-on-{weekday}")
        runner.deliver_share_events()  # shared in real time: an invitation, never accepted
        while WEEKDAYS[day % 7] != weekday:
            day += 1
        _expire(org, member, workload)  # during that day, seven days after the share
        nights = 0
        while not _live(org, member, workload):
            assert nights < GIVE_UP_AFTER, f"expired on {weekday}, still not shared after {nights} nights"
            _night(runner, org, day)
            day += 1
            nights += 0 if _live(org, member, workload) else 1
        measured[weekday] = nights
    return measured


@pytest.mark.slow
def test_the_longest_time_an_expired_share_passes_as_live(
    org: SimulatedOrganization, deployed: Deployment, view: wab.ReviewsSideView
) -> None:
    measured = nights_passed_as_live(org, deployed)
    print(f"{view.label()}: nights an expired share passed as live, by weekday of expiry: {measured}")
    # Before: the reviews side took a listed invitation for a live share, and the expired share passed as
    # live until the weekly full sweep under the "stays listed" answer: 6 nights after a Monday expiry.
    # Now a pending invitation is no evidence: the night after the expiry re-shares it, under both answers.
    assert max(measured.values()) == 0
