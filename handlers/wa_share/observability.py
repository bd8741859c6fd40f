"""One Logger and one Metrics object for the whole package (Powertools; EMF metrics on stdout).

It knows the metric names, not the domain: an outcome is its plain string value here (a test holds this
table equal to sharing.Outcome), so every module may log and count without importing the domain.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Literal, Protocol

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "wa-share")
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "WaShare")

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)

# The metric of each share outcome (sharing.Outcome's values).
METRIC_OF_OUTCOME = {
    "created": "SharesCreated",
    "reshared": "SharesCreated",
    "updated": "SharesUpdated",
    "already_shared": "AlreadyShared",
    "skipped_owner": "Skipped",
    "skipped_deleted": "Skipped",
    "drift_reported": "PermissionDrift",
    "not_live_reported": "NotLiveReported",
    "quota_exceeded": "QuotaExceeded",
}
# A share made (created, reshared or updated: sharing.CHANGES) is exactly an outcome counted under these.
SHARES_MADE_METRICS = frozenset({"SharesCreated", "SharesUpdated"})


class CountedOutcome(Protocol):
    """What a share result must tell to be counted (sharing.ShareResult does)."""

    @property
    def outcome(self) -> str: ...
    @property
    def dry_run(self) -> bool: ...


# Shares made (created, reshared, updated) per path, for the dashboard: separate names rather than a
# dimension, so every metric keeps the one dimension set the alarms name (service).
SharePath = Literal["realtime", "sweep", "replay"]
SHARES_METRIC_OF_PATH: dict[SharePath, str] = {
    "realtime": "SharesMadeRealtime",
    "sweep": "SharesMadeSweep",
    "replay": "SharesMadeReplay",
}
# Seconds from the CreateWorkload event's eventTime to the share, real time only (replays are late on purpose).
LATENCY_METRIC = "ShareLatency"


def count(name: str, value: int = 1) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def record_outcomes(results: Iterable[CountedOutcome], *, path: SharePath) -> None:
    """Add one metric per outcome kind, and the shares made on this path (realtime, sweep or replay);
    dry runs change nothing, so they count under their own names."""
    results = list(results)
    tally = Counter(
        f"DryRun{METRIC_OF_OUTCOME[result.outcome]}" if result.dry_run else METRIC_OF_OUTCOME[result.outcome]
        for result in results
    )
    for name, value in sorted(tally.items()):
        count(name, value)
    made = sum(
        1 for result in results if METRIC_OF_OUTCOME[result.outcome] in SHARES_MADE_METRICS and not result.dry_run
    )
    count(SHARES_METRIC_OF_PATH[path], made)


def record_latency(event_time: datetime | None, now: datetime) -> float | None:
    """Seconds from the CreateWorkload event to the share; None (nothing recorded) without a usable event time."""
    return record_seconds(LATENCY_METRIC, event_time, now)


def record_seconds(metric: str, event_time: datetime | None, now: datetime) -> float | None:
    """Seconds from an event to what it caused, as `metric`; None (nothing recorded) without a usable time."""
    if event_time is None:
        logger.warning("latency not recorded: the event carries no usable detail.eventTime", extra={"metric": metric})
        return None
    seconds = (now - event_time).total_seconds()
    if seconds < 0:
        # A clock ahead of ours: a negative latency would only distort the percentiles.
        logger.warning("latency not recorded: eventTime is in the future", extra={"metric": metric, "seconds": seconds})
        return None
    metrics.add_metric(name=metric, unit=MetricUnit.Seconds, value=seconds)
    return seconds
