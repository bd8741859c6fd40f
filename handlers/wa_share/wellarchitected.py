"""The Well-Architected Tool API, as this project uses it: typed, paged by hand, errors classified.

boto3 has no paginators for `wellarchitected` (boto/boto3#3117), hence the NextToken loops.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wa_share.aws import aws_call
from wa_share.domain import LIVE_STATUSES

if TYPE_CHECKING:
    from mypy_boto3_wellarchitected import WellArchitectedClient

PAGE_SIZE = 50  # the API's maximum for ListWorkloads and ListWorkloadShares


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


class WellArchitected:
    """One account's Well-Architected API in one region."""

    def __init__(self, client: WellArchitectedClient, *, account_id: str, region: str) -> None:
        self._client = client
        self.account_id = account_id
        self.region = region

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
        token: str | None = None
        prefix = {"WorkloadNamePrefix": name_prefix} if name_prefix else {}
        while True:
            kwargs = {"MaxResults": PAGE_SIZE} | prefix | ({"NextToken": token} if token else {})
            with aws_call("wellarchitected:ListWorkloads", self._resource()):
                page = self._client.list_workloads(**kwargs)  # type: ignore[arg-type]
            for summary in page.get("WorkloadSummaries", []):
                yield Workload(summary["WorkloadId"], summary.get("WorkloadName", ""), summary.get("Owner", ""))
            token = page.get("NextToken")
            if not token:
                return

    def list_shares(self, workload_id: str) -> list[Share]:
        shares: list[Share] = []
        token: str | None = None
        while True:
            kwargs = {"WorkloadId": workload_id, "MaxResults": PAGE_SIZE} | ({"NextToken": token} if token else {})
            with aws_call("wellarchitected:ListWorkloadShares", self._resource(workload_id)):
                page = self._client.list_workload_shares(**kwargs)  # type: ignore[arg-type]
            shares.extend(
                Share(row["ShareId"], row["SharedWith"], row["PermissionType"], row["Status"])
                for row in page.get("WorkloadShareSummaries", [])
            )
            token = page.get("NextToken")
            if not token:
                return shares

    def create_share(self, workload_id: str, *, principal: str, permission: str, token: str) -> str:
        with aws_call("wellarchitected:CreateWorkloadShare", self._resource(workload_id)):
            response = self._client.create_workload_share(
                WorkloadId=workload_id,
                SharedWith=principal,
                PermissionType=permission,  # type: ignore[arg-type]
                ClientRequestToken=token,
            )
        return response["ShareId"]

    def delete_share(self, workload_id: str, *, share_id: str, token: str) -> None:
        with aws_call("wellarchitected:DeleteWorkloadShare", self._resource(workload_id)):
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
        with aws_call("wellarchitected:UpdateWorkloadShare", self._resource(workload_id)):
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
        invitations: list[Invitation] = []
        token: str | None = None
        resource = f"account {self.account_id} region {self.region}"
        while True:
            kwargs = {"ShareResourceType": "WORKLOAD", "MaxResults": PAGE_SIZE} | (
                {"NextToken": token} if token else {}
            )
            with aws_call("wellarchitected:ListShareInvitations", resource):
                page = self._client.list_share_invitations(**kwargs)  # type: ignore[arg-type]
            invitations.extend(
                Invitation(
                    invitation_id=row["ShareInvitationId"],
                    workload_id=row.get("WorkloadId", ""),
                    workload_name=row.get("WorkloadName", ""),
                    shared_by=row.get("SharedBy", ""),
                    shared_with=row.get("SharedWith", ""),
                    permission=row.get("PermissionType", ""),
                )
                for row in page.get("ShareInvitationSummaries", [])
            )
            token = page.get("NextToken")
            if not token:
                return invitations

    def accept(self, invitation: Invitation) -> None:
        resource = f"invitation {invitation.invitation_id} in account {self.account_id} region {self.region}"
        with aws_call("wellarchitected:UpdateShareInvitation", resource):
            self._client.update_share_invitation(
                ShareInvitationId=invitation.invitation_id, ShareInvitationAction="ACCEPT"
            )
