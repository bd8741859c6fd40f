"""One Logger and one Metrics object for the whole package (Powertools; EMF metrics on stdout).

It knows the metric names (`Metric`, the one list of them), not the domain: an outcome tells its own metric
(rules.sharing.Outcome), so every module may log and count without this module importing the domain.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Literal, Protocol

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "wa-share")
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "WaShare")

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)


class Metric(StrEnum):
    """Every WaShare metric the functions emit: the one list of their names (the alarms and the dashboard in
    template.yaml name them too; a test holds both to this list). A dry run counts an outcome's metric under
    `DryRun<name>` instead."""

    # Share outcomes (each rules.sharing.Outcome names its own).
    SHARES_CREATED = "SharesCreated"
    SHARES_UPDATED = "SharesUpdated"
    ALREADY_SHARED = "AlreadyShared"
    SKIPPED = "Skipped"
    PERMISSION_DRIFT = "PermissionDrift"
    NOT_LIVE_REPORTED = "NotLiveReported"
    QUOTA_EXCEEDED = "QuotaExceeded"
    # Shares made (created, reshared, updated) per path, for the dashboard: separate names rather than a
    # dimension, so every metric keeps the one dimension set the alarms name (service).
    SHARES_MADE_REALTIME = "SharesMadeRealtime"
    SHARES_MADE_SWEEP = "SharesMadeSweep"
    SHARES_MADE_REPLAY = "SharesMadeReplay"
    # Seconds from the CreateWorkload event's eventTime to the share, real time only (replays are late on purpose).
    SHARE_LATENCY = "ShareLatency"
    # The real-time path and what follows a share.
    FAILED = "Failed"
    INVALID_EVENTS = "InvalidEvents"
    SHARES_DEFERRED = "SharesDeferred"
    INVITATIONS_ACCEPTED = "InvitationsAccepted"
    ACCEPTANCE_FAILED = "AcceptanceFailed"
    ANNOUNCEMENTS_FAILED = "AnnouncementsFailed"
    WORKLOAD_NAME_UNAVAILABLE = "WorkloadNameUnavailable"
    # The share guard, and shares outside the organization.
    OWN_SHARE_EVENTS = "OwnShareEvents"  # the events of wa-share's own share calls, recognised and left alone
    SHARES_RESTORED = "SharesRestored"  # real time: a reviews share made again or updated back
    RESTORE_LATENCY = "RestoreLatency"  # seconds from the share event to the restore
    EXTERNAL_SHARES_FLAGGED = "ExternalSharesFlagged"  # real time: a new share outside the organization (alarmed)
    EXTERNAL_SHARES_LISTED = "ExternalSharesListed"  # the sweep: a live share outside the organization, listed
    EXTERNAL_SHARE_CHECKS_FAILED = "ExternalShareChecksFailed"  # the organization could not be read: unjudged
    # The sweep.
    SWEEP_ACCOUNTS_PLANNED = "SweepAccountsPlanned"
    REVIEWS_SIDE_UNREAD = "ReviewsSideUnread"
    INVALID_WORK_ITEMS = "InvalidWorkItems"
    SWEEP_ACCOUNTS_COMPLETED = "SweepAccountsCompleted"  # the heartbeat: an account swept to the end, not a dry run
    SWEEP_ACCOUNTS_DEFERRED = "SweepAccountsDeferred"
    SWEEP_ACCOUNTS_SPLIT = "SweepAccountsSplit"
    SWEEP_ACCOUNTS_FAILED = "SweepAccountsFailed"
    SWEEP_FAILURES = "SweepFailures"
    DEAD_LETTERED = "DeadLettered"
    MISSED_BY_REALTIME = "MissedByRealtime"
    SHARED_BEFORE_FORWARDER = "SharedBeforeForwarder"
    REGIONS_SKIPPED_BY_POLICY = "RegionsSkippedByPolicy"
    KNOWN_LIVE_WORKLOADS = "KnownLiveWorkloads"
    OUTSIDE_INVITATIONS_REPORTED = "OutsideInvitationsReported"
    FORWARDER_DEAD_LETTERS = "ForwarderDeadLetters"
    # Coverage, per account and night (sweep/coverage.py).
    COVERAGE_ELIGIBLE = "CoverageEligible"
    COVERAGE_SHARED = "CoverageShared"
    # Of CoverageShared, the units taken from the reviews side (an accepted share seen there tonight) rather
    # than verified on the owner side tonight: coverage says what it inferred apart from what it checked.
    COVERAGE_SHARED_SEEN_BY_REVIEWS = "CoverageSharedSeenByReviews"
    COVERAGE_UNSHARED = "CoverageUnshared"  # the alarm's metric: every unshared unit, whatever the reason
    UNSHARED_QUOTA = "UnsharedQuota"
    UNSHARED_NOT_LIVE = "UnsharedNotLive"
    UNSHARED_PERMANENT_FAILURE = "UnsharedPermanentFailure"
    UNSHARED_RETRIES_EXHAUSTED = "UnsharedRetriesExhausted"
    UNSHARED_ROLE_MISSING = "UnsharedRoleMissing"
    # The live probe.
    PROBES_CREATED = "ProbesCreated"
    PROBE_SHARED = "ProbeShared"
    PROBE_NOT_SHARED = "ProbeNotShared"
    PROBE_LATENCY = "ProbeLatency"


class MeasuredOutcome(Protocol):
    """What a share outcome tells the metrics (rules.sharing.Outcome does)."""

    @property
    def metric(self) -> Metric: ...
    @property
    def is_change(self) -> bool: ...


class CountedResult(Protocol):
    """What a share result must tell to be counted (rules.sharing.ShareResult does)."""

    @property
    def outcome(self) -> MeasuredOutcome: ...
    @property
    def dry_run(self) -> bool: ...


SharePath = Literal["realtime", "sweep", "replay"]
SHARES_METRIC_OF_PATH: dict[SharePath, Metric] = {
    "realtime": Metric.SHARES_MADE_REALTIME,
    "sweep": Metric.SHARES_MADE_SWEEP,
    "replay": Metric.SHARES_MADE_REPLAY,
}


def count(metric: Metric, value: int = 1) -> None:
    metrics.add_metric(name=metric, unit=MetricUnit.Count, value=value)


def record_outcomes(results: Iterable[CountedResult], *, path: SharePath) -> None:
    """Add one metric per outcome kind, and the shares made on this path (realtime, sweep or replay);
    dry runs change nothing, so they count under their own names."""
    results = list(results)
    tally = Counter(f"DryRun{result.outcome.metric}" if result.dry_run else result.outcome.metric for result in results)
    for name, value in sorted(tally.items()):
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
    count(SHARES_METRIC_OF_PATH[path], sum(1 for result in results if result.outcome.is_change and not result.dry_run))


def record_latency(event_time: datetime | None, now: datetime) -> float | None:
    """Seconds from the CreateWorkload event to the share; None (nothing recorded) without a usable event time."""
    return record_seconds(Metric.SHARE_LATENCY, event_time, now)


def record_seconds(metric: Metric, event_time: datetime | None, now: datetime) -> float | None:
    """Seconds from an event to what it caused, as `metric`; None (nothing recorded) without a usable time."""
    if event_time is None:
        logger.warning("latency not recorded: the event carries no usable detail.eventTime", extra={"metric": metric})
        return None
    seconds = (now - event_time).total_seconds()
    if seconds < 0:
        # A clock ahead of ours: a negative latency would only distort the percentiles.
        logger.warning("latency not recorded: eventTime is in the future", extra={"metric": metric, "seconds": seconds})
        return None
    add_seconds(metric, seconds)
    return seconds


def add_seconds(metric: Metric, seconds: float) -> None:
    metrics.add_metric(name=metric, unit=MetricUnit.Seconds, value=seconds)
