"""One recorded workout per test module: building the organization and running every path costs seconds."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.integration.security import workout
from tests.support.fixtures import simulated_aws

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
def sandbox() -> Iterator[None]:
    """The simulated AWS of the moto_aws fixture, with the sandbox's environment, for a whole module."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_CONFIG_FILE"):
            patch.delenv(name, raising=False)
        for name, value in SANDBOX_ENVIRONMENT.items():
            patch.setenv(name, value)
        with simulated_aws():
            yield


@pytest.fixture(scope="module")
def recorded_workout() -> Iterator[workout.Workout]:
    """The functions' workout and the operators' commands, recorded; moto stays up for the module."""
    with sandbox():
        org, deployment = workout.build()
        yield workout.run(org, deployment)
