"""Fixtures of the integration and end-to-end tests: a simulated organization on moto, with the real
templates deployed and trust enforced. Their conftest files import these names."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from moto import mock_aws

from wa_share_sandbox import wellarchitected as wellarchitected_backend
from wa_share_sandbox.clock import CLOCK
from wa_share_sandbox.deployment import Deployment, deploy
from wa_share_sandbox.iam_identity import reset_authorization
from wa_share_sandbox.iam_trust import install_trust_checks, uninstall_trust_checks
from wa_share_sandbox.metering import install_meter
from wa_share_sandbox.organization import SimulatedOrganization, build_organization
from wa_share_sandbox.runner import FunctionRunner
from wa_share_sandbox.throttle import reset_rate_limits

REGIONS = ("us-east-1", "eu-west-1")
install_meter()  # before any botocore session exists, so that every call of every test is counted


@contextmanager
def simulated_aws() -> Iterator[None]:
    """moto with our WA service; afterwards every switch the simulator keeps across moto's resets is reset."""
    wellarchitected_backend.install()
    try:
        with mock_aws():
            yield
    finally:
        wellarchitected_backend.reset_faults()
        wellarchitected_backend.reset_lifecycle()
        reset_authorization()
        wellarchitected_backend.set_cloudtrail_filter(None)
        reset_rate_limits()
        CLOCK.reset()
        uninstall_trust_checks()


@pytest.fixture
def moto_aws() -> Iterator[None]:
    with simulated_aws():
        yield


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


SANDBOX_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    # moto loads thousands of public AMIs into every account's EC2 backend unless told not to; the
    # functions only call DescribeRegions.
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
}


@contextmanager
def sandbox_environment() -> Iterator[None]:
    """The simulated AWS of the moto_aws fixture, with the sandbox's environment, for a whole module."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_CONFIG_FILE"):
            patch.delenv(name, raising=False)
        for name, value in SANDBOX_ENVIRONMENT.items():
            patch.setenv(name, value)
        with simulated_aws():
            yield
