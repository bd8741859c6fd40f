"""Accepting invitations in a reviews account, without moto: right after a share (matched by workload and
owner), and in the sweep (every pending invitation from the organization; an outsider's only reported).

AWS is botocore behind a Stubber (tests/support/stubs.py): requests are checked against the service model,
answers scripted, and a call nobody scripted fails the test.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import UnStubbedResponseError

from tests.support.environments import MINIMAL
from tests.support.stubs import (
    INVITATIONS_LISTING,
    StubAccount,
    StubSessions,
    invitation_summary,
    invitations_page,
    wa_id,
)
from wa_share.aws.access import AwsError, ErrorKind
from wa_share.aws.wellarchitected import Invitations
from wa_share.followup.acceptance import Acceptance, accept_for_workload, accept_pending, accept_pending_invitations
from wa_share.settings import WorkerSettings

REVIEWS = "111122223333"  # the minimal environment's reviews account
OWNER = "444455556666"
OUTSIDER = "999988887777"
ACCEPTOR = "wa-share-acceptor"


def invitation(invitation_id: str, workload_id: str, *, shared_by: str = OWNER) -> dict[str, str]:
    return invitation_summary(invitation_id, workload_id, shared_by=shared_by, shared_with=REVIEWS)


def accepting(invitation_id: str) -> dict[str, str]:
    return {"ShareInvitationId": invitation_id, "ShareInvitationAction": "ACCEPT"}


@pytest.fixture
def reviews() -> StubAccount:
    return StubAccount(REVIEWS)


def invitations(account: StubAccount, region: str = "us-east-1") -> Invitations:
    return Invitations(account.wellarchitected(region), account_id=account.account_id, region=region)


def test_the_invitation_of_the_workload_just_shared_is_found_across_pages_and_accepted(reviews: StubAccount) -> None:
    stub = reviews.stub("wellarchitected")
    stub.add_response(
        "list_share_invitations",
        invitations_page(invitation(wa_id("i-other"), wa_id("w-other")), next_token="t1"),
        INVITATIONS_LISTING,
    )
    stub.add_response(
        "list_share_invitations", invitations_page(next_token="t2"), INVITATIONS_LISTING | {"NextToken": "t1"}
    )  # empty, more
    stub.add_response(
        "list_share_invitations",
        invitations_page(invitation(wa_id("i-mine"), wa_id("w-mine"))),
        INVITATIONS_LISTING | {"NextToken": "t2"},
    )
    stub.add_response("update_share_invitation", {}, accepting(wa_id("i-mine")))
    result = accept_for_workload(invitations(reviews), workload_id=wa_id("w-mine"), owner=OWNER)
    assert (result.invitation_id, result.workload_name, result.shared_by, result.outcome) == (
        wa_id("i-mine"),
        "checkout",
        OWNER,
        Acceptance.ACCEPTED,
    )
    stub.assert_no_pending_responses()


def test_the_same_workload_id_from_another_owner_is_not_this_share(reviews: StubAccount) -> None:
    reviews.stub("wellarchitected").add_response(
        "list_share_invitations",
        invitations_page(invitation(wa_id("i-theirs"), wa_id("w-1"), shared_by=OUTSIDER)),
        INVITATIONS_LISTING,
    )
    result = accept_for_workload(invitations(reviews), workload_id=wa_id("w-1"), owner=OWNER)
    assert (result.invitation_id, result.outcome) == ("", Acceptance.NOT_FOUND)
    assert reviews.operations() == ["ListShareInvitations"]  # nothing accepted


def test_pending_invitations_from_the_organization_are_accepted_an_outsiders_only_reported(
    reviews: StubAccount,
) -> None:
    stub = reviews.stub("wellarchitected")
    listed = invitations_page(
        invitation(wa_id("i-1"), wa_id("w-1")),
        invitation(wa_id("i-2"), wa_id("w-2"), shared_by=OUTSIDER),
        invitation(wa_id("i-3"), wa_id("w-3")),
    )
    stub.add_response("list_share_invitations", listed, INVITATIONS_LISTING)
    stub.add_client_error(
        "update_share_invitation", "ValidationException", "expired", expected_params=accepting(wa_id("i-1"))
    )
    stub.add_response("update_share_invitation", {}, accepting(wa_id("i-3")))
    results = accept_pending(invitations(reviews), in_organization=lambda account: account == OWNER)
    assert [(result.invitation_id, result.outcome) for result in results] == [
        (wa_id("i-1"), Acceptance.FAILED),  # one refusal does not stop the others
        (wa_id("i-2"), Acceptance.OUTSIDER),
        (wa_id("i-3"), Acceptance.ACCEPTED),
    ]
    assert "ValidationException" in results[0].reason
    assert results[1].reason == f"shared by {OUTSIDER}, which is not an account of the organization"
    stub.assert_no_pending_responses()


def test_a_listing_that_fails_raises_classified_so_the_sweep_retries_the_account(reviews: StubAccount) -> None:
    reviews.stub("wellarchitected").add_client_error(
        "list_share_invitations", "ThrottlingException", http_status_code=400
    )
    with pytest.raises(AwsError, match="wellarchitected:ListShareInvitations") as raised:
        accept_pending(invitations(reviews), in_organization=lambda _account: True)
    assert raised.value.kind is ErrorKind.RETRYABLE


def worker_settings(**environment: str) -> WorkerSettings:
    return WorkerSettings.from_env(MINIMAL[WorkerSettings] | environment)


def describe_account(sessions: StubSessions, account: str, *, error: str | None = None) -> None:
    stub = sessions.central.stub("organizations")
    if error:
        stub.add_client_error("describe_account", error, expected_params={"AccountId": account})
    else:
        stub.add_response("describe_account", {"Account": {"Id": account}}, {"AccountId": account})


def test_the_sweep_accepts_in_every_region_asking_once_per_inviter_whether_it_is_of_the_organization() -> None:
    sessions = StubSessions()
    acceptor = sessions.account(REVIEWS, ACCEPTOR)
    for region, invitation_id in (("us-east-1", wa_id("i-east")), ("eu-west-1", wa_id("i-west"))):
        stub = acceptor.stub("wellarchitected", region)
        stub.add_response(
            "list_share_invitations",
            invitations_page(invitation(invitation_id, wa_id(f"w-{region}"))),
            INVITATIONS_LISTING,
        )
        stub.add_response("update_share_invitation", {}, accepting(invitation_id))
    describe_account(sessions, OWNER)  # once, for both regions
    results = accept_pending_invitations(
        REVIEWS, ["us-east-1", "eu-west-1"], worker_settings(ACCEPTOR_ROLE_NAME=ACCEPTOR), sessions.as_sessions()
    )
    assert [(result.invitation_id, result.outcome) for result in results] == [
        (wa_id("i-east"), Acceptance.ACCEPTED),
        (wa_id("i-west"), Acceptance.ACCEPTED),
    ]
    assert sessions.assumed == [(REVIEWS, ACCEPTOR)]
    sessions.assert_no_pending_responses()


def test_an_inviter_organizations_does_not_know_is_an_outsider_and_left_alone() -> None:
    sessions = StubSessions()
    sessions.account(REVIEWS, ACCEPTOR).stub("wellarchitected").add_response(
        "list_share_invitations",
        invitations_page(invitation(wa_id("i-1"), wa_id("w-1"), shared_by=OUTSIDER)),
        INVITATIONS_LISTING,
    )
    describe_account(sessions, OUTSIDER, error="AccountNotFoundException")
    [result] = accept_pending_invitations(
        REVIEWS, ["us-east-1"], worker_settings(ACCEPTOR_ROLE_NAME=ACCEPTOR), sessions.as_sessions()
    )
    assert result.outcome is Acceptance.OUTSIDER
    sessions.assert_no_pending_responses()


def test_membership_that_cannot_be_read_raises_instead_of_calling_the_inviter_an_outsider() -> None:
    sessions = StubSessions()
    sessions.account(REVIEWS, ACCEPTOR).stub("wellarchitected").add_response(
        "list_share_invitations", invitations_page(invitation(wa_id("i-1"), wa_id("w-1"))), INVITATIONS_LISTING
    )
    describe_account(sessions, OWNER, error="AccessDeniedException")
    with pytest.raises(AwsError, match="organizations:DescribeAccount") as raised:
        accept_pending_invitations(
            REVIEWS, ["us-east-1"], worker_settings(ACCEPTOR_ROLE_NAME=ACCEPTOR), sessions.as_sessions()
        )
    assert raised.value.access_denied


@pytest.mark.parametrize(
    ("account", "environment"),
    [(REVIEWS, {}), (OWNER, {"ACCEPTOR_ROLE_NAME": ACCEPTOR})],
    ids=["no-acceptor-role", "not-a-reviews-account"],
)
def test_the_sweep_accepts_nothing_without_the_acceptor_role_or_outside_the_reviews_accounts(
    account: str, environment: dict[str, str]
) -> None:
    sessions = StubSessions()
    assert (
        accept_pending_invitations(account, ["us-east-1"], worker_settings(**environment), sessions.as_sessions()) == []
    )
    assert (sessions.assumed, sessions.central.requests) == ([], [])


def test_an_unscripted_call_fails_the_test_rather_than_reaching_aws() -> None:
    """The stub's own promise, which every test above relies on."""
    with pytest.raises(UnStubbedResponseError):
        StubAccount(REVIEWS).wellarchitected("us-east-1").list_share_invitations(ShareResourceType="WORKLOAD")
