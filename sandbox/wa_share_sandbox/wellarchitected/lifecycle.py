"""Switches for the share lifecycle behaviours AWS does not document (see docs/aws-behaviour.md, "What AWS does not
document"). wa-share must be right under every combination, so the lifecycle tests run under all of them.

Module-level on purpose, like the fault settings: they outlive moto's resets (tests reset them explicitly).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields, replace

from wa_share_sandbox.wellarchitected.exceptions import ConflictException, ServiceQuotaExceededException

LIVE_STATUSES = frozenset({"PENDING", "ACCEPTED", "ASSOCIATING", "ASSOCIATED"})
SHARE_QUOTA = 20  # share rows per workload


@dataclass(frozen=True)
class Lifecycle:
    # A dead (EXPIRED/REJECTED/REVOKED/FAILED) row for the principal makes CreateWorkloadShare fail with
    # ConflictException.
    dead_row_blocks: bool = False
    # CreateWorkloadShare with a token whose share was deleted returns the deleted share's ID again.
    token_outlives_share: bool = True
    # Dead rows count toward the 20 shares of a workload.
    dead_rows_count_quota: bool = True
    # A second share to a principal that already has a live one fails with ConflictException (else: created).
    duplicate_live_conflicts: bool = True

    def label(self) -> str:
        """A short test id: the switches that are on, e.g. "blocks+outlives+quota+conflicts"."""
        short = {"dead_row_blocks": "blocks", "token_outlives_share": "outlives"}
        short |= {"dead_rows_count_quota": "quota", "duplicate_live_conflicts": "conflicts"}
        return "+".join(short[f.name] for f in fields(self) if getattr(self, f.name)) or "none"


@dataclass(frozen=True)
class ReviewsSideView:
    """What the recipient sees, where AWS does not document it. Apart from ``Lifecycle``: only the tests that
    read the reviews side (the sweep planner's) depend on it, and they run under every setting."""

    # An invitation whose share EXPIRED stays in the recipient's ListShareInvitations (else it leaves at once).
    expired_invitation_listed: bool = False

    def label(self) -> str:
        return "expired-invitation-listed" if self.expired_invitation_listed else "expired-invitation-leaves"


_current = [Lifecycle()]
_view = [ReviewsSideView()]


def current() -> Lifecycle:
    return _current[0]


def configure_lifecycle(lifecycle: Lifecycle | None = None, **switches: bool) -> Lifecycle:
    """Set the switches (a whole ``Lifecycle``, or some of them by name); returns the new setting."""
    _current[0] = replace(lifecycle or _current[0], **switches)
    return _current[0]


def reset_lifecycle() -> None:
    _current[0] = Lifecycle()
    _view[0] = ReviewsSideView()


def reviews_side_view() -> ReviewsSideView:
    return _view[0]


def configure_reviews_side_view(view: ReviewsSideView) -> ReviewsSideView:
    _view[0] = view
    return view


def every_reviews_side_view() -> list[ReviewsSideView]:
    return [ReviewsSideView(expired_invitation_listed=listed) for listed in (False, True)]


def invitation_stays_listed(status: str) -> bool:
    """Whether the recipient still lists the invitation of a share that left PENDING for `status`."""
    return status == "EXPIRED" and _view[0].expired_invitation_listed


def every_lifecycle() -> list[Lifecycle]:
    """All 16 combinations of the switches."""
    names = [f.name for f in fields(Lifecycle)]
    return [Lifecycle(**dict(zip(names, values, strict=True))) for values in itertools.product((False, True), repeat=4)]


def check_new_share(workload_id: str, shared_with: str, rows: Sequence[tuple[str, str]]) -> None:
    """Refuse a new share as the switches say; ``rows``: (shared with, status) of every row of the workload."""
    switches = current()
    mine = [status for principal, status in rows if principal == shared_with]
    if switches.duplicate_live_conflicts and any(status in LIVE_STATUSES for status in mine):
        raise ConflictException(f"Workload already shared with {shared_with}", workload_id)
    if switches.dead_row_blocks and any(status not in LIVE_STATUSES for status in mine):
        raise ConflictException(f"A share with {shared_with} exists in a final state", workload_id)
    counted = [status for _, status in rows if switches.dead_rows_count_quota or status in LIVE_STATUSES]
    if len(counted) >= SHARE_QUOTA:
        raise ServiceQuotaExceededException("WORKLOAD_SHARE", workload_id)


def tokens_to_forget(tokens: Mapping[str, tuple[object, Mapping[str, str]]], share_id: str) -> Iterator[str]:
    """The tokens to drop when a share is deleted (none while tokens outlive their shares)."""
    if current().token_outlives_share:
        return iter(())
    return iter([token for token, (_, result) in tokens.items() if result.get("ShareId") == share_id])
