"""A function missing a required variable fails its cold start, naming it, before it touches the event:
the invocation fails whole, so Lambda's retries and queues keep the event (nothing is lost or half done)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

import probe_function
import share_function
import sweep_planner
import sweep_worker
from tests.support.factories import FakeLambdaContext, create_workload_event
from tests.unit.test_settings import MINIMAL
from wa_share.aws.access import Sessions
from wa_share.settings import SettingsError

SCHEDULE = {"id": "e-1", "source": "aws.events", "detail-type": "Scheduled Event", "time": "2026-12-01T03:00:00Z"}
SQS_EVENT = {
    "Records": [
        {
            "messageId": "m-1",
            "receiptHandle": "r-1",
            "body": json.dumps({"account_id": "444455556666", "sweep_id": "s"}),
            "attributes": {"ApproximateReceiveCount": "1"},
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:wa-share-sweep",
        }
    ]
}
FUNCTIONS: list[tuple[ModuleType, Any]] = [
    (share_function, create_workload_event()),
    (sweep_planner, SCHEDULE),
    (sweep_worker, SQS_EVENT),
    (probe_function, SCHEDULE),
]
CASES = [
    pytest.param(module, event, variable, id=f"{module.__name__}-{variable}")
    for module, event in FUNCTIONS
    for variable in MINIMAL[module.SETTINGS]
]


@pytest.fixture(autouse=True)
def cold_starts() -> Iterator[None]:
    for module, _ in FUNCTIONS:
        module.runtime.cache_clear()
    yield
    for module, _ in FUNCTIONS:
        module.runtime.cache_clear()


@pytest.mark.parametrize(("module", "event", "variable"), CASES)
def test_a_function_without_a_required_variable_fails_its_start_naming_it(
    monkeypatch: pytest.MonkeyPatch, module: ModuleType, event: Any, variable: str
) -> None:
    for name in module.SETTINGS.variables():
        monkeypatch.delenv(name, raising=False)
    for name, value in MINIMAL[module.SETTINGS].items():
        if name != variable:
            monkeypatch.setenv(name, value)
    before = json.dumps(event, sort_keys=True)
    with pytest.raises(SettingsError, match=rf"{variable}: Field required"):
        module.handler(event, FakeLambdaContext())
    assert json.dumps(event, sort_keys=True) == before


def test_the_probes_sessions_cannot_assume_a_member_role() -> None:
    """The probe reads no MEMBER_ROLE_NAME: its sessions refuse a member session before any call."""
    sessions = Sessions(member_role_name=None, home_region="us-east-1")
    with pytest.raises(ValueError, match="no member role name"):
        sessions.member("111122223333")
