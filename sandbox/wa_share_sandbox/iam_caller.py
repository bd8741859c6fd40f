"""Who makes a request the simulator serves: the caller's role (or root) and account, and the organization an
account belongs to. Trust policies (iam_trust.py), bus policies (bus_policy.py) and the condition keys of
identity policies (iam_context.py) all judge the caller by these."""

from __future__ import annotations

from typing import Any

from moto.organizations.models import organizations_backends
from moto.sts.models import sts_backends


def caller_of(response: Any) -> tuple[str, str]:
    """(role or root ARN, account) of the request a moto response handler is serving."""
    account = response.get_current_account()
    key = response.get_access_key()
    for partition_backend in sts_backends[account].values():
        assumed = partition_backend.get_assumed_role_from_access_key(key)
        if assumed is not None:
            return str(assumed.role_arn), account
    return f"arn:aws:iam::{account}:root", account


def org_of(account: str) -> str | None:
    master, partition = organizations_backends.master_accounts.get(account, (account, "aws"))
    org = organizations_backends[master][partition].org
    return None if org is None else str(org.id)
