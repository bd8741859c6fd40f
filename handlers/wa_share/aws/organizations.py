"""AWS Organizations, as this project uses it: the accounts listed, the root, one account's membership."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wa_share.aws.access import AwsError, ErrorKind, aws_call

if TYPE_CHECKING:
    from mypy_boto3_organizations import OrganizationsClient

ORGANIZATION = "organization"


def list_accounts(organizations: OrganizationsClient, *, page_size: int | None = None) -> list[dict[str, Any]]:
    """Every account of the organization, suspended ones too (boto3's paginator: pages can be empty while
    NextToken is set, and a token that comes back twice stops it)."""
    paginator = organizations.get_paginator("list_accounts")
    pages = paginator.paginate(PaginationConfig={"PageSize": page_size}) if page_size else paginator.paginate()
    with aws_call("organizations:ListAccounts", ORGANIZATION):
        return [dict(account) for page in pages for account in page.get("Accounts", [])]


def root_ids(organizations: OrganizationsClient) -> list[str]:
    with aws_call("organizations:ListRoots", ORGANIZATION):
        return [root["Id"] for root in organizations.list_roots()["Roots"]]


def is_member(organizations: OrganizationsClient, account_id: str) -> bool:
    """Whether the account belongs to the organization (one DescribeAccount: a delegated administrator may)."""
    try:
        with aws_call("organizations:DescribeAccount", f"account {account_id}"):
            organizations.describe_account(AccountId=account_id)
    except AwsError as error:
        if error.kind is ErrorKind.NOT_FOUND or error.code == "AccountNotFoundException":
            return False
        raise
    return True
