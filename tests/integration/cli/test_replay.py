"""`wa-share replay`: the archive goes back to the share rule alone, windows are checked first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.cli import Cli
from tests.support.queues import drain
from wa_share_cli.operations.replay import (
    ReplayWindowError,
    check_window,
    replay_name,
    start_replay,
    wait_for_replay,
)
from wa_share_sandbox.organization import create_workload
from wa_share_sandbox.runner import FunctionRunner

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def lose_pending_deliveries(cli: Cli) -> int:
    """The share function was down: what the share rule delivered is gone (the archive still has it)."""
    return len(drain(cli.org, cli.deployment.invocation_queue_url))


def test_replay_brings_lost_events_back_to_the_share_function(cli: Cli, functions: FunctionRunner) -> None:
    member = cli.org.members[0]
    workload = create_workload(cli.org, member, "eu-west-1", "payments")
    assert lose_pending_deliveries(cli) == 1
    result = cli("replay", "--since", "2h", "--force", "--wait")
    assert result.code == 0, result.err
    assert "ended COMPLETED" in result.out
    [delivered] = functions.deliver_share_events()
    assert delivered.error is None
    assert delivered.result["event"]["replay_name"].startswith("wa-share-replay-")
    shares = cli.admin(member, "wellarchitected", "eu-west-1").list_workload_shares(WorkloadId=workload)
    assert [share["SharedWith"] for share in shares["WorkloadShareSummaries"]] == [cli.org.reviews]


def test_the_replay_targets_the_share_rule_alone(cli: Cli) -> None:
    start = datetime.now(UTC) - timedelta(hours=3)
    result = cli("replay", "--start", start.isoformat(), "--end", (start + timedelta(hours=1)).isoformat())
    assert result.code == 0, result.err
    name = result.out.split()[1]
    replay = cli.admin(cli.org.automation, "events").describe_replay(ReplayName=name)
    assert replay["Destination"] == {"Arn": cli.deployment.bus_arn, "FilterArns": [cli.deployment.share_rule_arn]}
    assert replay["EventSourceArn"] == cli.deployment.archive_arn


def test_replay_prints_json_for_scripts(cli: Cli) -> None:
    result = cli("replay", "--since", "2h", "--force", "--wait", "--output", "json")
    assert result.code == 0, result.err
    document = result.json()
    assert (document["state"], document["rule"]) == ("COMPLETED", cli.deployment.share_rule_arn)
    assert document["replay"].startswith("wa-share-replay-")


def test_a_window_inside_the_ingestion_lag_is_refused_unless_forced(cli: Cli) -> None:
    result = cli("replay", "--since", "2h")
    assert result.code == 2
    assert "ingestion lag" in result.err
    assert "--force" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert cli.admin(cli.org.automation, "events").list_replays()["Replays"] == []


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--start", "2026-05-01T10:00Z", "--end", "2026-05-01T09:00Z"], "must be before"),
        (["--since", "31d"], "keeps 30 days"),
    ],
)
def test_bad_windows_are_one_line_usage_errors(cli: Cli, argv: list[str], says: str) -> None:
    result = cli("replay", *argv)
    assert result.code == 2
    assert says in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert "Traceback" not in result.err


def test_check_window_rules() -> None:
    check_window(NOW - timedelta(hours=2), NOW - timedelta(minutes=11), now=NOW, retention_days=30)
    check_window(NOW - timedelta(hours=2), NOW, now=NOW, retention_days=30, force=True)
    with pytest.raises(ReplayWindowError, match="in the future"):
        check_window(NOW, NOW + timedelta(hours=1), now=NOW, retention_days=30, force=True)
    with pytest.raises(ReplayWindowError, match="time zone"):
        check_window(datetime(2026, 5, 1), datetime(2026, 5, 1, 1), now=NOW, retention_days=30)


def test_replay_names_are_unique_and_valid() -> None:
    names = {replay_name(NOW) for _ in range(50)}
    assert len(names) == 50
    assert all(len(name) <= 64 and name.startswith("wa-share-replay-20260501T120000Z-") for name in names)


def test_the_fixed_interface_starts_and_waits(cli: Cli) -> None:
    events = cli.admin(cli.org.automation, "events")
    states: list[str] = []
    name = start_replay(
        events,
        archive_arn=cli.deployment.archive_arn,
        bus_arn=cli.deployment.bus_arn,
        rule_arn=cli.deployment.share_rule_arn,
        start=NOW - timedelta(hours=1),
        end=NOW,
        name="sandbox.replay_1",
    )
    assert name == "sandbox.replay_1"
    assert wait_for_replay(events, name, poll_seconds=0, on_progress=states.append) == "COMPLETED"
    assert states[-1] == "COMPLETED"
    with pytest.raises(ReplayWindowError, match="replay name"):
        start_replay(
            events,
            archive_arn=cli.deployment.archive_arn,
            bus_arn=cli.deployment.bus_arn,
            rule_arn=cli.deployment.share_rule_arn,
            start=NOW - timedelta(hours=1),
            end=NOW,
            name="no spaces allowed",
        )
