"""Coverage: every owned workload in every account and region, and its share state towards each principal;
and the live shares outside the organization (wa_share.rules.outsiders judges them, as the functions do).

States follow `wa_share.rules.sharing.decide`, the same judgement the functions act on: a live share with the
policy's permission is `live` (`pending` until accepted), a live share with another permission is
`permission drift`, no share at all is `missing`, and only dead shares report their status.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from wa_share.aws.access import AwsError, ErrorKind, Sessions
from wa_share.aws.regions import account_regions
from wa_share.aws.wellarchitected import Share, WellArchitected
from wa_share.probe.rule import NO_PROBES, ProbeRule
from wa_share.rules.outsiders import ExternalShare, Outsiders
from wa_share.rules.sharing import Outcome, SharePolicy, decide

ACCOUNT_CONCURRENCY = 8


class ShareState(StrEnum):
    LIVE = "live"
    PENDING = "pending"
    MISSING = "missing"
    EXPIRED = "expired"
    REJECTED = "rejected"
    REVOKED = "revoked"
    FAILED = "failed"
    DRIFT = "permission drift"
    OWNER = "owner"  # the principal owns the workload: nothing to share


GAPS = frozenset(
    {
        ShareState.MISSING,
        ShareState.EXPIRED,
        ShareState.REJECTED,
        ShareState.REVOKED,
        ShareState.FAILED,
        ShareState.DRIFT,
    }
)
# When a principal has several dead shares, the most deliberate refusal is the one to report.
_DEAD_ORDER = (ShareState.REVOKED, ShareState.REJECTED, ShareState.EXPIRED, ShareState.FAILED)
_WAITING = frozenset({"PENDING", "ASSOCIATING"})


@dataclass(frozen=True)
class WorkloadState:
    account_id: str
    region: str
    workload_id: str
    workload_name: str
    principal: str
    state: ShareState
    detail: str = ""

    @property
    def gap(self) -> bool:
        return self.state in GAPS


@dataclass(frozen=True)
class ScanError:
    account_id: str
    region: str  # "" when the whole account failed
    message: str


@dataclass
class Coverage:
    principals: tuple[str, ...]
    rows: list[WorkloadState] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    outside: list[ExternalShare] = field(default_factory=list)  # live shares outside the organization

    @property
    def gaps(self) -> list[WorkloadState]:
        return [row for row in self.rows if row.gap]

    def totals(self) -> list[dict[str, Any]]:
        """Per account and region: workloads, and how many (workload, principal) pairs are in each state."""
        groups: dict[tuple[str, str], Counter[str]] = {}
        workloads: dict[tuple[str, str], set[str]] = {}
        for row in self.rows:
            key = (row.account_id, row.region)
            groups.setdefault(key, Counter())[row.state.value] += 1
            workloads.setdefault(key, set()).add(row.workload_id)
        return [
            {"account_id": account, "region": region, "workloads": len(workloads[(account, region)])}
            | {state.value: groups[(account, region)][state.value] for state in ShareState}
            for account, region in sorted(groups)
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "principals": list(self.principals),
            "gaps": len(self.gaps),
            "totals": self.totals(),
            "workloads": [asdict(row) | {"state": row.state.value} for row in self.rows],
            "errors": [asdict(error) for error in self.errors],
            "outside_organization": [asdict(share) for share in self.outside],
        }


def state_of(owner: str, principal: str, shares: Sequence[Share], policy: SharePolicy) -> tuple[ShareState, str]:
    decision = decide(owner, principal, shares, policy)
    if decision.outcome is Outcome.SKIPPED_OWNER:
        return ShareState.OWNER, decision.reason
    mine = [share for share in shares if share.shared_with == principal]
    if decision.outcome is Outcome.ALREADY_SHARED:
        right = [share for share in mine if share.live and share.permission == policy.permission]
        waiting = all(share.status in _WAITING for share in right)
        return (ShareState.PENDING, "invitation not accepted yet") if waiting else (ShareState.LIVE, "")
    if decision.outcome in {Outcome.UPDATED, Outcome.DRIFT_REPORTED}:
        return ShareState.DRIFT, decision.reason
    if decision.outcome is Outcome.CREATED:
        return ShareState.MISSING, "no share"
    statuses = {share.status.lower() for share in mine}
    dead = next((state for state in _DEAD_ORDER if state.value in statuses), ShareState.FAILED)
    return dead, decision.reason


def scan(
    sessions: Sessions,
    accounts: Sequence[str],
    regions: Sequence[str],
    principals: Sequence[str],
    policy: SharePolicy,
    *,
    home_region: str,
    on_account: Callable[[str], None] | None = None,
    probes: ProbeRule = NO_PROBES,
    outsiders: Outsiders | None = None,
) -> Coverage:
    """Scan every account (concurrently, bounded) in the regions it has enabled; failures are recorded, not raised.
    With `outsiders`, the live shares outside the organization are listed too."""
    coverage = Coverage(tuple(principals))

    def one(account: str) -> Coverage:
        found = Coverage(coverage.principals)
        _scan_account(
            sessions,
            account,
            found,
            regions=regions,
            policy=policy,
            home_region=home_region,
            probes=probes,
            outsiders=outsiders,
        )
        if on_account is not None:
            on_account(account)
        return found

    with ThreadPoolExecutor(max_workers=ACCOUNT_CONCURRENCY, thread_name_prefix="report") as pool:
        for found in pool.map(one, accounts):
            coverage.rows.extend(found.rows)
            coverage.errors.extend(found.errors)
            coverage.outside.extend(found.outside)
    return coverage


def _scan_account(
    sessions: Sessions,
    account: str,
    found: Coverage,
    *,
    regions: Sequence[str],
    policy: SharePolicy,
    home_region: str,
    probes: ProbeRule,
    outsiders: Outsiders | None,
) -> None:
    try:
        session = sessions.member(account)
        visit = account_regions(regions, session.ec2(home_region), account).visit
    except AwsError as error:
        found.errors.append(ScanError(account, "", str(error)))
        return
    for region in visit:
        wa = WellArchitected(session.wellarchitected(region), account_id=account, region=region)
        try:
            found.rows.extend(_scan_region(wa, found.principals, policy, probes, found.outside, outsiders))
        except AwsError as error:
            found.errors.append(ScanError(account, region, str(error)))


def _scan_region(  # noqa: PLR0917 - one region's scan and where its findings go
    wa: WellArchitected,
    principals: Sequence[str],
    policy: SharePolicy,
    probes: ProbeRule,
    outside: list[ExternalShare],
    outsiders: Outsiders | None,
) -> list[WorkloadState]:
    rows = []
    for workload in wa.owned_workloads():
        if probes.is_probe(workload.owner, workload.name):
            continue  # the probe's own workload, not the organization's
        try:
            shares = wa.list_shares(workload.workload_id)
        except AwsError as error:
            if error.kind is ErrorKind.NOT_FOUND:  # deleted since it was listed: nothing to cover
                continue
            raise
        if outsiders is not None:
            outside.extend(outsiders.among(wa.account_id, wa.region, workload.workload_id, shares))
        for principal in principals:
            state, detail = state_of(wa.account_id, principal, shares, policy)
            rows.append(
                WorkloadState(wa.account_id, wa.region, workload.workload_id, workload.name, principal, state, detail)
            )
    return rows
