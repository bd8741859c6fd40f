"""The CLI tests' fixtures: a simulated deployment and the CLI run against it as an operator
(tests/support/cli.py), polling short."""

from __future__ import annotations

import pytest

from tests.support.cli import Cli, operator_cli
from wa_share_cli.operations import redrive, share_failures
from wa_share_sandbox.organization import SimulatedOrganization
from wa_share_sandbox.runner import FunctionRunner


@pytest.fixture(autouse=True)
def _fast_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto answers a long poll of an empty queue by waiting it out: poll short in tests."""
    monkeypatch.setattr(redrive, "RECEIVE_WAIT_SECONDS", 0)
    monkeypatch.setattr(share_failures, "RECEIVE_WAIT_SECONDS", 0)
    # DescribeRegions builds moto's EC2 backend per account; its default AMIs cost ~0.3 s each and serve nothing.
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


@pytest.fixture
def cli(org: SimulatedOrganization, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    return operator_cli(org, monkeypatch, capsys)


@pytest.fixture
def functions(cli: Cli) -> FunctionRunner:
    return FunctionRunner(cli.deployment)
