"""The organization's coverage, as each sweep leaves it: eligible, live-shared, and unshared by reason.

One unit is one workload towards one reviews principal (with one reviews account: one workload). Where
the sweep could not even list what is there, a scope counts as one unit: a region it could not list, or
an account whose member role it could not assume. CloudWatch sums the accounts' figures per period, so
the per-account metrics add up to the organization's coverage per run.

Each share outcome tells how coverage counts it (`Outcome.meaning.coverage`, rules/sharing.py).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from wa_share.observability import Metric, count, logger
from wa_share.rules.sharing import UnitCoverage
from wa_share.sweep.account import SEEN_BY_REVIEWS, AccountSweep, Failure

UNSHARED_METRIC_OF_REASON = {
    UnitCoverage.QUOTA: Metric.UNSHARED_QUOTA,
    UnitCoverage.NOT_LIVE: Metric.UNSHARED_NOT_LIVE,
    UnitCoverage.PERMANENT_FAILURE: Metric.UNSHARED_PERMANENT_FAILURE,
    UnitCoverage.RETRIES_EXHAUSTED: Metric.UNSHARED_RETRIES_EXHAUSTED,
    UnitCoverage.ROLE_MISSING: Metric.UNSHARED_ROLE_MISSING,
}
UNSHARED_LOG = "left unshared by the sweep"


@dataclass(frozen=True)
class Miss:
    """One unshared unit and why, for the log line an operator reads when the alarm fires."""

    reason: UnitCoverage
    scope: str
    detail: str
    error_code: str = ""


@dataclass
class AccountCoverage:
    counts: Counter[UnitCoverage] = field(default_factory=Counter)
    misses: list[Miss] = field(default_factory=list)
    seen_by_reviews: int = 0  # of counts[SHARED]: from the reviews side, not verified on the owner side

    @property
    def eligible(self) -> int:
        return sum(value for reason, value in self.counts.items() if reason is not UnitCoverage.NOT_ELIGIBLE)

    @property
    def unshared(self) -> int:
        return self.eligible - self.counts[UnitCoverage.SHARED]

    def add(self, miss: Miss) -> None:
        self.counts[miss.reason] += 1
        self.misses.append(miss)

    def summary(self) -> dict[str, object]:
        unshared = {reason.value: self.counts[reason] for reason in UNSHARED_METRIC_OF_REASON if self.counts[reason]}
        shared = self.counts[UnitCoverage.SHARED]
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
        reason = result.outcome.meaning.coverage
        if reason in UNSHARED_METRIC_OF_REASON:
            scope = f"workload {result.workload_id} towards {result.principal}"
            coverage.add(Miss(reason, scope, result.reason or result.outcome.value, result.outcome.value))
        else:
            coverage.counts[reason] += 1
            coverage.seen_by_reviews += reason is UnitCoverage.SHARED and result.reason == SEEN_BY_REVIEWS
    for failure in sweep.failures:
        if failure.retryable and not last_try:
            continue
        coverage.add(_failure_miss(failure))
    return coverage


def unswept_coverage(reason: UnitCoverage, account_id: str, error_code: str, detail: str) -> AccountCoverage:
    """An account that could not be swept at all counts as one unshared unit."""
    coverage = AccountCoverage()
    coverage.add(Miss(reason, f"account {account_id}", detail, error_code))
    return coverage


def _failure_miss(failure: Failure) -> Miss:
    reason = UnitCoverage.RETRIES_EXHAUSTED if failure.retryable else UnitCoverage.PERMANENT_FAILURE
    return Miss(reason, failure.scope, failure.message, failure.code)


def record_coverage(coverage: AccountCoverage) -> None:
    """The account's coverage as EMF metrics, and one log line per unshared unit, naming the reason."""
    count(Metric.COVERAGE_ELIGIBLE, coverage.eligible)
    count(Metric.COVERAGE_SHARED, coverage.counts[UnitCoverage.SHARED])
    count(Metric.COVERAGE_SHARED_SEEN_BY_REVIEWS, coverage.seen_by_reviews)
    count(Metric.COVERAGE_UNSHARED, coverage.unshared)
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
