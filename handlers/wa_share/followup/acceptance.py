"""Accepting share invitations in the reviews accounts, so that a share is done, not half done.

A share to an account stays PENDING until that account accepts it, and expires after 7 days. With the
optional acceptor role in a reviews account, wa-share accepts the invitations it caused: right after
creating a share (matched by workload ID and owner, never by share ID: the owner's ShareId and the
recipient's ShareInvitationId are not documented to be equal), and in the sweep for any invitation still
pending from an account of the organization. An invitation from outside the organization is never
accepted, only reported.

The sweep's half (`accept_pending_invitations`): in a reviews account, accept what is still pending from the
organization. Membership is checked per inviting account with organizations:DescribeAccount (the automation account is
a delegated administrator), once per account per sweep: an inviter outside the organization is reported
and its invitation left alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from wa_share.aws.access import AwsError, Sessions
from wa_share.aws.organizations import is_member
from wa_share.aws.wellarchitected import Invitation, Invitations
from wa_share.settings import SharingSettings


class Acceptance(StrEnum):
    ACCEPTED = "accepted"
    NOT_FOUND = "not_found"  # not visible yet: the sweep will find it
    OUTSIDER = "outsider_reported"
    FAILED = "failed"


@dataclass(frozen=True)
class AcceptResult:
    invitation_id: str
    workload_id: str
    workload_name: str
    shared_by: str
    outcome: Acceptance
    reason: str = ""


def _accept(invitations: Invitations, invitation: Invitation) -> AcceptResult:
    try:
        invitations.accept(invitation)
    except AwsError as error:
        return _result(invitation, Acceptance.FAILED, str(error))
    return _result(invitation, Acceptance.ACCEPTED)


def _result(invitation: Invitation, outcome: Acceptance, reason: str = "") -> AcceptResult:
    return AcceptResult(
        invitation.invitation_id,
        invitation.workload_id,
        invitation.workload_name,
        invitation.shared_by,
        outcome,
        reason,
    )


def accept_for_workload(invitations: Invitations, *, workload_id: str, owner: str) -> AcceptResult:
    """Accept the invitation of one workload just shared by `owner` (who is in the organization)."""
    for invitation in invitations.pending():
        if invitation.workload_id == workload_id and invitation.shared_by == owner:
            return _accept(invitations, invitation)
    return AcceptResult("", workload_id, "", owner, Acceptance.NOT_FOUND, "no pending invitation visible yet")


def accept_pending(invitations: Invitations, *, in_organization: Callable[[str], bool]) -> list[AcceptResult]:
    """Accept every pending invitation from the organization; report the others untouched."""
    results = []
    for invitation in invitations.pending():
        if in_organization(invitation.shared_by):
            results.append(_accept(invitations, invitation))
        else:
            reason = f"shared by {invitation.shared_by}, which is not an account of the organization"
            results.append(_result(invitation, Acceptance.OUTSIDER, reason))
    return results


def organization_membership(sessions: Sessions, region: str) -> Callable[[str], bool]:
    organizations = sessions.central.organizations(region)

    @cache
    def in_organization(account_id: str) -> bool:
        return is_member(organizations, account_id)

    return in_organization


def accept_pending_invitations(
    account_id: str, regions: Sequence[str], settings: SharingSettings, sessions: Sessions
) -> list[AcceptResult]:
    """Accept pending invitations in every given region of one reviews account (needs the acceptor role)."""
    if settings.acceptor_role_name is None or account_id not in settings.reviews_account_ids:
        return []
    session = sessions.member(account_id, settings.acceptor_role_name)
    in_organization = organization_membership(sessions, settings.home_region)
    results: list[AcceptResult] = []
    for region in regions:
        invitations = Invitations(session.wellarchitected(region), account_id=account_id, region=region)
        results.extend(accept_pending(invitations, in_organization=in_organization))
    return results
