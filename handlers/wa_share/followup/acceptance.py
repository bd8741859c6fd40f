"""Accepting share invitations in the reviews accounts, so that a share is done, not half done.

A share to an account stays PENDING until that account accepts it, and expires after 7 days. With the
optional acceptor role in a reviews account, wa-share accepts the invitations it caused: right after
creating a share (matched by workload ID and owner, never by share ID: the owner's ShareId and the
recipient's ShareInvitationId are not documented to be equal), and in the sweep for any invitation still
pending from an account of the organization. An invitation from outside the organization is never
accepted, only reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from wa_share.aws.access import AwsError
from wa_share.aws.wellarchitected import Invitation, Invitations


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
