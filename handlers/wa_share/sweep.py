"""The nightly sweep of one account: every owned workload in every enabled WA region made right.

Regions run concurrently (bounded); a failure is confined to its workload or region and reported in
the account's summary. The caller decides what a failed region means for the queue message.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

from wa_share.aws import EXPIRED_TOKEN_CODES, AccountSession, AwsError, Sessions, partition_of
from wa_share.regions import enabled_regions, wa_regions_from_ssm
from wa_share.settings import Settings
from wa_share.sharing import Outcome, SharePolicy, ShareResult, reconcile_workload
from wa_share.wellarchitected import WellArchitected
from wa_share.work_items import WorkItem


@dataclass(frozen=True)
class Failure:
    scope: str  # "account", "region us-east-1" or "workload <id> in us-east-1"
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
    workloads_seen: int = 0
    results: list[ShareResult] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)

    @property
    def retryable(self) -> bool:
        return any(failure.retryable for failure in self.failures)

    def outcome_counts(self) -> Counter[Outcome]:
        return Counter(result.outcome for result in self.results)

    def summary(self) -> dict[str, object]:
        counts = self.outcome_counts()
        return {
            "sweep_id": self.sweep_id,
            "account_id": self.account_id,
            "dry_run": self.dry_run,
            "regions": len(self.regions),
            "regions_skipped": self.skipped_regions,
            "workloads_seen": self.workloads_seen,
            "created": counts[Outcome.CREATED],
            "reshared": counts[Outcome.RESHARED],
            "updated": counts[Outcome.UPDATED],
            "already_shared": counts[Outcome.ALREADY_SHARED],
            "skipped": counts[Outcome.SKIPPED_OWNER] + counts[Outcome.SKIPPED_DELETED],
            "reported": counts[Outcome.DRIFT_REPORTED] + counts[Outcome.NOT_LIVE_REPORTED],
            "quota_exceeded": counts[Outcome.QUOTA_EXCEEDED],
            "failed": len(self.failures),
            "failures": [f"{failure.scope}: {failure.code}: {failure.message}" for failure in self.failures],
        }


@dataclass
class _RegionResult:
    region: str
    workloads_seen: int = 0
    results: list[ShareResult] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


def sweep_account(item: WorkItem, settings: Settings, sessions: Sessions) -> AccountSweep:
    """Sweep one account. Raises MemberRoleUnavailable when the role cannot be assumed at all."""
    sweep = AccountSweep(item.sweep_id, item.account_id, item.dry_run)
    session = sessions.member(item.account_id)
    wanted = item.regions or settings.wa_regions or _regions_from_ssm(settings, sessions)
    enabled = enabled_regions(session.ec2(settings.home_region), item.account_id)
    sweep.regions = [region for region in wanted if region in enabled]
    sweep.skipped_regions = [region for region in wanted if region not in enabled]
    policy = SharePolicy.from_settings(settings)

    def run(region: str) -> _RegionResult:
        return _sweep_region_with_fresh_session(region, item, settings, sessions, policy)

    with ThreadPoolExecutor(max_workers=settings.region_concurrency, thread_name_prefix="region") as pool:
        for region_result in pool.map(run, sweep.regions):
            sweep.workloads_seen += region_result.workloads_seen
            sweep.results.extend(region_result.results)
            sweep.failures.extend(region_result.failures)
    return sweep


def _regions_from_ssm(settings: Settings, sessions: Sessions) -> tuple[str, ...]:
    ssm = sessions.central.ssm(settings.home_region)
    return wa_regions_from_ssm(ssm, partition_of(settings.home_region))


def _sweep_region_with_fresh_session(
    region: str, item: WorkItem, settings: Settings, sessions: Sessions, policy: SharePolicy
) -> _RegionResult:
    """Sweep a region; if AWS rejects the session as expired, assume the role afresh and go once more."""
    result = _sweep_region(region, sessions.member(item.account_id), item, settings, policy)
    if any(failure.code in EXPIRED_TOKEN_CODES for failure in result.failures):
        sessions.forget(item.account_id)
        result = _sweep_region(region, sessions.member(item.account_id), item, settings, policy)
    return result


def _sweep_region(
    region: str, session: AccountSession, item: WorkItem, settings: Settings, policy: SharePolicy
) -> _RegionResult:
    result = _RegionResult(region)
    wa = WellArchitected(session.wellarchitected(region), account_id=item.account_id, region=region)
    try:
        workloads = list(wa.owned_workloads())
    except AwsError as error:
        result.failures.append(_failure(f"region {region}", error))
        return result
    result.workloads_seen = len(workloads)
    for workload in workloads:
        outcome = _guarded(
            partial(
                reconcile_workload, wa, workload.workload_id, settings.reviews_account_ids, policy, dry_run=item.dry_run
            ),
            scope=f"workload {workload.workload_id} in {region}",
        )
        if isinstance(outcome, Failure):
            result.failures.append(outcome)
        else:
            result.results.extend(outcome)
    return result


def _guarded(work: Callable[[], list[ShareResult]], *, scope: str) -> list[ShareResult] | Failure:
    try:
        return work()
    except AwsError as error:
        return _failure(scope, error)


def _failure(scope: str, error: AwsError) -> Failure:
    return Failure(scope, error.code, str(error), error.retryable)
