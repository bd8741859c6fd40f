"""The reviews team's own stack, for the tests that need invitations accepted by the acceptor role, and the
central stack deployed with acceptance and announcements granted but switched off until a test turns them on."""

from __future__ import annotations

from tests.support.fixtures import REGIONS
from wa_share_sandbox.deployment import Deployment, deploy
from wa_share_sandbox.iam_trust import install_trust_checks
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


# Announcements and acceptance deployed with the central stack, so their grants are in the roles (the sandbox
# enforces identity policies); each test turns on in the environment only what it exercises.
FEATURES = {"Announcements": "true", "AcceptorRoleName": "wa-share-acceptor"}
FEATURES_OFF = {"ACCEPTOR_ROLE_NAME": "", "ANNOUNCE_TOPIC_ARN": "", "ANNOUNCE_BUS_NAME": ""}


def deploy_with_features(org: SimulatedOrganization) -> Deployment:
    deployed = deploy(org, REGIONS, overrides=FEATURES)
    install_trust_checks()
    deployed.function_env |= FEATURES_OFF
    return deployed


def turn_acceptance_on(org: SimulatedOrganization, deployment: Deployment) -> None:
    """member_stackset/reviews.yaml in the reviews account, and the central stack's AcceptorRoleName."""
    deploy_acceptor(org)
    deployment.function_env["ACCEPTOR_ROLE_NAME"] = "wa-share-acceptor"
