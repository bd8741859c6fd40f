"""Fixtures: a simulated organization on moto, with the real templates deployed and trust enforced."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from tests.chaos.figures import pytest_runtest_logreport, pytest_terminal_summary  # noqa: F401 - hooks
from wa_share_cli.sandbox import wellarchitected_backend
from wa_share_cli.sandbox.deployment import Deployment, deploy
from wa_share_cli.sandbox.iam_trust import install_trust_checks, uninstall_trust_checks
from wa_share_cli.sandbox.metering import install_meter
from wa_share_cli.sandbox.organization import SimulatedOrganization, build_organization
from wa_share_cli.sandbox.runner import FunctionRunner

REGIONS = ("us-east-1", "eu-west-1")
install_meter()  # before any botocore session exists, so that every call of every test is counted


@pytest.fixture(autouse=True)
def _no_real_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may reach a real account: fake keys, no profile, a fixed region."""
    # moto would build an AMI catalogue for every simulated account (~0.3 s each); no test uses AMIs.
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    boto3.DEFAULT_SESSION = None


@pytest.fixture
def moto_aws() -> Iterator[None]:
    wellarchitected_backend.install()
    with mock_aws():
        yield
    wellarchitected_backend.reset_faults()
    wellarchitected_backend.reset_lifecycle()
    wellarchitected_backend.set_cloudtrail_filter(None)
    uninstall_trust_checks()


@pytest.fixture
def org(moto_aws: None) -> SimulatedOrganization:
    return build_organization(members=2)


@pytest.fixture
def deployment(org: SimulatedOrganization) -> Deployment:
    deployed = deploy(org, REGIONS)
    install_trust_checks()
    return deployed


@pytest.fixture
def runner(deployment: Deployment) -> FunctionRunner:
    return FunctionRunner(deployment)
