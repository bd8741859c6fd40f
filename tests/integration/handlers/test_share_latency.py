"""The real-time path measures seconds from the CreateWorkload event's eventTime to the share (EMF), and a
bad or missing eventTime never costs the share: only the measurement is skipped."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.emf import emf_documents, metric_values
from tests.support.factories import create_workload_event
from tests.support.shares import live_shares
from wa_share.observability import SHARES_METRIC_OF_PATH, Metric, logger, metrics
from wa_share_sandbox.organization import SimulatedOrganization, create_workload
from wa_share_sandbox.runner import FunctionRunner


@pytest.fixture(autouse=True)
def _no_metrics_left_over() -> None:
    """Tests that call the domain without a handler leave metrics behind; the next flush would emit them."""
    metrics.clear_metrics()


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    """The functions' log lines, as the Powertools JSON formatter writes them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logging.getLogger(logger.name).addHandler(handler)
    yield stream
    logging.getLogger(logger.name).removeHandler(handler)


def event_for(
    org: SimulatedOrganization, runner: FunctionRunner, name: str, event_time: Any
) -> tuple[str, dict[str, Any]]:
    """A new workload and its CreateWorkload event, with detail.eventTime set (or removed for ...)."""
    member = org.members[0]
    workload = create_workload(org, member, "us-east-1", name)
    runner.discard_share_events()  # the pipeline's own copy: the test delivers its own version
    event = create_workload_event(account_id=member, region="us-east-1", workload_id=workload)
    if event_time is ...:
        del event["detail"]["eventTime"]
    else:
        event["detail"]["eventTime"] = event_time
    return workload, event


def test_the_pipelines_own_event_yields_a_latency_of_seconds(
    org: SimulatedOrganization, runner: FunctionRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    create_workload(org, org.members[0], "us-east-1", "timed")
    capsys.readouterr()
    [invocation] = runner.deliver_share_events()
    assert invocation.error is None
    [latency] = metric_values(capsys.readouterr().out, Metric.SHARE_LATENCY)
    assert 0 <= latency < 60


def test_latency_is_the_time_since_event_time(
    org: SimulatedOrganization, runner: FunctionRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    created_at = (datetime.now(UTC) - timedelta(seconds=90)).strftime("%Y-%m-%dT%H:%M:%SZ")
    _workload, event = event_for(org, runner, "ninety-seconds-ago", created_at)
    capsys.readouterr()
    invocation = runner.invoke("share", event)
    assert invocation.error is None
    [latency] = metric_values(capsys.readouterr().out, Metric.SHARE_LATENCY)
    assert 90 <= latency < 150
    assert invocation.result["event"]["event_time"] is not None


BAD_EVENT_TIMES = {
    "missing": ...,
    "null": None,
    "not a time": "yesterday",
    "a number": 1602650593,
    "no time zone": "2020-10-14T04:43:13",
    "in the future": "2999-01-01T00:00:00Z",
}


@pytest.mark.parametrize("event_time", BAD_EVENT_TIMES.values(), ids=list(BAD_EVENT_TIMES))
def test_a_bad_event_time_still_shares_and_records_no_latency(
    org: SimulatedOrganization,
    runner: FunctionRunner,
    capsys: pytest.CaptureFixture[str],
    logs: io.StringIO,
    event_time: Any,
) -> None:
    workload, event = event_for(org, runner, "badly-timed", event_time)
    capsys.readouterr()
    invocation = runner.invoke("share", event)
    assert invocation.error is None
    assert [item["outcome"] for item in invocation.result["results"]] == ["created"]
    assert live_shares(org, org.members[0], "us-east-1", workload) == [org.reviews]
    assert metric_values(capsys.readouterr().out, Metric.SHARE_LATENCY) == []
    [warning] = [json.loads(line) for line in logs.getvalue().splitlines() if "latency not recorded" in line]
    assert (warning["level"], warning["workload_id"]) == ("WARNING", workload)
    assert runner.queue_depth("ShareFailureQueue") == 0


def test_replays_and_duplicates_count_by_path_and_add_no_latency(
    org: SimulatedOrganization, runner: FunctionRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    old = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    _workload, event = event_for(org, runner, "replayed", old)
    capsys.readouterr()
    replayed = runner.invoke("share", event | {"replay-name": "wa-share-replay-1"})
    duplicate = runner.invoke("share", event)
    assert [item["outcome"] for item in replayed.result["results"]] == ["created"]
    assert [item["outcome"] for item in duplicate.result["results"]] == ["already_shared"]
    out = capsys.readouterr().out
    blobs = emf_documents(out)
    made = {path: sum(sum(blob.get(name, [])) for blob in blobs) for path, name in SHARES_METRIC_OF_PATH.items()}
    assert made == {"realtime": 0, "sweep": 0, "replay": 1}
    assert Metric.SHARE_LATENCY not in out  # a replay is late on purpose; a duplicate made no share
