"""One recorded workout per test module: building the organization and running every path costs seconds."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.security import workout
from tests.support.fixtures import sandbox_environment


@pytest.fixture(scope="module")
def recorded_workout() -> Iterator[workout.Workout]:
    """The functions' workout and the operators' commands, recorded; moto stays up for the module."""
    with sandbox_environment():
        org, deployment = workout.build()
        yield workout.run(org, deployment)
