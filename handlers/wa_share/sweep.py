"""The nightly sweep of one account: every owned workload in every enabled WA region made right.

Regions run concurrently (bounded); a failure is confined to its workload or region and reported in
the account's summary. The caller decides what a failed region means for the queue message.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

from wa_share.aws import EXPIRED_TOKEN_CODES, AccountSession, AwsError, Sessions, partition_of
from wa_share.followup import follow_up
from wa_share.observability import logger
from wa_share.regions import enabled_regions, wa_regions_from_ssm
from wa_share.settings import Settings
from wa_share.sharing import Outcome, SharePolicy, ShareResult, reconcile_workload
from wa_share.wellarchitected import WellArchitected
from wa_share.work_items import WorkItem

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
    workloads_seen: int = 0
    results: list[ShareResult] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def retryable(self) -> bool:
        return any(failure.retryable for failure in self.failures)

    def outcome_counts(self) -> Counter[Outcome]:
        return Counter(result.outcome for result in self.results)

    def totals(self) -> dict[str, int]:
        """Outcomes grouped as operators read them: the one definition of "skipped" and "reported"."""
        counts = self.outcome_counts()
        return {
            "created": counts[Outcome.CREATED],
            "reshared": counts[Outcome.RESHARED],
            "updated": counts[Outcome.UPDATED],
            "already_shared": counts[Outcome.ALREADY_SHARED],
            "reported": counts[Outcome.DRIFT_REPORTED] + counts[Outcome.NOT_LIVE_REPORTED],
            "skipped": counts[Outcome.SKIPPED_OWNER] + counts[Outcome.SKIPPED_DELETED],
            "quota_exceeded": counts[Outcome.QUOTA_EXCEEDED],
        }

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
            "workloads_seen": self.workloads_seen,
            "shares_created": totals["created"],
            "shares_reshared": totals["reshared"],
            "shares_updated": totals["updated"],
            "already_shared": totals["already_shared"],
            "skipped": totals["skipped"],
            "reported": totals["reported"],
            "quota_exceeded": totals["quota_exceeded"],
            "failed": len(self.failures),
            "failures": shown,
            "duration_ms": round(self.seconds * 1000),
        }


@dataclass
class _RegionResult:
    region: str
    workloads_seen: int = 0
    results: list[ShareResult] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


class _MemberSession:
    """The account's session, shared by the region threads; when AWS rejects it as expired, the first
    region to notice assumes the role again and the others pick up the new session (one AssumeRole)."""

    def __init__(self, sessions: Sessions, account_id: str) -> None:
        self._sessions = sessions
        self._account_id = account_id
        self._lock = threading.Lock()
        self.current = sessions.member(account_id)

    def renew(self, expired: AccountSession) -> AccountSession:
        with self._lock:
            if self.current is expired:
                self._sessions.forget(self._account_id)
                self.current = self._sessions.member(self._account_id)
            return self.current


def sweep_account(item: WorkItem, settings: Settings, sessions: Sessions) -> AccountSweep:
    """Sweep one account. Raises MemberRoleUnavailable when the role cannot be assumed at all."""
    started = time.perf_counter()
    sweep = AccountSweep(item.sweep_id, item.account_id, item.dry_run)
    member = _MemberSession(sessions, item.account_id)
    wanted = item.regions or settings.wa_regions or _regions_from_ssm(settings, sessions)
    enabled = enabled_regions(member.current.ec2(settings.home_region), item.account_id)
    sweep.regions = [region for region in wanted if region in enabled]
    sweep.skipped_regions = [region for region in wanted if region not in enabled]
    policy = SharePolicy.from_settings(settings)

    def run(region: str) -> _RegionResult:
        return _sweep_region_with_fresh_session(region, member, item, settings, policy, sessions=sessions)

    workers = max(1, min(settings.region_concurrency, len(sweep.regions)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="region") as pool:
        for region_result in pool.map(run, sweep.regions):
            sweep.workloads_seen += region_result.workloads_seen
            sweep.results.extend(region_result.results)
            sweep.failures.extend(region_result.failures)
    sweep.seconds = time.perf_counter() - started
    return sweep


def _regions_from_ssm(settings: Settings, sessions: Sessions) -> tuple[str, ...]:
    ssm = sessions.central.ssm(settings.home_region)
    return wa_regions_from_ssm(ssm, partition_of(settings.home_region))


def _sweep_region_with_fresh_session(
    region: str, member: _MemberSession, item: WorkItem, settings: Settings, policy: SharePolicy, *, sessions: Sessions
) -> _RegionResult:
    """Sweep a region; if AWS rejects the session as expired, assume the role afresh and go once more.

    botocore renews credentials ahead of their expiry, so this only happens when AWS disagrees with our
    clock or revoked the session; sweeping the region again is safe because every change is idempotent.
    """
    session = member.current
    result = _sweep_region(region, session, item, settings, policy, sessions=sessions)
    if not any(failure.code in EXPIRED_TOKEN_CODES for failure in result.failures):
        return result
    logger.warning("member session expired: assuming the role again", extra={"region": region})
    try:
        fresh = member.renew(session)
    except AwsError as error:
        result.failures.append(_failure(region, f"region {region}", error))
        return result
    return _sweep_region(region, fresh, item, settings, policy, sessions=sessions)


def _sweep_region(
    region: str, session: AccountSession, item: WorkItem, settings: Settings, policy: SharePolicy, *, sessions: Sessions
) -> _RegionResult:
    result = _RegionResult(region)
    wa = WellArchitected(session.wellarchitected(region), account_id=item.account_id, region=region)
    try:
        workloads = list(wa.owned_workloads())
    except AwsError as error:
        result.failures.append(_failure(region, f"region {region}", error))
        return result
    result.workloads_seen = len(workloads)
    for workload in workloads:
        outcome = _guarded(
            partial(
                reconcile_workload,
                *(wa, workload.workload_id, settings.principals, policy),
                epoch=item.sweep_id,  # each night is a new attempt: a deleted share is made again
                dry_run=item.dry_run,
            ),
            region=region,
            scope=f"workload {workload.workload_id} in {region}",
        )
        if isinstance(outcome, Failure):
            result.failures.append(outcome)
        else:
            result.results.extend(outcome)
            # Accept and announce what the sweep shared; never fails the sweep (see followup.py).
            follow_up(outcome, wa, found_by="sweep", settings=settings, sessions=sessions, workload_name=workload.name)
    return result


def _guarded(work: Callable[[], list[ShareResult]], *, region: str, scope: str) -> list[ShareResult] | Failure:
    try:
        return work()
    except AwsError as error:
        return _failure(region, scope, error)


def _failure(region: str, scope: str, error: AwsError) -> Failure:
    return Failure(region, scope, error.code, str(error), error.retryable)
