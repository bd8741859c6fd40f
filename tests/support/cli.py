"""Running the CLI as an operator of the automation account would: on a simulated deployment, with the
operator's credentials in the environment and the member roles trusting the operator through the stack's
OperatorPrincipalArns, as in a real organization."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.fixtures import REGIONS
from wa_share_cli.main import main
from wa_share_sandbox.deployment import Deployment, deploy
from wa_share_sandbox.iam_trust import install_trust_checks
from wa_share_sandbox.member_paths import MemberPath
from wa_share_sandbox.organization import ACCESS_ROLE, SimulatedOrganization


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


def operator_cli(
    org: SimulatedOrganization,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    **deployment: Any,
) -> Cli:
    """The stack deployed (deploy_for_operator's options) and the CLI run as its operator."""
    deployed = deploy_for_operator(org, **deployment)
    act_as_operator(monkeypatch, org)
    return Cli(org, deployed, capsys)
