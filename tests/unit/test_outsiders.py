"""Who is outside the organization: accounts, IAM principals, organizations and OUs, judged against a fake
organization; trusted principals (reviews, allow-list) cost no call; the organization is listed once."""

from __future__ import annotations

from typing import Any

import pytest

from wa_share.aws.wellarchitected import Share
from wa_share.rules.outsiders import REFRESH_SECONDS, OrganizationView, Outsiders
from wa_share.settings import ShareFunctionSettings

ORG, ROOT = "o-abcdefghij", "r-ab12"
MEMBER, REVIEWS, PARTNER, STRANGER = "111111111111", "222222222222", "333333333333", "999999999999"


class FakeOrganizations:
    """What OrganizationView calls: ListAccounts (paged) and ListRoots, counted."""

    def __init__(self, accounts: list[str]) -> None:
        self.accounts = accounts
        self.calls: list[str] = []

    def get_paginator(self, name: str) -> Any:
        assert name == "list_accounts"
        outer = self

        class Pages:
            def paginate(self) -> list[dict[str, Any]]:
                outer.calls.append("ListAccounts")
                return [{"Accounts": [{"Id": account} for account in outer.accounts]}]

        return Pages()

    def list_roots(self) -> dict[str, Any]:
        self.calls.append("ListRoots")
        return {"Roots": [{"Id": ROOT}]}


def outsiders(organizations: FakeOrganizations, clock: list[float] | None = None) -> Outsiders:
    settings = ShareFunctionSettings.from_env(
        {
            "AWS_REGION": "us-east-1",
            "REVIEWS_ACCOUNT_IDS": REVIEWS,
            "ORGANIZATION_ID": ORG,
            "SHARE_ALLOW_LIST": f"{PARTNER},o-partnerorg1",
            "FAILURE_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/failures",
            "SHARE_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/shares",
        }
    )
    now = clock or [0.0]
    return Outsiders(settings, OrganizationView(organizations, clock=lambda: now[0]))  # type: ignore[arg-type]


INSIDE = [
    MEMBER,
    f"arn:aws:iam::{MEMBER}:role/architects",
    f"arn:aws:iam::{MEMBER}:root",
    ORG,
    "ou-ab12-abcdefgh",
    REVIEWS,  # not a member of the organization here: a reviews account may live elsewhere
    f"arn:aws:iam::{REVIEWS}:user/reviewer",
    PARTNER,
    f"arn:aws:iam::{PARTNER}:role/consultant",
    "o-partnerorg1",
]
OUTSIDE = {
    STRANGER: "an account that is not a member",
    f"arn:aws:iam::{STRANGER}:user/x": f"an IAM principal of account {STRANGER}",
    "o-zzzzzzzzzz": "another organization",
    "ou-zz99-abcdefgh": "an OU of another organization",
    "someone@example.com": "a principal wa-share does not recognise",
}


@pytest.mark.parametrize("principal", INSIDE)
def test_inside_trusted_and_allowed_principals_are_not_outside(principal: str) -> None:
    assert outsiders(FakeOrganizations([MEMBER])).reason(principal) is None


@pytest.mark.parametrize("principal", OUTSIDE)
def test_outside_principals_say_why(principal: str) -> None:
    reason = outsiders(FakeOrganizations([MEMBER])).reason(principal)
    assert reason is not None
    assert reason.startswith(OUTSIDE[principal])


def test_trusted_principals_cost_no_call_and_the_organization_is_listed_once() -> None:
    organizations = FakeOrganizations([MEMBER])
    judge = outsiders(organizations)
    for principal in (REVIEWS, PARTNER, ORG, "o-zzzzzzzzzz"):
        judge.reason(principal)
    assert organizations.calls == []
    for principal in (MEMBER, STRANGER, MEMBER, "999999999998", "ou-ab12-abcdefgh", "ou-zz99-abcdefgh"):
        judge.reason(principal)
    assert organizations.calls == ["ListAccounts", "ListRoots"]


def test_an_unknown_account_is_listed_again_once_the_list_is_old() -> None:
    organizations, clock = FakeOrganizations([MEMBER]), [0.0]
    judge = outsiders(organizations, clock)
    assert judge.reason(STRANGER) is not None
    organizations.accounts.append(STRANGER)  # it joins the organization
    clock[0] = REFRESH_SECONDS + 1
    assert judge.reason(STRANGER) is None
    assert organizations.calls == ["ListAccounts", "ListAccounts"]


def test_only_live_listed_shares_are_outside() -> None:
    judge = outsiders(FakeOrganizations([MEMBER]))
    shares = [
        Share("a" * 32, STRANGER, "READONLY", "PENDING"),
        Share("b" * 32, STRANGER, "READONLY", "REVOKED"),
        Share("c" * 32, MEMBER, "READONLY", "ACCEPTED"),
    ]
    [found] = judge.among(MEMBER, "us-east-1", "f" * 32, shares)
    assert (found.share_id, found.shared_with, found.status, found.shared_by) == (
        "a" * 32,
        STRANGER,
        "PENDING",
        "listed",
    )
