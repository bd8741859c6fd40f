"""The sweep's half of acceptance: in a reviews account, accept what is still pending from the organization.

Membership is checked per inviting account with organizations:DescribeAccount (the automation account is
a delegated administrator), once per account per sweep: an inviter outside the organization is reported
and its invitation left alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

from wa_share.aws.access import AwsError, ErrorKind, Sessions, aws_call
from wa_share.aws.wellarchitected import Invitations
from wa_share.followup.acceptance import AcceptResult, accept_pending
from wa_share.settings import SharingSettings


def organization_membership(sessions: Sessions, region: str) -> Callable[[str], bool]:
    organizations = sessions.central.organizations(region)

    @cache
    def in_organization(account_id: str) -> bool:
        try:
            with aws_call("organizations:DescribeAccount", f"account {account_id}"):
                organizations.describe_account(AccountId=account_id)
        except AwsError as error:
            if error.kind is ErrorKind.NOT_FOUND or error.code == "AccountNotFoundException":
                return False
            raise
        return True

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
