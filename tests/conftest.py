"""What every test gets: no way to reach a real AWS account. The simulated organization's fixtures live in
tests/support/fixtures.py, for the integration and end-to-end tests only: unit tests never import moto."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest

from tests.e2e.chaos.figures import pytest_runtest_logreport, pytest_terminal_summary  # noqa: F401 - hooks
from wa_share.observability import metrics


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


@pytest.fixture(autouse=True)
def _fresh_metrics() -> Iterator[None]:
    """Powertools' metrics live in the process, as in a Lambda execution environment, where only handlers
    add them and each invocation flushes them. Tests that call the domain directly add metrics no handler
    flushes: without this, the next handler's EMF document would carry them (a story would count them)."""
    metrics.clear_metrics()
    yield
    metrics.clear_metrics()
