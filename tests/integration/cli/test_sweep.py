"""`wa-share sweep`: targeted work items for the deployed worker, or the same sweep run here."""

from __future__ import annotations

import json

import pytest

from tests.integration.cli.conftest import Cli, act_as_operator, deploy_for_operator
from wa_share.sweep.work_items import parse_work_item
from wa_share_sandbox.organization import SimulatedOrganization, create_workload
from wa_share_sandbox.runner import FunctionRunner


def queued_items(cli: Cli) -> list[dict[str, object]]:
    sqs = cli.admin(cli.org.automation, "sqs")
    response = sqs.receive_message(QueueUrl=cli.queue("SweepQueue"), MaxNumberOfMessages=10)
    return [json.loads(message["Body"]) for message in response.get("Messages", [])]


def test_targeted_items_go_to_the_sweep_queue(cli: Cli) -> None:
    member = cli.org.members[0]
    result = cli("sweep", "--account", member, "--account", member, "--region", "eu-west-1", "--dry-run")
    assert result.code == 0, result.err
    assert "1 account(s) queued" in result.out
    assert "dry run" in result.out
    [item] = queued_items(cli)
    assert item["account_id"] == member
    assert item["regions"] == ["eu-west-1"]
    assert item["dry_run"] is True
    parse_work_item(json.dumps(item))  # exactly what the worker accepts


def test_without_accounts_every_active_account_is_queued(cli: Cli) -> None:
    result = cli("sweep")
    assert result.code == 0, result.err
    assert sorted(str(item["account_id"]) for item in queued_items(cli)) == sorted(cli.org.accounts)


def test_the_worker_acts_on_the_queued_items(cli: Cli, functions: FunctionRunner) -> None:
    member = cli.org.members[1]
    workload = create_workload(cli.org, member, "us-east-1", "billing")
    cli.admin(cli.org.automation, "sqs").purge_queue(QueueUrl=cli.deployment.invocation_queue_url)  # event lost
    assert cli("sweep", "--account", member).code == 0
    batch = functions._receive_worker_batch()
    assert functions._run_worker_batch(batch).error is None
    shares = cli.admin(member, "wellarchitected").list_workload_shares(WorkloadId=workload)
    assert [share["SharedWith"] for share in shares["WorkloadShareSummaries"]] == [cli.org.reviews]


def test_local_sweep_shares_with_the_operators_credentials(cli: Cli) -> None:
    member = cli.org.members[0]
    create_workload(cli.org, member, "us-east-1", "orders")
    create_workload(cli.org, member, "eu-west-1", "stock")
    dry = cli("sweep", "--local", "--account", member, "--dry-run", "--output", "json")
    assert dry.code == 0, dry.err
    assert dry.json()["accounts"][0]["created"] == 2
    result = cli("sweep", "--local", "--account", member, "--output", "json")
    assert result.code == 0, result.err
    [summary] = result.json()["accounts"]
    assert (summary["account_id"], summary["workloads_seen"], summary["created"]) == (member, 2, 2)
    again = cli("sweep", "--local", "--account", member, "--region", "eu-west-1", "--output", "json")
    assert again.json()["accounts"][0]["already_shared"] == 1


def test_local_sweep_reports_an_unreachable_account_and_sweeps_the_rest(
    org: SimulatedOrganization, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken, healthy = org.members
    deployed = deploy_for_operator(org, accounts_without_role=[broken], forwarders=False)
    act_as_operator(monkeypatch, org)
    cli = Cli(org, deployed, capsys)
    create_workload(org, healthy, "us-east-1", "healthy")
    create_workload(org, broken, "us-east-1", "unreachable")
    result = cli("sweep", "--local", "--account", broken, "--account", healthy)
    assert result.code == 1
    assert "sts:AssumeRole" in result.out
    assert broken in result.out
    table = cli("sweep", "--local", "--account", broken, "--account", healthy, "--output", "json").json()
    by_account = {row["account_id"]: row for row in table["accounts"]}
    assert by_account[healthy]["already_shared"] == 1  # shared by the first run despite the broken account
    assert by_account[broken]["failed"] == 1
