"""Half a year of one workload's share, under every answer to what AWS does not document.

One deployment per combination of the sandbox's lifecycle switches drives 26 simulated weeks: each week
the invitation expires unaccepted, or a person deletes the share, or someone adds a second share; the
night after, the sweep (the worker, or `wa-share sweep --local`) or a replay of the CreateWorkload event
makes it right. Every night must end with exactly one live share to the reviews account, never more than
20 rows, and every `created`/`reshared` the path reports must name a share that is live. Then the
reviews team rejects: reported every night, never invited again (REJECTED is not re-shared by default).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

import sweep_worker
from tests.integration.cli.conftest import Cli, act_as_operator, deploy_for_operator
from wa_share.rules.sharing import ShareResult
from wa_share.sweep.work_items import WorkItem
from wa_share.sweep.worker import handle_work_message
from wa_share_sandbox import wellarchitected as wellarchitected_backend
from wa_share_sandbox.organization import SimulatedOrganization, create_workload
from wa_share_sandbox.runner import FunctionRunner
from wa_share_sandbox.wellarchitected import Lifecycle
from wa_share_sandbox.wellarchitected import lifecycle as wellarchitected_lifecycle
from wa_share_sandbox.wellarchitected.lifecycle import every_lifecycle

REGION = "us-east-1"
WEEKS = 26
LIVE = frozenset({"PENDING", "ACCEPTED"})
CHANGED = frozenset({"created", "reshared", "updated"})


@dataclass
class Sandbox:
    cli: Cli
    functions: FunctionRunner
    member: str
    workload: str = ""

    @property
    def org(self) -> SimulatedOrganization:
        return self.cli.org

    def rows(self) -> list[Any]:
        return wellarchitected_backend.get_backend(self.member, REGION).list_all_shares(self.workload)

    def live(self) -> list[Any]:
        return [row for row in self.rows() if row.shared_with == self.org.reviews and row.status in LIVE]

    def set_status(self, status: str) -> None:
        for row in self.live():
            wellarchitected_backend.get_backend(self.member, REGION).set_share_status(
                self.workload, row.share_id, status
            )

    def delete_by_hand(self) -> None:
        client = self.org.client(self.member, "wellarchitected", REGION)
        for row in self.live():
            client.delete_workload_share(
                WorkloadId=self.workload, ShareId=row.share_id, ClientRequestToken=row.share_id
            )

    def share_again_by_hand(self, week: int) -> None:
        """Someone shares it once more: a second live row where AWS allows it, ConflictException where not."""
        client = self.org.client(self.member, "wellarchitected", REGION)
        try:
            client.create_workload_share(
                WorkloadId=self.workload,
                SharedWith=self.org.reviews,
                PermissionType="READONLY",
                ClientRequestToken=f"by-hand-{week}",
            )
        except client.exceptions.ConflictException:
            assert wellarchitected_lifecycle.current().duplicate_live_conflicts

    def worker_night(self, night: int) -> list[dict[str, str | None]]:
        item = WorkItem(account_id=self.member, sweep_id=f"night-{night}", regions=(REGION,))
        with self.functions.as_function("worker"):
            settings, sessions = sweep_worker.runtime()
            swept = handle_work_message(item.to_message(), 1, settings, sessions)
        assert swept is not None
        assert not swept.failures, swept.failures
        return [_reported(result) for result in swept.results]

    def cli_night(self) -> list[dict[str, str | None]]:
        result = self.cli("sweep", "--local", "--account", self.member, "--region", REGION, "--output", "json")
        assert result.code == 0, result.err
        [summary] = result.json()["accounts"]
        assert summary["failed"] == 0, summary
        return [{"outcome": name, "share_id": None} for name in CHANGED for _ in range(int(summary[name]))]

    def replay(self, event: dict[str, Any], week: int) -> list[dict[str, str | None]]:
        invocation = self.functions.invoke("share", event | {"replay-name": f"wa-share-replay-{week}"})
        assert invocation.error is None, invocation.error
        return [{"outcome": r["outcome"], "share_id": r["share_id"]} for r in invocation.result["results"]]


def _reported(result: ShareResult) -> dict[str, str | None]:
    return {"outcome": result.outcome.value, "share_id": result.share_id}


@pytest.fixture(params=every_lifecycle(), ids=Lifecycle.label)
def sandbox(
    request: pytest.FixtureRequest,
    org: SimulatedOrganization,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[Sandbox]:
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    wellarchitected_backend.configure_lifecycle(request.param)
    deployed = deploy_for_operator(org)
    act_as_operator(monkeypatch, org)
    yield Sandbox(Cli(org, deployed, capsys), FunctionRunner(deployed), org.members[0])
    sweep_worker.runtime.cache_clear()


def _assert_night_ends_right(sandbox: Sandbox, reported: list[dict[str, str | None]], when: str) -> None:
    live = sandbox.live()
    assert len(live) == 1, f"{when}: live shares to reviews {[(r.share_id, r.status) for r in sandbox.rows()]}"
    assert live[0].permission_type == "READONLY", when
    assert len(sandbox.rows()) <= wellarchitected_backend.SHARE_QUOTA, when
    for item in reported:  # an outcome that claims a share names the live one
        if item["outcome"] in CHANGED and item["share_id"] is not None:
            assert item["share_id"] == live[0].share_id, f"{when}: reported {item}, live {live[0].share_id}"


def _week(sandbox: Sandbox, week: int, event: dict[str, Any]) -> tuple[str, Callable[[], Any]]:
    """What happens during week `week`, and which path makes it right the night after."""
    night = lambda: sandbox.cli_night() if week % 4 == 0 else sandbox.worker_night(week)  # noqa: E731
    if week in (5, 13):
        sandbox.delete_by_hand()
        return "a person deleted the share", night
    if week == 9:
        sandbox.delete_by_hand()
        return "deleted, then the event replayed", lambda: sandbox.replay(event, week)
    if week == 17:
        sandbox.share_again_by_hand(week)
        return "shared a second time by hand", night
    if week == 21:
        sandbox.set_status("ACCEPTED")
        return "accepted", night
    sandbox.set_status("EXPIRED")
    return "expired unaccepted", night


def test_every_night_ends_with_one_live_share_whatever_aws_does(sandbox: Sandbox) -> None:
    sandbox.workload = create_workload(sandbox.org, sandbox.member, REGION, "half-a-year")
    [first] = sandbox.functions.deliver_share_events()
    assert first.calls <= 2  # a fresh event: AssumeRole (cold) + CreateWorkloadShare
    reported = [{"outcome": r["outcome"], "share_id": r["share_id"]} for r in first.result["results"]]
    assert [item["outcome"] for item in reported] == ["created"]
    _assert_night_ends_right(sandbox, reported, "real time")

    for week in range(1, WEEKS + 1):
        happened, night = _week(sandbox, week, first.event)
        if week == 21:  # accepted: nothing to do
            assert {item["outcome"] for item in night()} == {"already_shared"}
        else:
            _assert_night_ends_right(sandbox, night(), f"week {week}: {happened}")
    assert len(sandbox.rows()) == 1  # dead rows never piled up

    sandbox.set_status("REJECTED")  # the reviews team says no: reported every night, never invited again
    for later in range(WEEKS + 1, WEEKS + 3):
        assert [item["outcome"] for item in sandbox.worker_night(later)] == ["not_live_reported"]
    assert [row.status for row in sandbox.rows()] == ["REJECTED"]
