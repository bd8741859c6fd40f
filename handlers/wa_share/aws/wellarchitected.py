"""The Well-Architected Tool API, as this project uses it: typed, paged, errors classified.

boto3 has no paginators for `wellarchitected` (boto/boto3#3117): every list goes through `listed`, the
one pager here, which stops a runaway listing (a token that comes back, or too many pages).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from wa_share.aws.access import AwsError, ErrorKind, aws_call
from wa_share.domain import LIVE_STATUSES

if TYPE_CHECKING:
    from mypy_boto3_wellarchitected import WellArchitectedClient

PAGE_SIZE = 50  # the API's maximum for ListWorkloads, ListWorkloadShares and ListShareInvitations
# 500,000 items: more than any organization has (a reviews account lists the workloads and invitations
# of every account). A listing that cycles is stopped sooner, by its repeated token.
MAX_PAGES = 10_000


def listed(
    call: Callable[..., Any], items: str, *, operation: str, resource: str, **parameters: Any
) -> Iterator[Mapping[str, Any]]:
    """Every item (under the response key `items`) of a Well-Architected list, PAGE_SIZE a page.

    A page may be empty while a NextToken follows. A token seen before, or more than MAX_PAGES pages,
    stops the listing with a permanent AwsError: a listing that never ends must not hold a function
    until its timeout.
    """
    seen: set[str] = set()
    token: str | None = None
    for _ in range(MAX_PAGES):
        with aws_call(operation, resource):
            page = call(MaxResults=PAGE_SIZE, **parameters, **({"NextToken": token} if token else {}))
        yield from page.get(items, [])
        token = page.get("NextToken")
        if not token:
            return
        if token in seen:
            raise _runaway(operation, resource, "a NextToken came back")
        seen.add(token)
    raise _runaway(operation, resource, f"more than {MAX_PAGES} pages")


def _runaway(operation: str, resource: str, why: str) -> AwsError:
    message = f"the listing does not end: {why}"
    return AwsError(
        kind=ErrorKind.PERMANENT, code="RunawayPagination", operation=operation, resource=resource, message=message
    )


@dataclass(frozen=True)
class Share:
    share_id: str
    shared_with: str
    permission: str
    status: str

    @property
    def live(self) -> bool:
        return self.status in LIVE_STATUSES


@dataclass(frozen=True)
class Workload:
    workload_id: str
    name: str
    owner: str
    # WA publishes no creation time; the last update bounds it from above (forwarder_age.py relies on that).
    updated_at: datetime | None = None


class WellArchitected:
    """One account's Well-Architected API in one region.

    `shares_touched`: whether a call through it may have changed a share (a create, delete or update that
    AWS did not refuse with a throttle, which it answers before acting). A caller throttled while it is
    still False changed nothing, and may try again as if for the first time.
    """

    def __init__(self, client: WellArchitectedClient, *, account_id: str, region: str) -> None:
        self._client = client
        self.account_id = account_id
        self.region = region
        self.shares_touched = False

    @contextmanager
    def _share_change(self, operation: str, workload_id: str) -> Iterator[None]:
        before, self.shares_touched = self.shares_touched, True
        try:
            with aws_call(operation, self._resource(workload_id)):
                yield
        except AwsError as error:
            if error.throttled:
                self.shares_touched = before
            raise

    def _resource(self, workload_id: str = "") -> str:
        suffix = f" workload {workload_id}" if workload_id else ""
        return f"account {self.account_id} region {self.region}{suffix}"

    def owned_workloads(self, name_prefix: str = "") -> Iterator[Workload]:
        """Workloads this account owns; ListWorkloads also returns those others shared with it."""
        return (workload for workload in self._workloads(name_prefix) if workload.owner == self.account_id)

    def shared_in(self) -> Iterator[Workload]:
        """Workloads other accounts shared with this one, the shares accepted (a reviews account's view)."""
        return (workload for workload in self._workloads() if workload.owner != self.account_id)

    def _workloads(self, name_prefix: str = "") -> Iterator[Workload]:
        summaries = listed(
            self._client.list_workloads,
            "WorkloadSummaries",
            operation="wellarchitected:ListWorkloads",
            resource=self._resource(),
            **({"WorkloadNamePrefix": name_prefix} if name_prefix else {}),
        )
        for summary in summaries:
            name, owner = summary.get("WorkloadName", ""), summary.get("Owner", "")
            yield Workload(summary["WorkloadId"], name, owner, summary.get("UpdatedAt"))

    def list_shares(self, workload_id: str) -> list[Share]:
        rows = listed(
            self._client.list_workload_shares,
            "WorkloadShareSummaries",
            operation="wellarchitected:ListWorkloadShares",
            resource=self._resource(workload_id),
            WorkloadId=workload_id,
        )
        return [Share(row["ShareId"], row["SharedWith"], row["PermissionType"], row["Status"]) for row in rows]

    def create_share(self, workload_id: str, *, principal: str, permission: str, token: str) -> str:
        with self._share_change("wellarchitected:CreateWorkloadShare", workload_id):
            response = self._client.create_workload_share(
                WorkloadId=workload_id,
                SharedWith=principal,
                PermissionType=permission,  # type: ignore[arg-type]
                ClientRequestToken=token,
            )
        return response["ShareId"]

    def delete_share(self, workload_id: str, *, share_id: str, token: str) -> None:
        with self._share_change("wellarchitected:DeleteWorkloadShare", workload_id):
            self._client.delete_workload_share(WorkloadId=workload_id, ShareId=share_id, ClientRequestToken=token)

    def workload_name(self, workload_id: str) -> str:
        with aws_call("wellarchitected:GetWorkload", self._resource(workload_id)):
            return self._client.get_workload(WorkloadId=workload_id)["Workload"].get("WorkloadName", "")

    def create_workload(self, *, name: str, description: str, tags: Mapping[str, str], token: str) -> str:
        """A minimal workload (the probe's): one lens, this region, no review content."""
        with aws_call("wellarchitected:CreateWorkload", self._resource()):
            response = self._client.create_workload(
                WorkloadName=name,
                Description=description,
                Environment="PREPRODUCTION",
                Lenses=["wellarchitected"],
                AwsRegions=[self.region],
                ReviewOwner="wa-share probe",
                Tags=dict(tags),
                ClientRequestToken=token,
            )
        return response["WorkloadId"]

    def delete_workload(self, workload_id: str, *, token: str) -> None:
        with aws_call("wellarchitected:DeleteWorkload", self._resource(workload_id)):
            self._client.delete_workload(WorkloadId=workload_id, ClientRequestToken=token)

    def enable_organization_sharing(self) -> None:
        """Organization/OU shares need the owner's setting on, per account and region (no invitations)."""
        with aws_call("wellarchitected:UpdateGlobalSettings", self._resource()):
            self._client.update_global_settings(OrganizationSharingStatus="ENABLED")

    def update_share_permission(self, workload_id: str, *, share_id: str, permission: str) -> None:
        with self._share_change("wellarchitected:UpdateWorkloadShare", workload_id):
            self._client.update_workload_share(
                WorkloadId=workload_id,
                ShareId=share_id,
                PermissionType=permission,  # type: ignore[arg-type]
            )


@dataclass(frozen=True)
class Invitation:
    invitation_id: str
    workload_id: str
    workload_name: str
    shared_by: str
    shared_with: str
    permission: str


class Invitations:
    """The recipient's side of sharing: pending workload invitations in one account and region."""

    def __init__(self, client: WellArchitectedClient, *, account_id: str, region: str) -> None:
        self._client = client
        self.account_id = account_id
        self.region = region

    def pending(self) -> list[Invitation]:
        rows = listed(
            self._client.list_share_invitations,
            "ShareInvitationSummaries",
            operation="wellarchitected:ListShareInvitations",
            resource=f"account {self.account_id} region {self.region}",
            ShareResourceType="WORKLOAD",
        )
        return [
            Invitation(
                invitation_id=row["ShareInvitationId"],
                workload_id=row.get("WorkloadId", ""),
                workload_name=row.get("WorkloadName", ""),
                shared_by=row.get("SharedBy", ""),
                shared_with=row.get("SharedWith", ""),
                permission=row.get("PermissionType", ""),
            )
            for row in rows
        ]

    def accept(self, invitation: Invitation) -> None:
        resource = f"invitation {invitation.invitation_id} in account {self.account_id} region {self.region}"
        with aws_call("wellarchitected:UpdateShareInvitation", resource):
            self._client.update_share_invitation(
                ShareInvitationId=invitation.invitation_id, ShareInvitationAction="ACCEPT"
            )
