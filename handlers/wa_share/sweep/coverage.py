"""The organization's coverage, as each sweep leaves it: eligible, live-shared, and unshared by reason.

One unit is one workload towards one reviews principal (with one reviews account: one workload). Where
the sweep could not even list what is there, a scope counts as one unit: a region it could not list, or
an account whose member role it could not assume. CloudWatch sums the accounts' figures per period, so
the per-account metrics add up to the organization's coverage per run.

`COVERAGE_OF_OUTCOME` is the one mapping from share outcomes to coverage; a test keeps it total, so an
Outcome added later fails that test until it is mapped here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from wa_share.observability import count, logger
from wa_share.rules.sharing import Outcome
from wa_share.sweep.account import SEEN_BY_REVIEWS, AccountSweep, Failure


class Coverage(StrEnum):
    SHARED = "shared"  # a live share to the principal exists after the sweep
    NOT_ELIGIBLE = "not_eligible"  # owned by the reviews account, or deleted meanwhile
    QUOTA = "quota"
    NOT_LIVE = "not_live"  # only dead shares, outside ReshareStatuses
    PERMANENT_FAILURE = "permanent_failure"  # AccessDenied, ValidationException, ...: retrying cannot help
    RETRIES_EXHAUSTED = "retries_exhausted"  # transient failures on the message's last try
    ROLE_MISSING = "role_missing"  # the member role could not be assumed: nothing in the account was seen


COVERAGE_OF_OUTCOME: dict[Outcome, Coverage] = {
    Outcome.CREATED: Coverage.SHARED,
    Outcome.RESHARED: Coverage.SHARED,
    Outcome.UPDATED: Coverage.SHARED,
    Outcome.ALREADY_SHARED: Coverage.SHARED,
    # Live, with another permission than the policy's: the reviews team sees it (PermissionDrift says so).
    Outcome.DRIFT_REPORTED: Coverage.SHARED,
    Outcome.SKIPPED_OWNER: Coverage.NOT_ELIGIBLE,
    Outcome.SKIPPED_DELETED: Coverage.NOT_ELIGIBLE,
    Outcome.NOT_LIVE_REPORTED: Coverage.NOT_LIVE,
    Outcome.QUOTA_EXCEEDED: Coverage.QUOTA,
}

ELIGIBLE_METRIC = "CoverageEligible"
SHARED_METRIC = "CoverageShared"
# Of CoverageShared, the units taken from the reviews side (an accepted share seen there tonight) rather than
# verified on the owner side tonight: coverage says what it inferred apart from what it checked.
SEEN_BY_REVIEWS_METRIC = "CoverageSharedSeenByReviews"
UNSHARED_METRIC = "CoverageUnshared"  # the alarm's metric: every unshared unit, whatever the reason
UNSHARED_METRIC_OF_REASON = {
    Coverage.QUOTA: "UnsharedQuota",
    Coverage.NOT_LIVE: "UnsharedNotLive",
    Coverage.PERMANENT_FAILURE: "UnsharedPermanentFailure",
    Coverage.RETRIES_EXHAUSTED: "UnsharedRetriesExhausted",
    Coverage.ROLE_MISSING: "UnsharedRoleMissing",
}
# The heartbeat: one per account swept to the end (not going back to the queue), dry runs excepted.
ACCOUNTS_SWEPT_METRIC = "SweepAccountsCompleted"
UNSHARED_LOG = "left unshared by the sweep"


@dataclass(frozen=True)
class Miss:
    """One unshared unit and why, for the log line an operator reads when the alarm fires."""

    reason: Coverage
    scope: str
    detail: str
    error_code: str = ""


@dataclass
class AccountCoverage:
    counts: Counter[Coverage] = field(default_factory=Counter)
    misses: list[Miss] = field(default_factory=list)
    seen_by_reviews: int = 0  # of counts[SHARED]: from the reviews side, not verified on the owner side

    @property
    def eligible(self) -> int:
        return sum(value for reason, value in self.counts.items() if reason is not Coverage.NOT_ELIGIBLE)

    @property
    def unshared(self) -> int:
        return self.eligible - self.counts[Coverage.SHARED]

    def add(self, miss: Miss) -> None:
        self.counts[miss.reason] += 1
        self.misses.append(miss)

    def summary(self) -> dict[str, object]:
        unshared = {reason.value: self.counts[reason] for reason in UNSHARED_METRIC_OF_REASON if self.counts[reason]}
        shared = self.counts[Coverage.SHARED]
        return {
            "eligible": self.eligible,
            "live_shared": shared,
            "live_shared_verified": shared - self.seen_by_reviews,
            "live_shared_seen_by_reviews": self.seen_by_reviews,
            "unshared": unshared,
        }


def sweep_coverage(sweep: AccountSweep, *, last_try: bool) -> AccountCoverage:
    """What the account's settled sweep left: transient failures count as misses only on the last try."""
    coverage = AccountCoverage()
    for result in sweep.results:
        reason = COVERAGE_OF_OUTCOME[result.outcome]
        if reason in UNSHARED_METRIC_OF_REASON:
            scope = f"workload {result.workload_id} towards {result.principal}"
            coverage.add(Miss(reason, scope, result.reason or result.outcome.value, result.outcome.value))
        else:
            coverage.counts[reason] += 1
            coverage.seen_by_reviews += reason is Coverage.SHARED and result.reason == SEEN_BY_REVIEWS
    for failure in sweep.failures:
        if failure.retryable and not last_try:
            continue
        coverage.add(_failure_miss(failure))
    return coverage


def unswept_coverage(reason: Coverage, account_id: str, error_code: str, detail: str) -> AccountCoverage:
    """An account that could not be swept at all counts as one unshared unit."""
    coverage = AccountCoverage()
    coverage.add(Miss(reason, f"account {account_id}", detail, error_code))
    return coverage


def _failure_miss(failure: Failure) -> Miss:
    reason = Coverage.RETRIES_EXHAUSTED if failure.retryable else Coverage.PERMANENT_FAILURE
    return Miss(reason, failure.scope, failure.message, failure.code)


def record_coverage(coverage: AccountCoverage) -> None:
    """The account's coverage as EMF metrics, and one log line per unshared unit, naming the reason."""
    count(ELIGIBLE_METRIC, coverage.eligible)
    count(SHARED_METRIC, coverage.counts[Coverage.SHARED])
    count(SEEN_BY_REVIEWS_METRIC, coverage.seen_by_reviews)
    count(UNSHARED_METRIC, coverage.unshared)
    for reason, metric in UNSHARED_METRIC_OF_REASON.items():
        count(metric, coverage.counts[reason])
    for miss in coverage.misses:
        logger.error(
            UNSHARED_LOG,
            extra={
                "coverage_reason": miss.reason.value,
                "scope": miss.scope,
                "error_code": miss.error_code,
                "reason": miss.detail,
            },
        )
