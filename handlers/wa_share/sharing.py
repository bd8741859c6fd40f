"""What "shared" means, and how to make it true: one decision, used by the real-time path and the sweep.

A workload counts as shared with a reviews account when a *live* share to that account exists
(PENDING, ACCEPTED, ASSOCIATING, ASSOCIATED); an expired, rejected, revoked or failed one does not.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from wa_share.aws import AwsError, ErrorKind
from wa_share.settings import ORGANIZATION_PRINCIPAL, DriftPolicy, Settings
from wa_share.wellarchitected import Share, WellArchitected

_TOKEN_NAMESPACE = uuid.UUID("4a0c1c35-92f4-4c53-9d5e-2b7f6b6c7a10")


class Outcome(StrEnum):
    CREATED = "created"
    RESHARED = "reshared"
    UPDATED = "updated"
    ALREADY_SHARED = "already_shared"
    SKIPPED_OWNER = "skipped_owner"
    SKIPPED_DELETED = "skipped_deleted"
    DRIFT_REPORTED = "drift_reported"
    NOT_LIVE_REPORTED = "not_live_reported"
    QUOTA_EXCEEDED = "quota_exceeded"


CHANGES = frozenset({Outcome.CREATED, Outcome.RESHARED, Outcome.UPDATED})
SKIPS = frozenset({Outcome.SKIPPED_OWNER, Outcome.SKIPPED_DELETED})


@dataclass(frozen=True)
class SharePolicy:
    permission: str
    drift_policy: DriftPolicy
    reshare_statuses: frozenset[str]

    @classmethod
    def from_settings(cls, settings: Settings) -> SharePolicy:
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


def share_token(workload_id: str, principal: str, permission: str, earlier: Iterable[Share]) -> str:
    """A deterministic idempotency token that changes whenever the share history changes.

    Retries and duplicate events of one state reuse the token, so they cannot create a second share;
    after a share expires (a new non-live row exists) the token differs, so re-sharing is not answered
    with the stale result of the old, dead share.
    """
    history = ",".join(sorted(share.share_id for share in earlier))
    return str(uuid.uuid5(_TOKEN_NAMESPACE, f"{workload_id}|{principal}|{permission}|{history}"))


def decide(owner: str, principal: str, shares: Sequence[Share], policy: SharePolicy) -> Decision:
    """The action that makes `principal`'s access to one workload right; pure, no AWS calls."""
    if principal == owner:
        return Decision(Outcome.SKIPPED_OWNER, principal, reason="the reviews account owns this workload")
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
    dry_run: bool = False,
) -> list[ShareResult]:
    """Make one workload's shares right for every reviews account; idempotent under retries and replays."""
    try:
        shares = wa.list_shares(workload_id)
    except AwsError as error:
        if error.kind is ErrorKind.NOT_FOUND:
            return [_deleted(workload_id, principal) for principal in principals]
        raise
    results = []
    for principal in principals:
        decision = decide(wa.account_id, principal, shares, policy)
        results.append(_apply(wa, workload_id, decision, shares, policy, dry_run=dry_run))
    return results


def _deleted(workload_id: str, principal: str) -> ShareResult:
    return ShareResult(workload_id, principal, Outcome.SKIPPED_DELETED, reason="workload no longer exists")


def _apply(
    wa: WellArchitected,
    workload_id: str,
    decision: Decision,
    shares: Sequence[Share],
    policy: SharePolicy,
    *,
    dry_run: bool,
) -> ShareResult:
    result = ShareResult(workload_id, decision.principal, decision.outcome, dry_run, decision.share_id, decision.reason)
    if dry_run or decision.outcome not in CHANGES:
        return result
    try:
        if decision.outcome is Outcome.UPDATED:
            assert decision.share_id is not None  # noqa: S101 - decide() sets it for UPDATED
            wa.update_share_permission(workload_id, share_id=decision.share_id, permission=policy.permission)
            return result
        share_id = _create(wa, workload_id, decision.principal, shares, policy)
    except AwsError as error:
        return _settle(wa, workload_id, decision, policy, error)
    return ShareResult(workload_id, decision.principal, decision.outcome, False, share_id, decision.reason)


def _create(wa: WellArchitected, workload_id: str, principal: str, shares: Sequence[Share], policy: SharePolicy) -> str:
    earlier = [share for share in shares if share.shared_with == principal]
    token = share_token(workload_id, principal, policy.permission, earlier)
    try:
        return wa.create_share(workload_id, principal=principal, permission=policy.permission, token=token)
    except AwsError as error:
        if not (ORGANIZATION_PRINCIPAL.match(principal) and error.code == "ValidationException"):
            raise
    # Sharing with an organization or OU is refused until the owner turns organization sharing on.
    wa.enable_organization_sharing()
    return wa.create_share(workload_id, principal=principal, permission=policy.permission, token=token)


def _settle(
    wa: WellArchitected, workload_id: str, decision: Decision, policy: SharePolicy, error: AwsError
) -> ShareResult:
    """Resolve a failed change: done by someone else meanwhile, quota, deleted, or a real failure."""
    if error.code == "ServiceQuotaExceededException":
        return ShareResult(workload_id, decision.principal, Outcome.QUOTA_EXCEEDED, reason=str(error))
    if error.kind is ErrorKind.NOT_FOUND:
        return _deleted(workload_id, decision.principal)
    if error.kind is ErrorKind.ALREADY_DONE:
        # A concurrent delivery of the same event may have won the race: believe the share list, not the code.
        again = decide(wa.account_id, decision.principal, wa.list_shares(workload_id), policy)
        if again.outcome is Outcome.ALREADY_SHARED:
            return ShareResult(workload_id, decision.principal, Outcome.ALREADY_SHARED, reason="shared concurrently")
    raise error
