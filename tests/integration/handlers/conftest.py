"""Fixtures of the handler tests: functions with changed settings, and their log lines as CloudWatch gets them."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import sweep_worker
from tests.support.fixtures import REGIONS
from wa_share.observability import logger
from wa_share_sandbox.deployment import Deployment, deploy
from wa_share_sandbox.iam_identity import configure_authorization, every_authorization
from wa_share_sandbox.iam_trust import install_trust_checks
from wa_share_sandbox.organization import SimulatedOrganization
from wa_share_sandbox.runner import FunctionRunner


@pytest.fixture
def reconfigure(deployment: Deployment) -> Iterator[Callable[..., FunctionRunner]]:
    """A runner whose functions see changed settings (as a stack update of the parameters would)."""

    def runner_with(**variables: str) -> FunctionRunner:
        deployment.function_env |= variables
        return FunctionRunner(deployment)

    yield runner_with
    sweep_worker.runtime.cache_clear()


@pytest.fixture
def log_records() -> Iterator[Callable[[str], list[dict[str, Any]]]]:
    """The functions' log lines with this message, as the Powertools JSON formatter writes them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logging.getLogger(logger.name).addHandler(handler)

    def lines(message: str) -> list[dict[str, Any]]:
        parsed = [json.loads(line) for line in stream.getvalue().splitlines()]
        return [line for line in parsed if line["message"] == message]

    yield lines
    logging.getLogger(logger.name).removeHandler(handler)


@pytest.fixture(params=every_authorization(), ids=lambda authorization: authorization.label())
def probed(org: SimulatedOrganization, request: pytest.FixtureRequest) -> Deployment:
    """A deployment with the scheduled probe (Probe=scheduled): the automation account is the probe account.

    Under each answer to whether tag-on-create also needs wellarchitected:TagResource (undocumented).
    """
    configure_authorization(request.param)
    deployed = deploy(org, REGIONS, overrides={"Probe": "scheduled"})
    install_trust_checks()
    return deployed


@pytest.fixture
def logs() -> io.StringIO:
    """The functions' output (logs and EMF metrics), for a FunctionRunner's log_stream."""
    return io.StringIO()
