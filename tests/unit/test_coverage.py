"""Coverage counts each outcome as the outcome says, and each failure, honestly."""

from __future__ import annotations

from wa_share.rules.sharing import Outcome, ShareResult, UnitCoverage
from wa_share.sweep.account import SEEN_BY_REVIEWS, AccountSweep, Failure
from wa_share.sweep.coverage import UNSHARED_METRIC_OF_REASON, sweep_coverage

WORKLOAD = "8cdcdf7add10b181fdd3f686dacffdac"
REVIEWS = "734073377987"


def test_every_reason_a_workload_can_be_left_unshared_has_its_own_metric() -> None:
    unshared = set(UnitCoverage) - {UnitCoverage.SHARED, UnitCoverage.NOT_ELIGIBLE}
    assert set(UNSHARED_METRIC_OF_REASON) == unshared
    assert len(set(UNSHARED_METRIC_OF_REASON.values())) == len(unshared)


def sweep_with(outcomes: list[Outcome], failures: list[Failure]) -> AccountSweep:
    results = [ShareResult(WORKLOAD, REVIEWS, outcome, reason=f"because {outcome}") for outcome in outcomes]
    return AccountSweep("sweep", "111122223333", dry_run=False, results=results, failures=failures)


DENIED = Failure("eu-west-1", "region eu-west-1", "AccessDeniedException", "denied by an SCP", retryable=False)
THROTTLED = Failure(
    "us-east-1", f"workload {WORKLOAD} in us-east-1", "ThrottlingException", "slow down", retryable=True
)


def test_coverage_counts_each_outcome_and_failure_once() -> None:
    outcomes = list(Outcome)  # one of each
    coverage = sweep_coverage(sweep_with(outcomes, [DENIED, THROTTLED]), last_try=True)
    shared = sum(1 for outcome in outcomes if outcome.meaning.coverage is UnitCoverage.SHARED)
    skipped = sum(1 for outcome in outcomes if outcome.meaning.coverage is UnitCoverage.NOT_ELIGIBLE)
    assert coverage.eligible == len(outcomes) - skipped + 2
    assert coverage.counts[UnitCoverage.SHARED] == shared
    assert coverage.unshared == coverage.eligible - shared == len(coverage.misses)
    reasons = {miss.reason for miss in coverage.misses}
    assert {
        UnitCoverage.QUOTA,
        UnitCoverage.NOT_LIVE,
        UnitCoverage.PERMANENT_FAILURE,
        UnitCoverage.RETRIES_EXHAUSTED,
    } <= reasons
    [quota] = [miss for miss in coverage.misses if miss.reason is UnitCoverage.QUOTA]
    assert (quota.scope, quota.detail) == (f"workload {WORKLOAD} towards {REVIEWS}", "because quota_exceeded")
    assert coverage.summary()["unshared"] == {reason.value: 1 for reason in reasons}


def test_transient_failures_wait_for_the_last_try() -> None:
    coverage = sweep_coverage(sweep_with([Outcome.ALREADY_SHARED], [THROTTLED, DENIED]), last_try=False)
    assert [miss.reason for miss in coverage.misses] == [UnitCoverage.PERMANENT_FAILURE]
    assert (coverage.eligible, coverage.unshared) == (2, 1)


def test_coverage_tells_what_the_reviews_side_showed_apart_from_what_was_verified_tonight() -> None:
    seen = ShareResult(WORKLOAD, REVIEWS, Outcome.ALREADY_SHARED, reason=SEEN_BY_REVIEWS)
    listed = ShareResult("0" * 32, REVIEWS, Outcome.ALREADY_SHARED, reason="live share")
    created = ShareResult("1" * 32, REVIEWS, Outcome.CREATED, reason="no share")
    sweep = AccountSweep("sweep", "111122223333", dry_run=False, results=[seen, listed, created])
    summary = sweep_coverage(sweep, last_try=False).summary()
    assert (summary["live_shared"], summary["live_shared_verified"], summary["live_shared_seen_by_reviews"]) == (
        3,
        2,
        1,
    )
