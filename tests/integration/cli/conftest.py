"""The CLI on a simulated deployment, run as an operator of the automation account would run it.

The operator's credentials reach the CLI the ordinary way (environment variables), and the member
roles trust the operator through the stack's OperatorPrincipalArns, as in a real organization.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.fixtures import REGIONS
from wa_share_cli.main import main
from wa_share_cli.operations import redrive, share_failures
from wa_share_sandbox.deployment import Deployment, deploy
from wa_share_sandbox.iam_trust import install_trust_checks
from wa_share_sandbox.member_paths import MemberPath
from wa_share_sandbox.organization import ACCESS_ROLE, SimulatedOrganization
from wa_share_sandbox.runner import FunctionRunner


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@dataclass
class Cli:
    org: SimulatedOrganization
    deployment: Deployment
    capsys: pytest.CaptureFixture[str]

    def __call__(self, *argv: str) -> Result:
        self.capsys.readouterr()
        code = main(list(argv))
        captured = self.capsys.readouterr()
        return Result(code, captured.out, captured.err)

    def admin(self, account: str, service: str, region: str = "us-east-1") -> Any:
        return self.org.client(account, service, region)

    def queue(self, name: str) -> str:
        return self.deployment.queue_urls[name]


def operator_arn(org: SimulatedOrganization) -> str:
    return f"arn:aws:iam::{org.automation}:role/{ACCESS_ROLE}"


def act_as_operator(monkeypatch: pytest.MonkeyPatch, org: SimulatedOrganization) -> None:
    credentials = org.credentials(org.automation)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", credentials["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", credentials["aws_secret_access_key"])
    monkeypatch.setenv("AWS_SESSION_TOKEN", credentials["aws_session_token"])
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("WA_SHARE_STACK", raising=False)


@pytest.fixture(autouse=True)
def _fast_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto answers a long poll of an empty queue by waiting it out: poll short in tests."""
    monkeypatch.setattr(redrive, "RECEIVE_WAIT_SECONDS", 0)
    monkeypatch.setattr(share_failures, "RECEIVE_WAIT_SECONDS", 0)
    # DescribeRegions builds moto's EC2 backend per account; its default AMIs cost ~0.3 s each and serve nothing.
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


def deploy_for_operator(
    org: SimulatedOrganization,
    *,
    accounts_without_role: Sequence[str] = (),
    forwarders: bool = True,
    overrides: dict[str, Any] | None = None,
    member_path: MemberPath = "stacksets",
) -> Deployment:
    deployed = deploy(
        org,
        REGIONS,
        overrides={"OperatorPrincipalArns": [operator_arn(org)]} | (overrides or {}),
        accounts_without_role=frozenset(accounts_without_role),
        forwarders=forwarders,
        member_path=member_path,
    )
    install_trust_checks()
    return deployed


@pytest.fixture
def cli(org: SimulatedOrganization, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    deployed = deploy_for_operator(org)
    act_as_operator(monkeypatch, org)
    return Cli(org, deployed, capsys)


@pytest.fixture
def functions(cli: Cli) -> FunctionRunner:
    return FunctionRunner(cli.deployment)
