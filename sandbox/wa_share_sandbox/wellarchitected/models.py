"""A moto backend for the AWS Well-Architected Tool (moto 5.2.5 has none; keep moto pinned). State: one
backend per (account, region) in a ``BackendDict`` (moto's reset clears it); shares and invitations are
object references between the backends of one region, under ``LOCK``."""

from __future__ import annotations

import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from moto.core.base_backend import BackendDict, BaseBackend
from moto.utilities.utils import get_partition

from wa_share_sandbox.clock import CLOCK
from wa_share_sandbox.service_linked_role import ensure_service_linked_role
from wa_share_sandbox.wellarchitected import lifecycle
from wa_share_sandbox.wellarchitected.exceptions import (
    AccessDeniedException,
    ConflictException,
    ResourceNotFoundException,
    ServiceQuotaExceededException,
    ValidationException,
)

LOCK = threading.RLock()  # guards all WA state: every API call and every test hook holds it
SERVICE = "wellarchitected"
WORKLOAD_QUOTA = 1000  # per account and region
SHARE_QUOTA = lifecycle.SHARE_QUOTA  # share rows per workload (dead ones too, unless a lifecycle switch says not)
LIVE_STATUSES = lifecycle.LIVE_STATUSES
_ACCOUNT = re.compile(r"\d{12}")
# SharedWith may name an IAM user or role (AWS: "account ID, IAM role, organization ID, or OU ID"); its
# invitation goes to the principal's account.
_IAM_PRINCIPAL = re.compile(r"arn:aws[a-z-]*:iam::(?P<account>\d{12}):(root|(user|role)/[\w+=,.@/-]{1,512})")
_ORGANIZATION = re.compile(r"o-[a-z0-9]{10,32}|ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}")
_ID = re.compile(r"[0-9a-f]{32}")


def _check_id(value: str, name: str) -> None:
    if not _ID.fullmatch(value or ""):
        raise ValidationException(f"{name} must match [0-9a-f]{{32}}", Reason="FIELD_VALIDATION_FAILED")


def _replay(tokens: dict[str, tuple[Any, dict[str, str]]], token: str, request: Any) -> dict[str, str] | None:
    """The original result of a request with this ClientRequestToken (stale if since deleted)."""
    if token not in tokens:
        return None
    if tokens[token][0] != request:
        raise ConflictException("ClientRequestToken was used with other parameters", token)
    return dict(tokens[token][1])


def _name_key(name: str) -> str:
    return "".join(name.split()).lower()  # uniqueness ignores spaces and capitalization


@dataclass(eq=False)
class Workload:
    workload_id: str
    owner: str
    region: str
    params: dict[str, Any]  # the CreateWorkload request, ClientRequestToken excluded
    # The sandbox clock, as SQS's timestamps and CloudTrail's eventTime: compared with a queue's CreatedTimestamp.
    updated_at: datetime = field(default_factory=CLOCK.utc_now)
    shares: dict[str, Share] = field(default_factory=dict, repr=False)  # ShareId -> every share row

    @property
    def arn(self) -> str:
        partition = get_partition(self.region)
        return f"arn:{partition}:wellarchitected:{self.region}:{self.owner}:workload/{self.workload_id}"

    @property
    def name(self) -> str:
        return str(self.params["WorkloadName"])

    def summary(self) -> dict[str, Any]:
        """A ``WorkloadSummary``."""
        ids = {"WorkloadId": self.workload_id, "WorkloadArn": self.arn, "WorkloadName": self.name}
        lenses = list(self.params.get("Lenses", []))
        status = {"RiskCounts": {}, "ImprovementStatus": "NOT_APPLICABLE"}
        return ids | {"Owner": self.owner, "UpdatedAt": self.updated_at, "Lenses": lenses} | status

    def describe(self, share_invitation_id: str | None = None) -> dict[str, Any]:
        """A ``Workload`` (keys outside the shape are not serialised)."""
        invitation = {"ShareInvitationId": share_invitation_id} if share_invitation_id else {}
        return self.params | self.summary() | invitation


@dataclass(eq=False)
class Share:
    """One share row. moto serialises it from its attributes (botocore ``ShareId`` -> ``share_id``) as a
    WorkloadShareSummary, WorkloadShare, ShareInvitationSummary or ShareInvitation."""

    share_id: str
    workload: Workload = field(repr=False)
    shared_with: str
    permission_type: str
    status: str
    share_invitation_id: str | None  # None for organization and OU shares: they have no invitation
    status_message: str | None = None
    share_resource_type = "WORKLOAD"
    workload_id: str = field(init=False)
    workload_name: str = field(init=False)
    shared_by: str = field(init=False)

    def __post_init__(self) -> None:
        workload = self.workload
        self.workload_id, self.workload_name, self.shared_by = workload.workload_id, workload.name, workload.owner


class WellArchitectedBackend(BaseBackend):  # the WA state of one account in one region
    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.workloads: dict[str, Workload] = {}
        self.deleted: dict[str, Workload] = {}  # for the least-privilege test: the tags IAM saw on DeleteWorkload
        self.inbound: dict[str, Share] = {}  # ShareId -> account shares other accounts made to this one
        self.invitations: dict[str, Share] = {}  # ShareInvitationId -> PENDING share to this account
        self.workload_tokens: dict[str, tuple[dict[str, Any], dict[str, str]]] = {}
        self.share_tokens: dict[str, tuple[tuple[str, str, str], dict[str, str]]] = {}
        self.organization_sharing = False

    def create_workload(self, params: dict[str, Any]) -> dict[str, str]:
        """``params``: a CreateWorkload request; returns {WorkloadId, WorkloadArn}."""
        request = {k: v for k, v in params.items() if k != "ClientRequestToken"}
        token = str(params.get("ClientRequestToken") or uuid.uuid4().hex)
        if (replayed := _replay(self.workload_tokens, token, request)) is not None:
            return replayed
        self._check_new_workload(request)
        workload = Workload(uuid.uuid4().hex, self.account_id, self.region_name, request)
        self.workloads[workload.workload_id] = workload
        result = {"WorkloadId": workload.workload_id, "WorkloadArn": workload.arn}
        self.workload_tokens[token] = (request, result)
        return dict(result)

    def _check_new_workload(self, request: dict[str, Any]) -> None:
        if not request.get("Lenses"):
            raise ValidationException("Lenses must name at least one lens", Reason="OTHER")
        if not request.get("AwsRegions") and not request.get("NonAwsRegions"):
            raise ValidationException("Either AwsRegions, NonAwsRegions, or both must be specified")
        if not request.get("ReviewOwner"):
            raise ValidationException("ReviewOwner must be specified", Reason="FIELD_VALIDATION_FAILED")
        key = _name_key(str(request.get("WorkloadName", "")))
        if any(_name_key(w.name) == key for w in self.workloads.values()):
            raise ConflictException("A workload with this name already exists", key)
        if len(self.workloads) >= WORKLOAD_QUOTA:
            raise ServiceQuotaExceededException("WORKLOAD", self.account_id)

    def _find(self, workload_id: str) -> tuple[Workload, Share | None]:
        """The workload and, for a non-owner, the live share that makes it visible."""
        _check_id(workload_id, "WorkloadId")
        if workload_id in self.workloads:
            return self.workloads[workload_id], None
        for share in self.inbound.values():
            if share.workload.workload_id == workload_id and share.status in LIVE_STATUSES:
                return share.workload, share
        raise ResourceNotFoundException(f"Workload {workload_id} not found", workload_id)

    def _owned(self, workload_id: str) -> Workload:
        workload, share = self._find(workload_id)
        if share is not None:
            raise AccessDeniedException(f"Only the owner of workload {workload_id} may do this")
        return workload

    def get_workload(self, workload_id: str) -> dict[str, Any]:
        workload, share = self._find(workload_id)
        pending = share is not None and share.status == "PENDING"
        return workload.describe(share.share_invitation_id if share is not None and pending else None)

    def list_workloads(self, name_prefix: str | None = None) -> list[Workload]:
        """Owned workloads, then those shared with this account by an ACCEPTED share."""
        shared = [s.workload for s in self.inbound.values() if s.status == "ACCEPTED"]
        return [w for w in [*self.workloads.values(), *shared] if w.name.startswith(name_prefix or "")]

    def delete_workload(self, workload_id: str) -> None:
        for share in list(self._owned(workload_id).shares.values()):
            self._drop_share(share)
        self.deleted[workload_id] = self.workloads.pop(workload_id)

    def _recipient(self, share: Share) -> WellArchitectedBackend | None:
        if not share.share_invitation_id:
            return None
        iam = _IAM_PRINCIPAL.fullmatch(share.shared_with)
        return get_backend(iam["account"] if iam else share.shared_with, share.workload.region)

    def _set_status(self, share: Share, status: str, message: str | None = None) -> None:
        """The one place a status changes: a PENDING account share has an open invitation."""
        share.status, share.status_message = status, message
        recipient = self._recipient(share)
        if recipient is not None and share.share_invitation_id is not None:
            if status == "PENDING":
                recipient.invitations[share.share_invitation_id] = share
            elif not lifecycle.invitation_stays_listed(status):
                recipient.invitations.pop(share.share_invitation_id, None)

    def _drop_share(self, share: Share) -> None:
        self._set_status(share, "REVOKED")
        if (recipient := self._recipient(share)) is not None:
            recipient.inbound.pop(share.share_id, None)
        del share.workload.shares[share.share_id]
        for token in lifecycle.tokens_to_forget(self.share_tokens, share.share_id):
            del self.share_tokens[token]

    def create_workload_share(
        self, workload_id: str, shared_with: str, permission_type: str, client_request_token: str
    ) -> dict[str, str]:
        """Returns {WorkloadId, ShareId}; the same token and parameters return the original result."""
        request = (workload_id, shared_with, permission_type)
        if (replayed := _replay(self.share_tokens, client_request_token, request)) is not None:
            return replayed
        share = self._new_share(self._owned(workload_id), shared_with, permission_type)
        result = {"WorkloadId": workload_id, "ShareId": share.share_id}
        self.share_tokens[client_request_token] = (request, result)
        return dict(result)

    def _is_account(self, shared_with: str) -> bool:
        """True for an account or an IAM principal (invited), False for an organization or OU (associated)."""
        if _IAM_PRINCIPAL.fullmatch(shared_with):
            return True
        if _ACCOUNT.fullmatch(shared_with):
            if shared_with == self.account_id:
                raise ValidationException("A workload cannot be shared with its owner account")
            return True
        if not _ORGANIZATION.fullmatch(shared_with):
            raise ValidationException("SharedWith must be an account, IAM principal, organization or OU ID")
        if not self.organization_sharing:
            raise ValidationException("Organization sharing is not enabled (UpdateGlobalSettings)")
        return False

    def _new_share(self, workload: Workload, shared_with: str, permission_type: str) -> Share:
        is_account = self._is_account(shared_with)
        rows = [(s.shared_with, s.status) for s in workload.shares.values()]
        lifecycle.check_new_share(workload.workload_id, shared_with, rows)
        invitation_id = uuid.uuid4().hex if is_account else None  # deliberately != ShareId
        share = Share(uuid.uuid4().hex, workload, shared_with, permission_type, "ASSOCIATING", invitation_id)
        workload.shares[share.share_id] = share
        if (recipient := self._recipient(share)) is not None:
            recipient.inbound[share.share_id] = share
            self._set_status(share, "PENDING")
        return share

    def _share(self, workload_id: str, share_id: str) -> Share:
        workload = self._owned(workload_id)
        _check_id(share_id, "ShareId")
        if share_id not in workload.shares:
            raise ResourceNotFoundException(f"Share {share_id} not found", share_id, "WORKLOAD_SHARE")
        return workload.shares[share_id]

    def list_workload_shares(
        self, workload_id: str, shared_with_prefix: str | None = None, status: str | None = None
    ) -> list[Share]:
        shares, prefix = self._owned(workload_id).shares.values(), shared_with_prefix or ""
        return [s for s in shares if s.shared_with.startswith(prefix) and status in (None, s.status)]

    def update_workload_share(self, workload_id: str, share_id: str, permission_type: str) -> Share:
        """A modified share must be accepted again: an account share goes back to PENDING."""
        share = self._share(workload_id, share_id)
        share.permission_type = permission_type
        self._set_status(share, "PENDING" if share.share_invitation_id else "ASSOCIATING")
        return share

    def delete_workload_share(self, workload_id: str, share_id: str) -> None:
        self._drop_share(self._share(workload_id, share_id))

    def list_share_invitations(self, workload_name_prefix: str | None = None) -> list[Share]:
        prefix = workload_name_prefix or ""
        return [s for s in self.invitations.values() if s.workload.name.startswith(prefix)]

    def update_share_invitation(self, share_invitation_id: str, action: str) -> Share:
        """ACCEPT or REJECT a PENDING share made to this account; the invitation disappears."""
        _check_id(share_invitation_id, "ShareInvitationId")
        if (share := self.invitations.get(share_invitation_id)) is None:
            raise ResourceNotFoundException("Share invitation not found", share_invitation_id, "SHARE")
        if share.status != "PENDING":  # still listed after it expired (a lifecycle switch): not answerable
            raise ValidationException(f"Share invitation {share_invitation_id} is {share.status}", Reason="OTHER")
        self._set_status(share, "ACCEPTED" if action == "ACCEPT" else "REJECTED")
        return share

    def update_global_settings(self, organization_sharing_status: str | None) -> None:
        if organization_sharing_status is not None:  # kept per account and region: the API is regional
            self.organization_sharing = organization_sharing_status == "ENABLED"
        if self.organization_sharing:
            ensure_service_linked_role(self.account_id)

    def set_share_status(self, workload_id: str, share_id: str, status: str, message: str | None = None) -> None:
        """Test hook (owner's backend): force EXPIRED, REVOKED, REJECTED…; PENDING reopens the invitation."""
        if status not in LIVE_STATUSES | {"REJECTED", "REVOKED", "EXPIRED", "FAILED"}:
            raise ValueError(f"unknown share status: {status}")
        with LOCK:
            self._set_status(self._share(workload_id, share_id), status, message)

    def list_all_shares(self, workload_id: str) -> list[Share]:
        """Test hook (owner's backend): every share row of a workload, unfiltered and unpaged."""
        with LOCK:
            return list(self._owned(workload_id).shares.values())


wellarchitected_backends: BackendDict[WellArchitectedBackend] = BackendDict(WellArchitectedBackend, SERVICE)


def get_backend(account_id: str, region: str) -> WellArchitectedBackend:
    return wellarchitected_backends[account_id][region]
