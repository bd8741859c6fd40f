"""The nightly sweep of one account: every owned workload in every enabled WA region made right.

Regions run concurrently (bounded), and inside a region the workloads that need calls do too (bounded by
WORKLOAD_CONCURRENCY). A workload the reviews side already showed live-shared with every reviews account
(the work item's `known_live` slice) costs no call at all. A failure is confined to its workload or region
and reported in the account's summary; a region where every call is denied (an SCP) is skipped by policy;
work not started before the deadline is reported as unfinished. The caller settles the queue message.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

from wa_share.aws.access import AccountSession, AwsError, Sessions, is_expired
from wa_share.aws.regions import account_regions, regions_wanted
from wa_share.aws.wellarchitected import WellArchitected, Workload
from wa_share.followup.after_share import follow_up
from wa_share.observability import logger
from wa_share.rules.outsiders import Outsiders, organization_view, report_listed
from wa_share.rules.sharing import Outcome, SharePolicy, ShareResult, besides_owner, owner_skipped, reconcile_workload
from wa_share.runtime.deadline import NEVER, Deadline
from wa_share.settings import SweepSettings
from wa_share.sweep.forwarder_age import CreatedShares, forwarder_created_at, split_created
from wa_share.sweep.result import AccountSweep, Failure
from wa_share.sweep.work_items import WorkItem

__all__ = ["SEEN_BY_REVIEWS", "AccountSweep", "Failure", "sweep_account"]

# The reason of a result taken from the reviews side (the work item's slice), not verified on the owner side.
SEEN_BY_REVIEWS = "live on the reviews side"


@dataclass(frozen=True)
class _Job:
    item: WorkItem
    settings: SweepSettings
    policy: SharePolicy
    sessions: Sessions
    deadline: Deadline


@dataclass
class _RegionResult:
    region: str
    workloads_seen: int = 0
    known_live: int = 0
    results: list[ShareResult] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    denied: AwsError | None = None
    unfinished: bool = False
    live: set[str] = field(default_factory=set)  # workloads settled for every principal, for a continuation
    created: list[tuple[Workload, int]] = field(default_factory=list)  # shares created from nothing, per workload
    realtime: CreatedShares = field(default_factory=CreatedShares)


def sweep_account(
    item: WorkItem, settings: SweepSettings, sessions: Sessions, deadline: Deadline = NEVER
) -> AccountSweep:
    """Sweep one account. Raises MemberRoleUnavailable when the role cannot be assumed at all."""
    started = time.perf_counter()
    sweep = AccountSweep(item.sweep_id, item.account_id, item.dry_run)
    wanted = regions_wanted(sessions, settings.home_region, chosen=item.regions or (), configured=settings.wa_regions)
    regions = account_regions(wanted, sessions.member(item.account_id).ec2(settings.home_region), item.account_id)
    sweep.regions, sweep.skipped_regions = list(regions.visit), list(regions.skipped)
    job = _Job(item, settings, SharePolicy.from_settings(settings), sessions, deadline)
    workers = max(1, min(settings.region_concurrency, len(sweep.regions)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="region") as pool:
        for region_result in pool.map(partial(_sweep_region_with_fresh_session, job=job), sweep.regions):
            _merge(sweep, region_result)
    sweep.seconds = time.perf_counter() - started
    return sweep


def _merge(sweep: AccountSweep, region: _RegionResult) -> None:
    if region.denied is not None:
        sweep.denied_regions.append(region.region)
        logger.warning(
            "region skipped by policy: every call is denied",
            extra={"region": region.region, "error_code": region.denied.code, "error": str(region.denied)},
        )
        return
    if region.unfinished:
        sweep.unfinished_regions.append(region.region)
    sweep.live_after[region.region] = frozenset(region.live)
    sweep.workloads_seen += region.workloads_seen
    sweep.known_live += region.known_live
    sweep.missed_by_realtime += region.realtime.missed_by_realtime
    sweep.shared_before_forwarder += region.realtime.before_forwarder
    sweep.results.extend(region.results)
    sweep.failures.extend(region.failures)


def _sweep_region_with_fresh_session(region: str, *, job: _Job) -> _RegionResult:
    """Sweep a region; if AWS rejects the session as expired, assume the role afresh and go once more.

    botocore renews credentials ahead of their expiry, so this only happens when AWS disagrees with our
    clock or revoked the session; sweeping the region again is safe because every change is idempotent.
    """
    account_id = job.item.account_id
    session = job.sessions.member(account_id)
    result = _sweep_region(region, session, job)
    if not any(is_expired(failure.code) for failure in result.failures):
        return result
    logger.warning("member session expired: assuming the role again", extra={"region": region})
    try:
        fresh = job.sessions.renew(account_id, session)
    except AwsError as error:
        result.failures.append(_failure(region, f"region {region}", error))
        return result
    return _sweep_region(region, fresh, job)


def _sweep_region(region: str, session: AccountSession, job: _Job) -> _RegionResult:
    result = _RegionResult(region)
    if job.deadline.reached():
        result.unfinished = True
        return result
    wa = WellArchitected(session.wellarchitected(region), account_id=job.item.account_id, region=region)
    try:
        workloads = list(wa.owned_workloads())
    except AwsError as error:
        if error.access_denied:
            result.denied = error
        else:
            result.failures.append(_failure(region, f"region {region}", error))
        return result
    # Probes are the probe function's to create, share (through the real-time path) and delete.
    workloads = [w for w in workloads if not job.settings.probes.is_probe(w.owner, w.name)]
    result.workloads_seen = len(workloads)
    known = job.item.known_live_in(region)
    for workload in workloads:
        if workload.workload_id in known:
            result.known_live += 1
            result.live.add(workload.workload_id)
            result.results.extend(_known_live(workload, job))
    pending = [workload for workload in workloads if workload.workload_id not in known]
    workers = max(1, min(job.settings.workload_concurrency, len(pending)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"{region}-workload") as pool:
        for workload, outcome in zip(pending, pool.map(partial(_reconcile, wa=wa, job=job), pending), strict=True):
            _record(result, workload, outcome, dry_run=job.item.dry_run)
    if result.created:  # did the real-time path miss them, or did they predate its forwarder here?
        since = forwarder_created_at(session.sqs(region), job.item.account_id, region)
        result.realtime = split_created(result.created, since)
    return result


def _known_live(workload: Workload, job: _Job) -> list[ShareResult]:
    """The reviews side showed an accepted share in every reviews account: nothing to call, nothing to change."""
    workload_id, owner, principals, dry_run = (
        workload.workload_id,
        workload.owner,
        job.settings.principals,
        job.item.dry_run,
    )
    skipped = owner_skipped(workload_id, owner, principals, dry_run=dry_run, reason=SEEN_BY_REVIEWS)
    return skipped + [
        ShareResult(workload_id, principal, Outcome.ALREADY_SHARED, dry_run, reason=SEEN_BY_REVIEWS)
        for principal in besides_owner(owner, principals)
    ]


def _reconcile(workload: Workload, *, wa: WellArchitected, job: _Job) -> list[ShareResult] | Failure | None:
    """One workload made right; None when the deadline came first (the region is then unfinished)."""
    if job.deadline.reached():
        return None
    settings, item = job.settings, job.item
    outsiders = Outsiders(settings, organization_view(job.sessions))
    outcome = _guarded(
        partial(
            reconcile_workload,
            *(wa, workload.workload_id, settings.principals, job.policy),
            epoch=item.sweep_id,  # each night is a new attempt: a deleted share is made again
            dry_run=item.dry_run,
            # Shares outside the organization, made before installation or whose event was lost: listed.
            on_listed=partial(report_listed, outsiders, wa.account_id, wa.region, workload.workload_id),
        ),
        region=wa.region,
        scope=f"workload {workload.workload_id} in {wa.region}",
    )
    if not isinstance(outcome, Failure):
        # Accept and announce what the sweep shared; never fails the sweep (see wa_share/followup/after_share.py).
        follow_up(outcome, wa, found_by="sweep", settings=settings, sessions=job.sessions, workload_name=workload.name)
    return outcome


def _record(
    result: _RegionResult, workload: Workload, outcome: list[ShareResult] | Failure | None, *, dry_run: bool
) -> None:
    if outcome is None:
        result.unfinished = True
    elif isinstance(outcome, Failure):
        result.failures.append(outcome)
    else:
        result.results.extend(outcome)
        if not dry_run and all(share.outcome.meaning.settled for share in outcome):
            result.live.add(workload.workload_id)
        if created := 0 if dry_run else sum(share.outcome is Outcome.CREATED for share in outcome):
            result.created.append((workload, created))


def _guarded(work: Callable[[], list[ShareResult]], *, region: str, scope: str) -> list[ShareResult] | Failure:
    try:
        return work()
    except AwsError as error:
        return _failure(region, scope, error)


def _failure(region: str, scope: str, error: AwsError) -> Failure:
    return Failure(region, scope, error.code, str(error), error.retryable)
