"""Shares outside the organization: who counts as inside, and the one record of a share that is not.

A share is outside when it names an account that is not a member of the organization, an IAM principal of
such an account, another organization, or an OU of another organization. The reviews principals are never
outside, wherever they live (a reviews account may belong to another organization), nor are the partners of
the allow-list (an allowed account covers its IAM principals). IAM cannot narrow CreateWorkloadShare by
SharedWith: this detective control is the only control, and it only reports, never deletes.

Membership: organizations:ListAccounts (the central account is a delegated administrator; ListAccounts'
answer is complete, where DescribeAccount's for an account of another organization is undocumented under
a scoped resource), listed once per execution environment and again when an unknown account is asked about
and the list is older than REFRESH_SECONDS, so an account that just joined is not flagged for long. An OU
ID embeds its root's ID ("ou-" + the root ID's suffix + "-" …, AWS Organizations' ID format), so one
ListRoots tells our OUs from others'. Both calls happen only for a principal that is not trusted already.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from functools import cache
from typing import TYPE_CHECKING

from wa_share.aws.access import AwsError, Sessions
from wa_share.aws.organizations import list_accounts, root_ids
from wa_share.aws.wellarchitected import Share
from wa_share.domain import ACCOUNT_ID, IAM_PRINCIPAL, ORGANIZATION_ID
from wa_share.observability import Metric, count, logger
from wa_share.settings import SharingSettings

if TYPE_CHECKING:
    from mypy_boto3_organizations import OrganizationsClient

REFRESH_SECONDS = 300
_OU = "ou-"


@dataclass(frozen=True)
class ExternalShare:
    """A share outside the organization: what was shared, with whom, by whom, and why it is outside."""

    account_id: str
    region: str
    workload_id: str
    share_id: str | None
    shared_with: str
    permission: str | None
    status: str | None
    shared_by: str  # the caller's ARN on the real-time path; "listed" when a listing found it
    reason: str


class OrganizationView:
    """The organization's accounts and root, read lazily and cached (one per execution environment)."""

    def __init__(self, organizations: OrganizationsClient, clock: Callable[[], float] = time.monotonic) -> None:
        self._organizations = organizations
        self._clock = clock
        self._lock = threading.Lock()
        self._accounts: frozenset[str] | None = None
        self._listed_at = 0.0
        self._root_suffix: str | None = None

    def has_account(self, account_id: str) -> bool:
        with self._lock:
            stale = self._clock() - self._listed_at > REFRESH_SECONDS
            if self._accounts is None or (account_id not in self._accounts and stale):
                self._accounts, self._listed_at = self._list_accounts(), self._clock()
            return account_id in self._accounts

    def has_ou(self, ou_id: str) -> bool:
        with self._lock:
            if self._root_suffix is None:
                roots = root_ids(self._organizations)
                self._root_suffix = roots[0].removeprefix("r-") if roots else ""
            return bool(self._root_suffix) and ou_id.startswith(f"{_OU}{self._root_suffix}-")

    def _list_accounts(self) -> frozenset[str]:
        """Every account that belongs to the organization (suspended ones too: they are still members)."""
        return frozenset(account["Id"] for account in list_accounts(self._organizations))


@cache
def organization_view(sessions: Sessions) -> OrganizationView:
    """The view of these sessions' caller, built once: it lives as long as the function's sessions (a cold
    start's), so the organization is listed once per execution environment."""
    return OrganizationView(sessions.central.organizations(sessions.home_region))


class Outsiders:
    """Judges principals for one configuration: trusted ones need no call, the rest ask the organization."""

    def __init__(self, settings: SharingSettings, view: OrganizationView) -> None:
        self._organization_id = settings.organization_id
        self._view = view
        trusted = set(settings.reviews_account_ids) | set(settings.share_with) | set(settings.share_allow_list)
        self._trusted = frozenset(trusted)

    def reason(self, principal: str) -> str | None:
        """Why `principal` is outside the organization, or None when it is inside (or trusted)."""
        if principal in self._trusted:
            return None
        iam = IAM_PRINCIPAL.match(principal)
        if iam is not None:
            account = iam["account"]
            if account in self._trusted or self._view.has_account(account):
                return None
            return f"an IAM principal of account {account}, which is not a member of the organization"
        if ACCOUNT_ID.match(principal):
            return None if self._view.has_account(principal) else "an account that is not a member of the organization"
        if ORGANIZATION_ID.match(principal):
            return None if principal == self._organization_id else "another organization"
        if principal.startswith(_OU):
            return None if self._view.has_ou(principal) else "an OU of another organization"
        return "a principal wa-share does not recognise"

    def among(self, account_id: str, region: str, workload_id: str, shares: Iterable[Share]) -> list[ExternalShare]:
        """The listed shares that are outside the organization and live (a dead share grants nothing)."""
        found = []
        for share in shares:
            reason = self.reason(share.shared_with) if share.live else None
            if reason is not None:
                found.append(
                    ExternalShare(
                        account_id,
                        region,
                        workload_id,
                        share.share_id,
                        share.shared_with,
                        share.permission,
                        share.status,
                        "listed",
                        reason,
                    )
                )
        return found


def report_external(external: ExternalShare, *, found_by: str) -> None:
    """The one log line of a share outside the organization: who shared what with whom, and why it counts."""
    logger.warning("share outside the organization", extra={"found_by": found_by, **asdict(external)})


def report_listed(outsiders: Outsiders, account_id: str, region: str, workload_id: str, shares: Iterable[Share]) -> int:
    """The sweep's look at a workload's listed shares: each one outside is logged and counted; returns how many.
    A failure to read the organization never fails the sweep's sharing: it is logged and counted."""
    try:
        found = outsiders.among(account_id, region, workload_id, shares)
    except AwsError as error:
        count(Metric.EXTERNAL_SHARE_CHECKS_FAILED)
        logger.warning("shares not judged: the organization could not be read", extra={"error": str(error)})
        return 0
    for external in found:
        report_external(external, found_by="sweep")
        count(Metric.EXTERNAL_SHARES_LISTED)
    return len(found)
