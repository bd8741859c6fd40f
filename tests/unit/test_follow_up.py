"""What follows a share, without moto: the invitation accepted by the acceptor role in the reviews account,
then one announcement per new share; neither ever fails or undoes the share (followup.follow_up).

AWS is botocore behind a Stubber (tests/support/stubs.py): every request is checked against the service
model, every answer is scripted, and a call nobody scripted fails the test.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.environments import MINIMAL
from tests.support.stubs import (
    INVITATIONS_LISTING,
    StubAccount,
    StubSessions,
    invitation_summary,
    invitations_page,
    wa_id,
)
from wa_share.aws.wellarchitected import WellArchitected
from wa_share.followup.acceptance import Acceptance, AcceptResult
from wa_share.followup.after_share import follow_up
from wa_share.observability import Metric, metrics
from wa_share.rules.sharing import Outcome, ShareResult
from wa_share.runtime.deadline import Deadline
from wa_share.settings import ShareFunctionSettings

OWNER = "444455556666"
REVIEWS = "111122223333"  # the minimal environment's reviews account
SECOND_REVIEWS = "222233334444"
REGION = "eu-west-1"
WORKLOAD = "8cdcdf7add10b181fdd3f686dacffdac"
ACCEPTOR = "wa-share-acceptor"
TOPIC = "arn:aws:sns:us-east-1:123456789012:wa-share-new-shares"
BUS = "wa-share-central"
ANNOUNCEMENTS_ON = {"ANNOUNCE_TOPIC_ARN": TOPIC, "ANNOUNCE_BUS_NAME": BUS}
ACCEPTANCE_ON = {"ACCEPTOR_ROLE_NAME": ACCEPTOR}
EVERYTHING_ON = ACCEPTANCE_ON | ANNOUNCEMENTS_ON


def settings(**environment: str) -> ShareFunctionSettings:
    return ShareFunctionSettings.from_env(MINIMAL[ShareFunctionSettings] | environment)


def created(principal: str = REVIEWS, **changes: Any) -> ShareResult:
    return ShareResult(WORKLOAD, principal, changes.pop("outcome", Outcome.CREATED), share_id="share-1", **changes)


def invitation(invitation_id: str, *, shared_by: str = OWNER, workload_id: str = WORKLOAD) -> dict[str, str]:
    return invitation_summary(invitation_id, workload_id, shared_by=shared_by, shared_with=REVIEWS)


def script_invitations(acceptor: StubAccount, *summaries: dict[str, str]) -> None:
    acceptor.stub("wellarchitected", REGION).add_response(
        "list_share_invitations", invitations_page(*summaries), INVITATIONS_LISTING
    )


def script_acceptance(acceptor: StubAccount, invitation_id: str) -> None:
    accept = {"ShareInvitationId": invitation_id, "ShareInvitationAction": "ACCEPT"}
    acceptor.stub("wellarchitected", REGION).add_response("update_share_invitation", {}, accept)


def script_announcements(sessions: StubSessions, count: int = 1) -> None:
    for _ in range(count):
        sessions.central.stub("sns").add_response("publish", {"MessageId": "m-1"})
        sessions.central.stub("events").add_response("put_events", {"FailedEntryCount": 0, "Entries": [{}]})


def owner_view(owner: StubAccount) -> WellArchitected:
    return WellArchitected(owner.wellarchitected(REGION), account_id=OWNER, region=REGION)


def follow(
    sessions: StubSessions,
    owner: StubAccount,
    *results: ShareResult,
    found_by: str = "realtime",
    environment: dict[str, str] = EVERYTHING_ON,
    **options: Any,
) -> list[AcceptResult]:
    """follow_up of `results` (one share to the reviews account by default) of a workload of `owner`."""
    return follow_up(
        list(results) or [created()],
        owner_view(owner),
        found_by=found_by,
        settings=settings(**environment),
        sessions=sessions.as_sessions(),
        **options,
    )


def announced(sessions: StubSessions) -> list[dict[str, Any]]:
    """Each announcement's detail, checked to be the same on the topic and on the bus."""
    published = [params for operation, params in sessions.central.requests if operation == "Publish"]
    put = [params["Entries"][0] for operation, params in sessions.central.requests if operation == "PutEvents"]
    assert [json.loads(entry["Detail"]) for entry in put] == [json.loads(item["Message"]) for item in published]
    assert all((entry["Source"], entry["EventBusName"]) == ("wa-share", BUS) for entry in put)
    return [json.loads(item["Message"]) for item in published]


def counted(name: str) -> list[float]:
    return list(metrics.metric_set.get(name, {}).get("Value", []))


def test_a_new_share_is_accepted_then_announced_once_with_the_name_the_invitation_carries() -> None:
    sessions, owner = StubSessions(), StubAccount(OWNER)
    acceptor = sessions.account(REVIEWS, ACCEPTOR)
    script_invitations(acceptor, invitation(wa_id("other"), workload_id="f" * 32), invitation(wa_id("mine")))
    script_acceptance(acceptor, wa_id("mine"))
    script_announcements(sessions)
    results = follow(sessions, owner)
    assert results == [AcceptResult(wa_id("mine"), WORKLOAD, "checkout", OWNER, Acceptance.ACCEPTED)]
    assert sessions.assumed == [(REVIEWS, ACCEPTOR)]
    assert owner.requests == []  # the name came with the invitation: no GetWorkload
    assert announced(sessions) == [
        {
            "account_id": OWNER,
            "region": REGION,
            "workload_id": WORKLOAD,
            "workload_name": "checkout",
            "shared_with": REVIEWS,
            "permission": "READONLY",
            "share_id": "share-1",
            "found_by": "realtime",
            "accepted": True,
        }
    ]
    assert counted("InvitationsAccepted") == [1]
    sessions.assert_no_pending_responses()


def test_an_invitation_not_visible_yet_stays_pending_for_the_sweep_and_the_share_is_announced_unaccepted() -> None:
    sessions, owner = StubSessions(), StubAccount(OWNER)
    script_invitations(sessions.account(REVIEWS, ACCEPTOR), invitation(wa_id("theirs"), shared_by="999988887777"))
    owner.stub("wellarchitected", REGION).add_response(
        "get_workload", {"Workload": {"WorkloadId": WORKLOAD, "WorkloadName": "checkout"}}, {"WorkloadId": WORKLOAD}
    )
    script_announcements(sessions)
    [result] = follow(sessions, owner, found_by="sweep")
    assert (result.outcome, result.reason) == (Acceptance.NOT_FOUND, "no pending invitation visible yet")
    [announcement] = announced(sessions)
    assert (announcement["workload_name"], announcement["accepted"], announcement["found_by"]) == (
        "checkout",
        False,
        "sweep",
    )
    assert counted("AcceptanceFailed") == [1]
    sessions.assert_no_pending_responses()


def test_a_missing_acceptor_role_fails_the_acceptance_with_its_reason_never_the_share() -> None:
    sessions = StubSessions(missing_roles=frozenset({(REVIEWS, ACCEPTOR)}))
    [result] = follow(sessions, StubAccount(OWNER), environment=ACCEPTANCE_ON)
    assert result.outcome is Acceptance.FAILED
    assert "sts:AssumeRole" in result.reason
    assert "AccessDenied" in result.reason
    assert counted("AcceptanceFailed") == [1]


def test_an_acceptance_aws_refuses_is_reported_with_the_error_code() -> None:
    sessions = StubSessions()
    acceptor = sessions.account(REVIEWS, ACCEPTOR)
    script_invitations(acceptor, invitation(wa_id("mine")))
    acceptor.stub("wellarchitected", REGION).add_client_error(
        "update_share_invitation", service_error_code="AccessDeniedException", http_status_code=403
    )
    [result] = follow(sessions, StubAccount(OWNER), environment=ACCEPTANCE_ON)
    assert (result.invitation_id, result.outcome) == (wa_id("mine"), Acceptance.FAILED)
    assert "wellarchitected:UpdateShareInvitation" in result.reason
    assert "AccessDeniedException" in result.reason
    assert counted("InvitationsAccepted") == []
    assert counted("AcceptanceFailed") == [1]
    sessions.assert_no_pending_responses()


@pytest.mark.parametrize(
    "result",
    [
        created(outcome=Outcome.ALREADY_SHARED),
        created(outcome=Outcome.UPDATED),  # a permission changed: no new invitation, nothing new to announce
        created(outcome=Outcome.DRIFT_REPORTED),
        created(outcome=Outcome.SKIPPED_OWNER),
        created(dry_run=True),
    ],
    ids=["already-shared", "updated", "drift-reported", "skipped-owner", "dry-run"],
)
def test_only_a_share_made_now_is_followed_up(result: ShareResult) -> None:
    sessions, owner = StubSessions(), StubAccount(OWNER)
    follow(sessions, owner, result, found_by="sweep")
    assert (sessions.assumed, sessions.central.requests, owner.requests) == ([], [], [])


def test_a_share_with_an_organizational_unit_is_announced_but_has_no_invitation_to_accept() -> None:
    sessions, owner = StubSessions(), StubAccount(OWNER)
    script_announcements(sessions)
    # The name was read by the caller already: not read again.
    results = follow(sessions, owner, created("ou-abcd-12345678"), workload_name="checkout")
    assert results == []
    assert sessions.assumed == []
    assert owner.requests == []
    [announcement] = announced(sessions)
    assert (announcement["shared_with"], announcement["accepted"]) == ("ou-abcd-12345678", False)


def test_without_acceptor_role_or_announcement_targets_nothing_is_called() -> None:
    sessions, owner = StubSessions(), StubAccount(OWNER)
    assert follow(sessions, owner, environment={}) == []
    assert (sessions.assumed, sessions.central.requests, owner.requests) == ([], [], [])


def test_announce_false_accepts_and_announces_nothing() -> None:
    sessions = StubSessions()
    acceptor = sessions.account(REVIEWS, ACCEPTOR)
    script_invitations(acceptor, invitation(wa_id("mine")))
    script_acceptance(acceptor, wa_id("mine"))
    [result] = follow(sessions, StubAccount(OWNER), found_by="replay", announce=False)
    assert result.outcome is Acceptance.ACCEPTED
    assert sessions.central.requests == []
    sessions.assert_no_pending_responses()


def test_too_little_time_left_skips_acceptance_and_announcement_and_counts_both() -> None:
    sessions, owner = StubSessions(), StubAccount(OWNER)
    almost_over = Deadline(remaining_ms=lambda: 1_000)
    [result] = follow(sessions, owner, found_by="sweep", deadline=almost_over)
    assert (result.outcome, result.reason) == (Acceptance.FAILED, "too little time left in this invocation")
    assert (sessions.assumed, sessions.central.requests, owner.requests) == ([], [], [])
    assert counted("AcceptanceFailed") == [1]
    assert counted("AnnouncementsFailed") == [1]


def test_a_name_that_cannot_be_read_is_announced_empty_and_counted() -> None:
    sessions, owner = StubSessions(), StubAccount(OWNER)
    owner.stub("wellarchitected", REGION).add_client_error(
        "get_workload", service_error_code="AccessDeniedException", http_status_code=403
    )
    script_announcements(sessions)
    follow(sessions, owner, environment=ANNOUNCEMENTS_ON)
    [announcement] = announced(sessions)
    assert announcement["workload_name"] == ""
    [subject] = [params["Subject"] for operation, params in sessions.central.requests if operation == "Publish"]
    assert WORKLOAD in subject  # the ID stands in for the name nobody could read
    assert counted(Metric.WORKLOAD_NAME_UNAVAILABLE) == [1]
    sessions.assert_no_pending_responses()


def test_a_failed_publish_is_counted_and_the_bus_still_hears_of_the_share() -> None:
    sessions = StubSessions()
    sessions.central.stub("sns").add_client_error("publish", service_error_code="AuthorizationError")
    sessions.central.stub("events").add_response("put_events", {"FailedEntryCount": 0, "Entries": [{}]})
    follow(
        sessions,
        StubAccount(OWNER),
        environment=ANNOUNCEMENTS_ON,
        workload_name="checkout",
    )
    assert sessions.central.operations() == ["Publish", "PutEvents"]
    assert counted("AnnouncementsFailed") == [1]
    sessions.assert_no_pending_responses()


def test_two_reviews_accounts_each_accept_their_own_invitation_and_each_share_is_announced() -> None:
    sessions, owner = StubSessions(), StubAccount(OWNER)
    first, second = sessions.account(REVIEWS, ACCEPTOR), sessions.account(SECOND_REVIEWS, ACCEPTOR)
    script_invitations(first, invitation(wa_id("first")))
    script_acceptance(first, wa_id("first"))
    script_invitations(second)  # not visible there yet
    owner.stub("wellarchitected", REGION)  # the name comes from the first invitation: no GetWorkload
    script_announcements(sessions, count=2)
    results = follow(sessions, owner, created(REVIEWS), created(SECOND_REVIEWS))
    assert [result.outcome for result in results] == [Acceptance.ACCEPTED, Acceptance.NOT_FOUND]
    assert sessions.assumed == [(REVIEWS, ACCEPTOR), (SECOND_REVIEWS, ACCEPTOR)]
    assert [(item["shared_with"], item["accepted"], item["workload_name"]) for item in announced(sessions)] == [
        (REVIEWS, True, "checkout"),
        (SECOND_REVIEWS, False, "checkout"),
    ]
    assert owner.requests == []
    sessions.assert_no_pending_responses()
