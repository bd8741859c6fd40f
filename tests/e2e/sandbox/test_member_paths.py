"""Every deployment path the docs document (README, docs/deploy.md) runs the story: the central stack's
StackSets (option A), StackSets made with `wa-share member-parameters` (option B), plain stacks everywhere (the
management account's commands); and `wa-share doctor` on the sandbox fails only on the faults the story injects."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from moto import mock_aws

from wa_share_cli.main import main
from wa_share_sandbox import wellarchitected as wab
from wa_share_sandbox.deployment import stackset_parameters
from wa_share_sandbox.iam_trust import uninstall_trust_checks
from wa_share_sandbox.member_paths import MEMBER_PATHS
from wa_share_sandbox.scenario import build_scenario
from wa_share_sandbox.story import Story

# Reduced: one healthy member account, one region, one workload per phase (option A runs the full short
# story in test_story.py).
REDUCED = ["--accounts", "1", "--regions", "us-east-1", "--workloads", "1", "--drop-rate", "1.0"]


@pytest.fixture(autouse=True)
def _fast_ec2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


def test_the_sandbox_offers_every_documented_path(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sandbox", "--help"]) == 0
    assert "--member-path {" + ",".join(MEMBER_PATHS) + "}" in capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.parametrize("path", ["option-b", "plain-stacks"])
def test_the_story_passes_on_each_manual_path(capsys: pytest.CaptureFixture[str], tmp_path: Path, path: str) -> None:
    code = main(["sandbox", "--output", "json", "--log-dir", str(tmp_path), *REDUCED, "--member-path", path])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["ok"]
    assert report["organization"]["member_path"] == path
    realtime, faults, sweep = (next(p for p in report["phases"] if p["phase"] == n) for n in (1, 2, 3))
    assert realtime["shares_created"] == realtime["events"] == realtime["workloads_created"] == 1
    assert realtime["failures"] == 0
    # The probe workload in the automation account: shared, its name read (ProbeAccountId reached the role).
    assert 0 < realtime["details"]["probe_latency_seconds"] < 60
    assert sweep["metrics"]["MissedByRealtime"] == faults["details"]["lost_where_the_role_exists"] == 1
    assert sweep["failures"] == 0
    assert report["coverage"]["gaps"] == []


@pytest.fixture
def built(tmp_path: Path) -> Iterator[Story]:
    wab.install()
    with mock_aws():
        scenario = build_scenario({"accounts": 2, "regions": "us-east-1", "workloads": 0}, {})
        story = Story(scenario, tmp_path / "log")
        story.build()
        yield story
        story.close()
    uninstall_trust_checks()


@pytest.mark.slow
@pytest.mark.parametrize("path", MEMBER_PATHS)
def test_every_path_deploys_the_central_stacks_member_parameters(tmp_path: Path, path: str) -> None:
    wab.install()
    with mock_aws():
        scenario = build_scenario({"accounts": 1, "regions": "us-east-1", "workloads": 0, "member_path": path}, {})
        story = Story(scenario, tmp_path / "log")
        try:
            story.build()
            wanted = stackset_parameters(story.deployment, "MemberRolesStackSet")
            for account in story.org.accounts:
                cloudformation = story.org.client(account, "cloudformation")
                stack = cloudformation.describe_stacks(StackName="wa-share-roles")["Stacks"][0]
                assert {item["ParameterKey"]: item["ParameterValue"] for item in stack["Parameters"]} == wanted
        finally:
            story.close()
    uninstall_trust_checks()


@pytest.mark.slow
def test_doctor_on_the_sandbox_fails_only_on_the_injected_fault(
    built: Story, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The organization has its trail: no CloudTrail failure; member-02's missing role is the one fault."""
    org = built.org
    credentials = org.credentials(org.automation)  # the operator: OperatorPrincipalArns names this role
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", credentials["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", credentials["aws_secret_access_key"])
    monkeypatch.setenv("AWS_SESSION_TOKEN", credentials["aws_session_token"])
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    capsys.readouterr()
    code = main(["doctor", "--stack-name", "wa-share", "--output", "json"])
    checks = json.loads(capsys.readouterr().out)["checks"]
    failed = [(check["name"], check["scope"]) for check in checks if check["verdict"] == "FAIL"]
    assert code == 1
    assert failed == [("member role assumable", f"account {built.ids['member-02']}")]
    trails = [check for check in checks if check["name"] == "CloudTrail trail logging"]
    assert len(trails) == len(org.accounts) - 1  # every account but the one without a role
    assert all(check["verdict"] == "ok" and "org-trail" in check["detail"] for check in trails)
