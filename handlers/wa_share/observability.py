"""One Logger and one Metrics object for the whole package (Powertools; EMF metrics on stdout)."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from wa_share.sharing import Outcome, ShareResult

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "wa-share")
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "WaShare")

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)

METRIC_OF_OUTCOME = {
    Outcome.CREATED: "SharesCreated",
    Outcome.RESHARED: "SharesCreated",
    Outcome.UPDATED: "SharesUpdated",
    Outcome.ALREADY_SHARED: "AlreadyShared",
    Outcome.SKIPPED_OWNER: "Skipped",
    Outcome.SKIPPED_DELETED: "Skipped",
    Outcome.DRIFT_REPORTED: "PermissionDrift",
    Outcome.NOT_LIVE_REPORTED: "NotLiveReported",
    Outcome.QUOTA_EXCEEDED: "QuotaExceeded",
}


def count(name: str, value: int = 1) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def record_outcomes(results: Iterable[ShareResult]) -> None:
    """Add one metric per outcome kind; dry runs change nothing, so they count under their own names."""
    tally = Counter(
        f"DryRun{METRIC_OF_OUTCOME[result.outcome]}" if result.dry_run else METRIC_OF_OUTCOME[result.outcome]
        for result in results
    )
    for name, value in sorted(tally.items()):
        count(name, value)
