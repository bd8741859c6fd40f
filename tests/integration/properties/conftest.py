"""The property tests' runner: one for all of a test's examples, so the function stays warm between them."""

from __future__ import annotations

import pytest

from tests.support.request_log import install_request_log
from wa_share_sandbox.deployment import Deployment
from wa_share_sandbox.runner import FunctionRunner


@pytest.fixture
def warm_runner(deployment: Deployment) -> FunctionRunner:
    """Hypothesis does not rebuild function-scoped fixtures per example: every example meets this runner."""
    install_request_log()
    return FunctionRunner(deployment)
