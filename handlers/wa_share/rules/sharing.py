"""What "shared" means, and how to make it true: one decision, used by the real-time path and the sweep.

A workload counts as shared with a reviews account when a *live* share to that account exists
(PENDING, ACCEPTED, ASSOCIATING, ASSOCIATED); an expired, rejected, revoked or failed one does not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import NamedTuple, Protocol

from wa_share.aws.access import AwsError, ErrorKind
from wa_share.aws.wellarchitected import Share, WellArchitected
from wa_share.domain import DriftPolicy, Permission
from wa_share.observability import Metric
from wa_share.rules import share_rows


class UnitCoverage(StrEnum):
    """How the sweep's coverage counts one unit (a workload towards one reviews principal; sweep/coverage.py)."""

    SHARED = "shared"  # a live share to the principal exists after the sweep
    NOT_ELIGIBLE = "not_eligible"  # owned by the reviews account, or deleted meanwhile
    QUOTA = "quota"
    NOT_LIVE = "not_live"  # only dead shares, outside ReshareStatuses
    PERMANENT_FAILURE = "permanent_failure"  # AccessDenied, ValidationException, ...: retrying cannot help
    RETRIES_EXHAUSTED = "retries_exhausted"  # transient failures on the message's last try
    ROLE_MISSING = "role_missing"  # the member role could not be assumed: nothing in the account was seen


class Meaning(NamedTuple):
    metric: Metric
    coverage: UnitCoverage
    total: str  # its group in the sweep's summary line
    change: bool = False  # a share created, made again or updated: a share made
    new_share: bool = False  # a share that did not exist: accepted, announced, its latency recorded
    settled: bool = False  # live, or needs none: a later try may skip it


class Outcome(StrEnum):
    """What making one workload's share to one principal right came to. Each outcome carries its meaning, so
    a new one is added here and nowhere else."""

    meaning: Meaning

    def __new__(cls, value: str, meaning: Meaning) -> Outcome:
        member = str.__new__(cls, value)
        member._value_ = value
        member.meaning = meaning
        return member

    CREATED = "created", Meaning(Metric.SHARES_CREATED, UnitCoverage.SHARED, "created", True, True, True)
    RESHARED = "reshared", Meaning(Metric.SHARES_CREATED, UnitCoverage.SHARED, "reshared", True, True, True)
    UPDATED = "updated", Meaning(Metric.SHARES_UPDATED, UnitCoverage.SHARED, "updated", True, settled=True)
    ALREADY_SHARED = (
        "already_shared",
        Meaning(Metric.ALREADY_SHARED, UnitCoverage.SHARED, "already_shared", settled=True),
    )
    SKIPPED_OWNER = "skipped_owner", Meaning(Metric.SKIPPED, UnitCoverage.NOT_ELIGIBLE, "skipped", settled=True)
    SKIPPED_DELETED = "skipped_deleted", Meaning(Metric.SKIPPED, UnitCoverage.NOT_ELIGIBLE, "skipped")
    # Live, with another permission than the policy's: the reviews team sees it (PermissionDrift says so).
    DRIFT_REPORTED = "drift_reported", Meaning(Metric.PERMISSION_DRIFT, UnitCoverage.SHARED, "reported")
    NOT_LIVE_REPORTED = "not_live_reported", Meaning(Metric.NOT_LIVE_REPORTED, UnitCoverage.NOT_LIVE, "reported")
    QUOTA_EXCEEDED = "quota_exceeded", Meaning(Metric.QUOTA_EXCEEDED, UnitCoverage.QUOTA, "quota_exceeded")

    @property
    def metric(self) -> Metric:
        return self.meaning.metric

    @property
    def is_change(self) -> bool:
        return self.meaning.change


OWNS_IT = "the reviews account owns this workload"


class PolicySettings(Protocol):
    """The settings a share policy is made of (the share function's and the sweep's have them)."""

    @property
    def permission(self) -> Permission: ...
    @property
    def drift_policy(self) -> DriftPolicy: ...
    @property
    def reshare_statuses(self) -> frozenset[str]: ...


@dataclass(frozen=True)
class SharePolicy:
    permission: str
    drift_policy: DriftPolicy
    reshare_statuses: frozenset[str]

    @classmethod
    def from_settings(cls, settings: PolicySettings) -> SharePolicy:
        return cls(settings.permission.value, settings.drift_policy, settings.reshare_statuses)


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    principal: str
    share_id: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class ShareResult:
    workload_id: str
    principal: str
    outcome: Outcome
    dry_run: bool = False
    share_id: str | None = None
    reason: str = ""


def besides_owner(owner: str, principals: Sequence[str]) -> list[str]:
    """The principals a workload of `owner` is shared with: all but the owner (an account never shares with
    itself: a reviews account's own workload needs no share)."""
    return [principal for principal in principals if principal != owner]


def owner_skipped(
    workload_id: str, owner: str, principals: Sequence[str], *, dry_run: bool = False, reason: str = OWNS_IT
) -> list[ShareResult]:
    """The owner's one result, when the owner is among the principals; none otherwise."""
    if len(besides_owner(owner, principals)) == len(principals):
        return []
    return [ShareResult(workload_id, owner, Outcome.SKIPPED_OWNER, dry_run, reason=reason)]


def decide(owner: str, principal: str, shares: Sequence[Share], policy: SharePolicy) -> Decision:
    """The action that makes `principal`'s access to one workload right; pure, no AWS calls."""
    if not besides_owner(owner, [principal]):
        return Decision(Outcome.SKIPPED_OWNER, principal, reason=OWNS_IT)
    mine = [share for share in shares if share.shared_with == principal]
    live = [share for share in mine if share.live]
    if any(share.permission == policy.permission for share in live):
        return Decision(Outcome.ALREADY_SHARED, principal)
    if live:
        drifted = live[0]
        reason = f"live share has {drifted.permission}, policy wants {policy.permission}"
        if policy.drift_policy is DriftPolicy.ENFORCE:
            return Decision(Outcome.UPDATED, principal, drifted.share_id, reason)
        return Decision(Outcome.DRIFT_REPORTED, principal, drifted.share_id, reason)
    if not mine:
        return Decision(Outcome.CREATED, principal, reason="no share")
    statuses = sorted({share.status for share in mine})
    reason = f"only non-live shares: {', '.join(statuses)}"
    if set(statuses) <= policy.reshare_statuses:
        return Decision(Outcome.RESHARED, principal, reason=reason)
    return Decision(Outcome.NOT_LIVE_REPORTED, principal, reason=reason)


def reconcile_workload(
    wa: WellArchitected,
    workload_id: str,
    principals: Sequence[str],
    policy: SharePolicy,
    *,
    epoch: str,
    dry_run: bool = False,
    on_listed: Callable[[Sequence[Share]], object] | None = None,
) -> list[ShareResult]:
    """Make one workload's shares right for every reviews account, list first; idempotent under retries.

    `epoch`: the sweep's ID, or the CreateWorkload event's ID (see share_rows.share_token). Every share
    this creates is verified by listing again, so `created`/`reshared` means a live share exists.
    `on_listed` sees the listed shares (the sweep looks there for shares outside the organization).
    """
    try:
        shares = wa.list_shares(workload_id)
    except AwsError as error:
        if error.kind is ErrorKind.NOT_FOUND:
            return [_deleted(workload_id, principal) for principal in principals]
        raise
    if on_listed is not None:
        on_listed(shares)
    results = []
    for principal in principals:
        decision = decide(wa.account_id, principal, shares, policy)
        results.append(_apply(wa, workload_id, decision, shares, policy, epoch=epoch, dry_run=dry_run))
    return results


def share_new_workload(
    wa: WellArchitected, workload_id: str, principals: Sequence[str], policy: SharePolicy, *, epoch: str
) -> list[ShareResult]:
    """One CreateWorkloadShare per principal for a workload whose event nothing has acted on yet (first
    received seconds after it; a throttled copy may come back up to ~100 minutes later), with no list first.

    Such a workload has no share history of this event, so the token is the one the list-first path
    computes for an empty history: another delivery of the event taken for fresh gets the same share back,
    not a second one. Anything but success (a share or dead row exists after all, quota) falls back to the
    list-first path.
    """
    others = besides_owner(wa.account_id, principals)
    shared = [_share_new(wa, workload_id, principal, policy, epoch) for principal in others]
    return owner_skipped(workload_id, wa.account_id, principals) + shared


def _share_new(wa: WellArchitected, workload_id: str, principal: str, policy: SharePolicy, epoch: str) -> ShareResult:
    token = share_rows.share_token(workload_id, principal, policy.permission, epoch, [])
    try:
        share_id = share_rows.create_share(wa, workload_id, principal, policy.permission, token)
    except AwsError as error:
        if error.retryable:
            raise
        if error.kind is ErrorKind.NOT_FOUND:
            return _deleted(workload_id, principal)
        return reconcile_workload(wa, workload_id, [principal], policy, epoch=epoch)[0]
    return ShareResult(workload_id, principal, Outcome.CREATED, share_id=share_id, reason="new workload")


def _deleted(workload_id: str, principal: str) -> ShareResult:
    return ShareResult(workload_id, principal, Outcome.SKIPPED_DELETED, reason="workload no longer exists")


def _apply(
    wa: WellArchitected,
    workload_id: str,
    decision: Decision,
    shares: Sequence[Share],
    policy: SharePolicy,
    *,
    epoch: str,
    dry_run: bool,
) -> ShareResult:
    result = ShareResult(workload_id, decision.principal, decision.outcome, dry_run, decision.share_id, decision.reason)
    if dry_run:
        return result
    try:
        if decision.outcome is Outcome.ALREADY_SHARED:
            return _without_duplicates(wa, workload_id, result, shares, policy)
        if decision.outcome is Outcome.UPDATED:
            assert decision.share_id is not None  # noqa: S101 - decide() sets it for UPDATED
            wa.update_share_permission(workload_id, share_id=decision.share_id, permission=policy.permission)
            return result
        if not decision.outcome.is_change:
            return result
        mine = [share for share in shares if share.shared_with == decision.principal]
        share_id = share_rows.create_verified(
            wa, workload_id, decision.principal, policy.permission, epoch=epoch, mine=mine
        )
    except AwsError as error:
        return _settle(wa, workload_id, decision, policy, error)
    return ShareResult(workload_id, decision.principal, decision.outcome, False, share_id, decision.reason)


def _without_duplicates(
    wa: WellArchitected, workload_id: str, result: ShareResult, shares: Sequence[Share], policy: SharePolicy
) -> ShareResult:
    """Two live shares to one principal (racing creators, where AWS allows it) become one; no call otherwise."""
    live = share_rows.live_rows(shares, result.principal, policy.permission)
    if len(live) < 2:  # noqa: PLR2004 - one share is the goal
        return result
    kept = share_rows.keep_one(wa, workload_id, live)
    return replace(result, share_id=kept, reason=f"removed {len(live) - 1} duplicate live shares")


def _settle(
    wa: WellArchitected, workload_id: str, decision: Decision, policy: SharePolicy, error: AwsError
) -> ShareResult:
    """Resolve a failed change: done by someone else meanwhile, quota, deleted, or a real failure."""
    if error.code == "ServiceQuotaExceededException":
        return ShareResult(workload_id, decision.principal, Outcome.QUOTA_EXCEEDED, reason=str(error))
    if error.kind is ErrorKind.NOT_FOUND and decision.outcome is not Outcome.UPDATED:
        return _deleted(workload_id, decision.principal)
    if error.kind in (ErrorKind.ALREADY_DONE, ErrorKind.NOT_FOUND):
        # A concurrent delivery may have won the race, or the share to update was deleted meanwhile:
        # believe the share list, not the code.
        again = decide(wa.account_id, decision.principal, wa.list_shares(workload_id), policy)
        if again.outcome is Outcome.ALREADY_SHARED:
            return ShareResult(workload_id, decision.principal, Outcome.ALREADY_SHARED, reason="shared concurrently")
    raise error
