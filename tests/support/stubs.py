"""AWS without moto, for unit tests: botocore's own clients with a Stubber (every request checked against the
service's published model, every answer scripted, any call not scripted an error), handed out per account
and region by a stand-in for `Sessions` that records which roles were assumed.

Only botocore runs here: no simulator is loaded, so a unit test stays a unit test (tests/unit/test_layout.py).
"""

from __future__ import annotations

import hashlib
from typing import Any, cast

from botocore.session import Session
from botocore.stub import Stubber

from wa_share.aws.access import ErrorKind, MemberRoleUnavailable, Sessions
from wa_share.aws.wellarchitected import PAGE_SIZE

_SESSION = Session()  # one session: each service model is loaded once per test run
INVITATIONS_LISTING = {"ShareResourceType": "WORKLOAD", "MaxResults": PAGE_SIZE}  # what ListShareInvitations is sent


def botocore_client(service: str, region: str = "us-east-1") -> Any:
    """A real botocore client that never reaches AWS unless a test forgets to stub it (fake keys)."""
    return _SESSION.create_client(
        service, region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing"
    )


def wa_id(label: str) -> str:
    """A Well-Architected ID (32 lowercase hex digits, as workloads and invitations have), named by `label`."""
    return hashlib.md5(label.encode(), usedforsecurity=False).hexdigest()


def invitation_summary(
    invitation_id: str, workload_id: str, *, shared_by: str, shared_with: str, name: str = "checkout"
) -> dict[str, str]:
    """A workload invitation as its recipient lists it (ListShareInvitations)."""
    return {
        "ShareInvitationId": invitation_id,
        "SharedBy": shared_by,
        "SharedWith": shared_with,
        "PermissionType": "READONLY",
        "ShareResourceType": "WORKLOAD",
        "WorkloadName": name,
        "WorkloadId": workload_id,
    }


def invitations_page(*summaries: dict[str, str], next_token: str | None = None) -> dict[str, Any]:
    return {"ShareInvitationSummaries": list(summaries)} | ({"NextToken": next_token} if next_token else {})


class StubAccount:
    """What the domain uses of an AccountSession: a client per service and region, each behind a Stubber."""

    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        self._clients: dict[tuple[str, str], Any] = {}
        self._stubbers: dict[tuple[str, str], Stubber] = {}
        self.requests: list[tuple[str, dict[str, Any]]] = []  # (operation, parameters), in the order made

    def client(self, service: str, region: str) -> Any:
        self.stub(service, region)
        return self._clients[(service, region)]

    def stub(self, service: str, region: str = "us-east-1") -> Stubber:
        """The Stubber of this account's client for `service` in `region`, activated on first use."""
        key = (service, region)
        if key not in self._stubbers:
            self._clients[key] = botocore_client(service, region)
            self._clients[key].meta.events.register("provide-client-params", self._record)
            self._stubbers[key] = Stubber(self._clients[key])
            self._stubbers[key].activate()
        return self._stubbers[key]

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.requests.append((str(model.name), dict(params)))

    def operations(self) -> list[str]:
        return [operation for operation, _ in self.requests]

    def wellarchitected(self, region: str) -> Any:
        return self.client("wellarchitected", region)

    def sns(self, region: str) -> Any:
        return self.client("sns", region)

    def events(self, region: str) -> Any:
        return self.client("events", region)

    def organizations(self, region: str) -> Any:
        return self.client("organizations", region)

    def assert_no_pending_responses(self) -> None:
        for stubber in self._stubbers.values():
            stubber.assert_no_pending_responses()


class StubSessions:
    """Sessions' surface: `central`, and `member(account, role)`, which a role listed as missing refuses as
    AWS would (AccessDenied on AssumeRole, raised as MemberRoleUnavailable)."""

    def __init__(self, *, home_region: str = "us-east-1", missing_roles: frozenset[tuple[str, str]] = frozenset()):
        self.home_region = home_region
        self.central = StubAccount("self")
        self.assumed: list[tuple[str, str | None]] = []
        self._members: dict[tuple[str, str | None], StubAccount] = {}
        self._missing_roles = missing_roles

    def member(self, account_id: str, role_name: str | None = None, *, scope: Any = None) -> StubAccount:
        del scope  # a session policy narrows what AWS allows; the stub allows what is scripted
        self.assumed.append((account_id, role_name))
        if role_name is not None and (account_id, role_name) in self._missing_roles:
            raise MemberRoleUnavailable(
                kind=ErrorKind.PERMANENT,
                code="AccessDenied",
                operation="sts:AssumeRole",
                resource=f"role arn:aws:iam::{account_id}:role/{role_name} in account {account_id}",
                message="the role is missing or does not trust this function's role",
            )
        return self.account(account_id, role_name)

    def account(self, account_id: str, role_name: str | None = None) -> StubAccount:
        """The session `member` hands out for this account and role, to script its answers beforehand."""
        return self._members.setdefault((account_id, role_name), StubAccount(account_id))

    def as_sessions(self) -> Sessions:
        return cast("Sessions", self)

    def assert_no_pending_responses(self) -> None:
        for account in [self.central, *self._members.values()]:
            account.assert_no_pending_responses()
