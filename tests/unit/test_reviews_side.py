"""The reviews side without AWS: which workloads count as known live, and which nights list every share."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from wa_share.settings import PlannerSettings
from wa_share.sweep.reviews_side import ReviewsSide, slices_wanted

OWNER, REVIEWS_A, REVIEWS_B = "111111111111", "222222222222", "333333333333"
ENV = {
    "AWS_REGION": "us-east-1",
    "REVIEWS_ACCOUNT_IDS": f"{REVIEWS_A},{REVIEWS_B}",
    "SWEEP_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/wa-share-sweep",
}
WEDNESDAY, SUNDAY = datetime(2026, 1, 7, 3, tzinfo=UTC), datetime(2026, 1, 4, 3, tzinfo=UTC)


def test_known_live_means_live_with_every_reviews_account_and_unread_pairs_fall_back() -> None:
    side = ReviewsSide(
        {
            (REVIEWS_A, "us-east-1"): {OWNER: frozenset({"a" * 32, "b" * 32})},
            (REVIEWS_B, "us-east-1"): {OWNER: frozenset({"b" * 32}), REVIEWS_A: frozenset({"c" * 32})},
            (REVIEWS_A, "eu-west-1"): {OWNER: frozenset({"d" * 32})},  # REVIEWS_B's eu-west-1 unread
        }
    )
    principals = (REVIEWS_A, REVIEWS_B)
    assert side.slice_for(OWNER, ("us-east-1", "eu-west-1"), principals) == {"us-east-1": frozenset({"b" * 32})}
    # A reviews account's own workloads need a live share to the other reviews accounts only.
    assert side.slice_for(REVIEWS_A, ("us-east-1",), principals) == {"us-east-1": frozenset({"c" * 32})}
    # The only reviews account sweeping itself: nothing to know (its workloads are skipped as its own).
    assert side.slice_for(REVIEWS_A, ("us-east-1",), (REVIEWS_A,)) == {}


@pytest.mark.parametrize(
    ("variables", "when", "wanted"),
    [
        ({}, WEDNESDAY, True),
        ({}, SUNDAY, False),  # FULL_SWEEP_DAY defaults to SUN
        ({"FULL_SWEEP_DAY": "WED"}, WEDNESDAY, False),
        ({"FULL_SWEEP_DAY": "DAILY"}, WEDNESDAY, False),
        ({"PERMISSION_DRIFT_POLICY": "enforce"}, WEDNESDAY, False),
        ({"SHARE_WITH": "o-abcdefghij"}, WEDNESDAY, False),
        ({"WA_REGIONS": "auto"}, WEDNESDAY, False),
    ],
)
def test_slices_only_when_nothing_needs_every_shares_permission(
    variables: dict[str, str], when: datetime, wanted: bool
) -> None:
    assert slices_wanted(PlannerSettings.from_env(ENV | variables), when) is wanted


def test_a_bad_full_sweep_day_is_an_error_naming_the_variable() -> None:
    with pytest.raises(ValueError, match="FULL_SWEEP_DAY"):
        PlannerSettings.from_env(ENV | {"FULL_SWEEP_DAY": "someday"})
