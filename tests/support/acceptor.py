"""The reviews team's own stack, for the tests that need invitations accepted by the acceptor role."""

from __future__ import annotations

from wa_share_sandbox.member_stacks import create_member_stack
from wa_share_sandbox.organization import HOME_REGION, SimulatedOrganization


def deploy_acceptor(org: SimulatedOrganization, role_name: str = "wa-share-acceptor") -> None:
    """member_stackset/reviews.yaml in the reviews account, as its owners would deploy it."""
    create_member_stack(
        org,
        org.reviews,
        HOME_REGION,
        name="wa-share-acceptor",
        file="reviews.yaml",
        parameters={"CentralAccountId": org.automation, "OrganizationId": org.org_id, "AcceptorRoleName": role_name},
    )
