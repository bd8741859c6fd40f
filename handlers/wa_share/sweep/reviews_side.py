"""The reviews side of sharing, read once per sweep by the planner: what each reviews account already sees.

In each reviews account and region, `ListWorkloads` returns the workloads others shared with it and it
accepted (`Owner` is the sharer). A workload found there for every reviews account needs no
`ListWorkloadShares` tonight: the planner hands each account its slice in the work item. Accepted shares show
no permission, so drift is checked only when the whole sweep lists shares (drift policy `enforce`, or the
weekly full sweep, see `slices_wanted`).

Pending invitations (`ListShareInvitations`) are not evidence: an invitation expires unaccepted after 7 days,
carries no date, and whether it leaves the list at once when it expires is not documented. Taken for live,
an expired share would pass as shared until the weekly full sweep (up to 6 nights, measured in
tests/e2e/lifecycle/test_invitation_expiry.py); left out, the worker verifies such a workload on the owner
side the same night (one `ListWorkloadShares`), so an expired share is re-shared within a night under
either answer.

A pair (reviews account, region) that cannot be read is left out: those workloads are listed one by one,
as without a slice. Reading more than it needs never makes the sweep wrong; reading less costs calls only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from wa_share.aws.access import AwsError, Sessions
from wa_share.aws.regions import enabled_regions
from wa_share.aws.session_policy import SessionScope
from wa_share.aws.wellarchitected import WellArchitected
from wa_share.domain import DriftPolicy
from wa_share.observability import Metric, count, logger
from wa_share.rules.sharing import besides_owner
from wa_share.settings import FullSweepDay, PlannerSettings

READERS = 18  # (reviews account, region) pairs read at once: the WA API throttles per account and region
Seen = dict[str, frozenset[str]]  # owner account -> workload IDs live-shared with one reviews account
# The planner's session in a reviews account may make exactly the calls this module makes there, nothing
# else of the member role (which can also create, update and delete shares): an AssumeRole session policy.
REVIEWS_SIDE_SCOPE = SessionScope(
    name="reviews-side",
    actions=("ec2:DescribeRegions", "wellarchitected:ListWorkloads"),  # both take only "*" as resource
)


@dataclass
class ReviewsSide:
    seen: dict[tuple[str, str], Seen] = field(default_factory=dict)  # (reviews account, region) -> Seen

    def slice_for(
        self, account_id: str, regions: Sequence[str], principals: Sequence[str]
    ) -> dict[str, frozenset[str]]:
        """Per region, the account's workloads live-shared with every reviews account other than itself."""
        others = besides_owner(account_id, principals)
        known: dict[str, frozenset[str]] = {}
        for region in regions:
            if not others or any((principal, region) not in self.seen for principal in others):
                continue  # unread: the worker lists this region's workloads one by one
            common = frozenset.intersection(
                *(self.seen[principal, region].get(account_id, frozenset()) for principal in others)
            )
            if common:
                known[region] = common
        return known


def slices_wanted(settings: PlannerSettings, scheduled_at: datetime) -> bool:
    """Whether tonight's sweep may skip workloads the reviews side shows live, or must list every share."""
    if settings.drift_policy is DriftPolicy.ENFORCE or settings.share_with or settings.wa_regions is None:
        return False  # enforce needs each share's permission; organization shares have no reviews-side trace
    if settings.full_sweep_day is FullSweepDay.DAILY:
        return False
    return scheduled_at.strftime("%a").upper() != settings.full_sweep_day.value


def read_reviews_side(settings: PlannerSettings, sessions: Sessions, regions: Sequence[str]) -> ReviewsSide:
    pairs = [
        (account, region)
        for account in settings.reviews_account_ids
        for region in _enabled(account, regions, settings, sessions)
    ]
    side = ReviewsSide()
    with ThreadPoolExecutor(max_workers=max(1, min(READERS, len(pairs))), thread_name_prefix="reviews") as pool:
        for pair, seen in zip(
            pairs, pool.map(partial(_read_pair, settings=settings, sessions=sessions), pairs), strict=True
        ):
            if seen is not None:
                side.seen[pair] = seen
    unread = len(settings.reviews_account_ids) * len(regions) - len(side.seen)
    count(Metric.REVIEWS_SIDE_UNREAD, unread)
    logger.info("reviews side read", extra={"pairs": len(pairs), "unread": unread})
    return side


def _enabled(account: str, regions: Sequence[str], settings: PlannerSettings, sessions: Sessions) -> list[str]:
    """The regions the reviews account has enabled (a share there needs them enabled on both sides)."""
    try:
        enabled = enabled_regions(sessions.member(account, scope=REVIEWS_SIDE_SCOPE).ec2(settings.home_region), account)
    except AwsError as error:
        logger.warning(
            "reviews side not read: its workloads are listed one by one",
            extra={"reviews_account": account, "error_code": error.code, "error": str(error)},
        )
        return []
    return [region for region in regions if region in enabled]


def _read_pair(pair: tuple[str, str], *, settings: PlannerSettings, sessions: Sessions) -> Seen | None:
    account, region = pair
    try:
        client = sessions.member(account, scope=REVIEWS_SIDE_SCOPE).wellarchitected(region)
        # listed here, not lazily below: a failed page must fall back like any other failure to read
        accepted = list(WellArchitected(client, account_id=account, region=region).shared_in())
    except AwsError as error:
        logger.warning(
            "reviews side not read: its workloads are listed one by one",
            extra={"reviews_account": account, "region": region, "error_code": error.code, "error": str(error)},
        )
        return None
    found: dict[str, set[str]] = defaultdict(set)
    for workload in accepted:
        found[workload.owner].add(workload.workload_id)
    return {owner: frozenset(workloads) for owner, workloads in found.items()}
