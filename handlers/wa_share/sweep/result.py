"""What one account's sweep saw and did: the outcome totals and the one summary line per account."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from wa_share.rules.sharing import Outcome, ShareResult

MAX_LOGGED_FAILURES = 10  # a throttled region can fail hundreds of workloads: the summary line stays readable


@dataclass(frozen=True)
class Failure:
    region: str
    scope: str  # "region us-east-1" or "workload <id> in us-east-1"
    code: str
    message: str
    retryable: bool


@dataclass
class AccountSweep:
    """What one account's sweep saw and did; logged as one summary line."""

    sweep_id: str
    account_id: str
    dry_run: bool
    regions: list[str] = field(default_factory=list)
    skipped_regions: list[str] = field(default_factory=list)
    denied_regions: list[str] = field(default_factory=list)  # every call denied (an SCP): skipped by policy
    unfinished_regions: list[str] = field(default_factory=list)  # the invocation's time ran out first
    known_live: int = 0  # workloads the reviews side showed live-shared: no call made for them
    # Shares created from nothing (forwarder_age.py): where the real-time path should have shared them, or
    # for workloads that predate the forwarder of their account and region (a backfill).
    missed_by_realtime: int = 0
    shared_before_forwarder: int = 0
    live_after: dict[str, frozenset[str]] = field(default_factory=dict)  # per region: settled workloads
    workloads_seen: int = 0
    results: list[ShareResult] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    forwarders: dict[str, object] = field(default_factory=dict)  # forwarder dead-letter queues, as read

    @property
    def retryable(self) -> bool:
        return any(failure.retryable for failure in self.failures)

    def outcome_counts(self) -> Counter[Outcome]:
        return Counter(result.outcome for result in self.results)

    def totals(self) -> dict[str, int]:
        """Outcomes grouped as operators read them (each outcome names its group: `Outcome.meaning.total`)."""
        totals = dict.fromkeys((outcome.meaning.total for outcome in Outcome), 0)
        for outcome, number in self.outcome_counts().items():
            totals[outcome.meaning.total] += number
        return totals

    def retry_reason(self) -> str:
        """Why the message goes back to the queue (and, on its last try, to the dead-letter queue)."""
        transient = [failure for failure in self.failures if failure.retryable]
        regions = sorted({failure.region for failure in transient})
        first = transient[0] if transient else None
        detail = f"; first: {first.scope}: {first.message}" if first else ""
        return f"{len(transient)} transient failures in {', '.join(regions)}{detail}"

    def summary(self) -> dict[str, object]:
        """The summary line's fields. Flat names, none of them a logging.LogRecord attribute ("created")."""
        totals = self.totals()
        shown = [f"{failure.scope}: {failure.code}: {failure.message}" for failure in self.failures]
        if len(shown) > MAX_LOGGED_FAILURES:
            shown = [*shown[:MAX_LOGGED_FAILURES], f"… and {len(shown) - MAX_LOGGED_FAILURES} more"]
        return {
            "sweep_id": self.sweep_id,
            "account_id": self.account_id,
            "dry_run": self.dry_run,
            "regions": len(self.regions),
            "regions_skipped": self.skipped_regions,
            "regions_denied_by_policy": self.denied_regions,
            "regions_unfinished": self.unfinished_regions,
            "known_live": self.known_live,
            "workloads_seen": self.workloads_seen,
            "shares_created": totals["created"],
            "shares_missed_by_realtime": self.missed_by_realtime,
            "shares_before_forwarder": self.shared_before_forwarder,
            "shares_reshared": totals["reshared"],
            "shares_updated": totals["updated"],
            "already_shared": totals["already_shared"],
            "skipped": totals["skipped"],
            "reported": totals["reported"],
            "quota_exceeded": totals["quota_exceeded"],
            "failed": len(self.failures),
            "failures": shown,
            "duration_ms": round(self.seconds * 1000),
        } | self.forwarders
