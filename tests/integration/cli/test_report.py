"""`wa-share report`: each workload's share state towards the reviews account, totals, gaps, and exit codes."""

from __future__ import annotations

import csv
import io

import pytest

from tests.integration.cli.conftest import Cli, act_as_operator, deploy_for_operator
from wa_share.aws.wellarchitected import Share
from wa_share.domain import DriftPolicy
from wa_share.rules.sharing import SharePolicy
from wa_share_cli.operations.report import ShareState, state_of
from wa_share_sandbox import wellarchitected as wellarchitected_backend
from wa_share_sandbox.organization import SimulatedOrganization, create_workload

OWNER, REVIEWS = "111111111111", "222222222222"
POLICY = SharePolicy("READONLY", DriftPolicy.REPORT, frozenset({"EXPIRED", "REJECTED", "REVOKED", "FAILED"}))


def share(status: str, permission: str = "READONLY", shared_with: str = REVIEWS) -> Share:
    return Share(f"s-{status}-{permission}".lower(), shared_with, permission, status)


@pytest.mark.parametrize(
    ("shares", "state"),
    [
        ([share("ACCEPTED")], ShareState.LIVE),
        ([share("ASSOCIATED")], ShareState.LIVE),
        ([share("PENDING")], ShareState.PENDING),
        ([], ShareState.MISSING),
        ([share("PENDING", shared_with="333333333333")], ShareState.MISSING),
        ([share("EXPIRED")], ShareState.EXPIRED),
        ([share("EXPIRED"), share("REJECTED")], ShareState.REJECTED),
        ([share("REVOKED"), share("EXPIRED")], ShareState.REVOKED),
        ([share("ACCEPTED", "CONTRIBUTOR")], ShareState.DRIFT),
        ([share("EXPIRED"), share("ACCEPTED")], ShareState.LIVE),
    ],
)
def test_states_follow_the_share_decision(shares: list[Share], state: ShareState) -> None:
    assert state_of(OWNER, REVIEWS, shares, POLICY)[0] is state
    assert state_of(REVIEWS, REVIEWS, shares, POLICY)[0] is ShareState.OWNER


def share_with_reviews(cli: Cli, account: str, region: str, workload: str, permission: str = "READONLY") -> str:
    client = cli.admin(account, "wellarchitected", region)
    response = client.create_workload_share(
        WorkloadId=workload, SharedWith=cli.org.reviews, PermissionType=permission, ClientRequestToken=workload
    )
    return str(response["ShareId"])


def test_every_state_is_reported_with_totals_and_gaps(cli: Cli) -> None:
    member, other = cli.org.members
    shared = create_workload(cli.org, member, "us-east-1", "shared")
    share_with_reviews(cli, member, "us-east-1", shared)
    create_workload(cli.org, member, "us-east-1", "forgotten")
    drifted = create_workload(cli.org, member, "eu-west-1", "drifted")
    share_with_reviews(cli, member, "eu-west-1", drifted, "CONTRIBUTOR")
    refused = create_workload(cli.org, other, "eu-west-1", "refused")
    refused_share = share_with_reviews(cli, other, "eu-west-1", refused)
    wellarchitected_backend.get_backend(other, "eu-west-1").set_share_status(refused, refused_share, "REJECTED")

    result = cli("report", "--output", "json")
    assert result.code == 0, result.err  # gaps alone fail only with --fail-on-gap
    report = result.json()
    states = {row["workload_name"]: row["state"] for row in report["workloads"]}
    assert states == {"shared": "pending", "forgotten": "missing", "drifted": "permission drift", "refused": "rejected"}
    assert report["gaps"] == 3
    assert report["errors"] == []
    assert report["principals"] == [cli.org.reviews]
    totals = {(row["account_id"], row["region"]): row for row in report["totals"]}
    assert (totals[(member, "us-east-1")]["workloads"], totals[(member, "us-east-1")]["missing"]) == (2, 1)
    assert totals[(other, "eu-west-1")]["rejected"] == 1

    assert cli("report", "--fail-on-gap", "--output", "json").code == 1
    table = cli("report", "--region", "us-east-1")
    assert "Gaps" in table.out
    assert "forgotten" in table.out
    assert "drifted" not in table.out
    assert "2 workload(s), 1 gap(s)" in table.out


def test_shares_outside_the_organization_are_listed_never_touched(cli: Cli) -> None:
    member = cli.org.members[0]
    workload = create_workload(cli.org, member, "us-east-1", "leaky")
    client = cli.admin(member, "wellarchitected", "us-east-1")
    for principal in ("999988887777", "arn:aws:iam::999988887777:role/auditor", cli.org.members[1]):
        client.create_workload_share(
            WorkloadId=workload, SharedWith=principal, PermissionType="READONLY", ClientRequestToken=principal[-12:]
        )
    report = cli("report", "--output", "json").json()
    outside = sorted((row["shared_with"], row["reason"].split(",")[0]) for row in report["outside_organization"])
    assert outside == [
        ("999988887777", "an account that is not a member of the organization"),
        ("arn:aws:iam::999988887777:role/auditor", "an IAM principal of account 999988887777"),
    ]
    table = cli("report", "--region", "us-east-1")
    assert "Shared outside the organization" in table.out
    assert "2 share(s) outside the organization" in table.out
    rows = list(csv.DictReader(io.StringIO(cli("report", "--output", "csv").out)))
    assert sum(row["state"] == "outside organization" for row in rows) == 2
    assert len(client.list_workload_shares(WorkloadId=workload)["WorkloadShareSummaries"]) == 3


def test_csv_has_one_row_per_workload_and_reviews_account(cli: Cli) -> None:
    member = cli.org.members[0]
    create_workload(cli.org, member, "us-east-1", "alpha")
    create_workload(cli.org, member, "eu-west-1", "beta")
    result = cli("report", "--account", member, "--output", "csv")
    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert sorted((row["workload_name"], row["region"], row["state"]) for row in rows) == [
        ("alpha", "us-east-1", "missing"),
        ("beta", "eu-west-1", "missing"),
    ]
    assert {row["principal"] for row in rows} == {cli.org.reviews}


def test_an_account_that_cannot_be_read_is_reported_and_fails_the_run(
    org: SimulatedOrganization, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken, healthy = org.members
    deployed = deploy_for_operator(org, accounts_without_role=[broken], forwarders=False)
    act_as_operator(monkeypatch, org)
    cli = Cli(org, deployed, capsys)
    create_workload(org, healthy, "us-east-1", "visible")
    result = cli("report", "--account", broken, "--account", healthy, "--output", "json")
    assert result.code == 1
    report = result.json()
    assert [row["workload_name"] for row in report["workloads"]] == ["visible"]
    [error] = report["errors"]
    assert error["account_id"] == broken
    assert "sts:AssumeRole" in error["message"]
    table = cli("report", "--account", broken)
    assert f"not scanned {broken}" in table.out
