from __future__ import annotations

import pytest

from wa_share.aws.wellarchitected import Share
from wa_share.domain import NOT_LIVE_STATUSES, DriftPolicy
from wa_share.rules.share_rows import delete_token, next_token, share_token
from wa_share.rules.sharing import Outcome, SharePolicy, decide

OWNER, REVIEWS, OTHER = "444455556666", "111122223333", "777788889999"
REPORT = SharePolicy("READONLY", DriftPolicy.REPORT, NOT_LIVE_STATUSES)
ENFORCE = SharePolicy("READONLY", DriftPolicy.ENFORCE, NOT_LIVE_STATUSES)
NO_RESHARE = SharePolicy("READONLY", DriftPolicy.REPORT, frozenset())


def share(status: str, permission: str = "READONLY", principal: str = REVIEWS, share_id: str = "a" * 32) -> Share:
    return Share(share_id, principal, permission, status)


def test_no_share_means_create() -> None:
    assert decide(OWNER, REVIEWS, [], REPORT).outcome is Outcome.CREATED


def test_a_share_to_someone_else_does_not_count() -> None:
    assert decide(OWNER, REVIEWS, [share("ACCEPTED", principal=OTHER)], REPORT).outcome is Outcome.CREATED


def test_the_owner_is_never_shared_with() -> None:
    assert decide(OWNER, OWNER, [], REPORT).outcome is Outcome.SKIPPED_OWNER


@pytest.mark.parametrize("status", ["PENDING", "ACCEPTED", "ASSOCIATING", "ASSOCIATED"])
def test_a_live_share_with_the_right_permission_is_enough(status: str) -> None:
    assert decide(OWNER, REVIEWS, [share(status)], REPORT).outcome is Outcome.ALREADY_SHARED


@pytest.mark.parametrize("status", sorted(NOT_LIVE_STATUSES))
def test_a_dead_share_is_shared_again_when_the_policy_says_so(status: str) -> None:
    assert decide(OWNER, REVIEWS, [share(status)], REPORT).outcome is Outcome.RESHARED
    reported = decide(OWNER, REVIEWS, [share(status)], NO_RESHARE)
    assert reported.outcome is Outcome.NOT_LIVE_REPORTED
    assert status in reported.reason


def test_reshare_only_when_every_dead_status_is_listed() -> None:
    expired_only = SharePolicy("READONLY", DriftPolicy.REPORT, frozenset({"EXPIRED"}))
    shares = [share("EXPIRED", share_id="a" * 32), share("REJECTED", share_id="b" * 32)]
    assert decide(OWNER, REVIEWS, shares, expired_only).outcome is Outcome.NOT_LIVE_REPORTED
    assert decide(OWNER, REVIEWS, shares[:1], expired_only).outcome is Outcome.RESHARED


def test_permission_drift_reported_or_enforced() -> None:
    drifted = [share("ACCEPTED", permission="CONTRIBUTOR", share_id="c" * 32)]
    reported = decide(OWNER, REVIEWS, drifted, REPORT)
    assert reported.outcome is Outcome.DRIFT_REPORTED
    enforced = decide(OWNER, REVIEWS, drifted, ENFORCE)
    assert (enforced.outcome, enforced.share_id) == (Outcome.UPDATED, "c" * 32)


def test_a_live_right_share_beside_a_drifted_one_is_enough() -> None:
    shares = [share("ACCEPTED", "CONTRIBUTOR", share_id="c" * 32), share("PENDING", share_id="d" * 32)]
    assert decide(OWNER, REVIEWS, shares, ENFORCE).outcome is Outcome.ALREADY_SHARED


def test_share_tokens_are_stable_per_attempt_and_change_with_history_and_epoch() -> None:
    first = share_token("w" * 32, REVIEWS, "READONLY", "event-1", [])
    assert first == share_token("w" * 32, REVIEWS, "READONLY", "event-1", [])
    assert first != share_token("w" * 32, OTHER, "READONLY", "event-1", [])
    assert first != share_token("w" * 32, REVIEWS, "CONTRIBUTOR", "event-1", [])
    # a deleted share leaves no row: only the epoch (tonight's sweep) tells the new attempt from the old one
    assert first != share_token("w" * 32, REVIEWS, "READONLY", "sweep-2", [])
    after_expiry = share_token("w" * 32, REVIEWS, "READONLY", "event-1", [share("EXPIRED")])
    assert after_expiry != first
    order = [share("EXPIRED", share_id="a" * 32), share("REVOKED", share_id="b" * 32)]
    assert share_token("w" * 32, REVIEWS, "READONLY", "e", order) == share_token(
        "w" * 32, REVIEWS, "READONLY", "e", list(reversed(order))
    )


def test_a_stale_answer_moves_on_to_a_token_of_its_own() -> None:
    first = share_token("w" * 32, REVIEWS, "READONLY", "e", [])
    second = next_token(first, "a" * 32)
    assert second not in (first, next_token(first, "b" * 32), next_token(second, "a" * 32))
    assert second == next_token(first, "a" * 32)  # racing deliveries follow the same chain
    assert delete_token("a" * 32) not in (first, second)
    assert delete_token("a" * 32) != delete_token("b" * 32)
