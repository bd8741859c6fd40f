"""The share rows of one workload and principal: idempotency tokens, a verified create, dead rows removed.

AWS leaves four things undocumented (docs/aws-behaviour.md): whether a dead row blocks a
new share, whether dead rows count toward the 20-share quota, whether a second live share to the same
principal is refused, and whether a token is remembered after its share is deleted. The code here is right
under every answer: dead rows are deleted before re-sharing, a creation is verified by listing again, a
stale answer moves on to the next token, and duplicate live shares are reduced to one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from wa_share.aws.access import AwsError, ErrorKind
from wa_share.aws.wellarchitected import Share, WellArchitected
from wa_share.domain import ORGANIZATION_PRINCIPAL

_TOKEN_NAMESPACE = uuid.UUID("4a0c1c35-92f4-4c53-9d5e-2b7f6b6c7a10")
# Each round follows a stale answer (a deleted share's ID); more than this many in a row is not a token issue.
MAX_TOKEN_ROUNDS = 3


def share_token(workload_id: str, principal: str, permission: str, epoch: str, earlier: Iterable[Share]) -> str:
    """The idempotency token of one attempt to share: the same for retries and duplicates, new otherwise.

    `epoch` is what makes an attempt distinct from earlier ones that left no trace (a deleted share leaves
    no row): the CreateWorkload event's ID on the real-time path (its retries, duplicates and replays are
    one attempt), the sweep's ID on the sweep (each night is a new attempt). `earlier` (the principal's
    rows) changes the token within one epoch when the history changed, e.g. a share expired.
    """
    history = ",".join(sorted(share.share_id for share in earlier))
    return str(uuid.uuid5(_TOKEN_NAMESPACE, f"{workload_id}|{principal}|{permission}|{epoch}|{history}"))


def next_token(token: str, stale_share_id: str) -> str:
    """The token after `token` was answered with a share that is not live (it was deleted since)."""
    return str(uuid.uuid5(_TOKEN_NAMESPACE, f"{token}|stale|{stale_share_id}"))


def delete_token(share_id: str) -> str:
    return str(uuid.uuid5(_TOKEN_NAMESPACE, f"delete|{share_id}"))


def create_share(wa: WellArchitected, workload_id: str, principal: str, permission: str, token: str) -> str:
    """CreateWorkloadShare, turning organization sharing on first when an organization/OU needs it."""
    try:
        return wa.create_share(workload_id, principal=principal, permission=permission, token=token)
    except AwsError as error:
        if not (ORGANIZATION_PRINCIPAL.match(principal) and error.code == "ValidationException"):
            raise
    # Sharing with an organization or OU is refused until the owner turns organization sharing on.
    wa.enable_organization_sharing()
    return wa.create_share(workload_id, principal=principal, permission=permission, token=token)


def delete_rows(wa: WellArchitected, workload_id: str, rows: Iterable[Share]) -> int:
    """Delete share rows; one already gone counts as deleted. Returns how many were deleted."""
    deleted = 0
    for row in rows:
        try:
            wa.delete_share(workload_id, share_id=row.share_id, token=delete_token(row.share_id))
        except AwsError as error:
            if error.kind is not ErrorKind.NOT_FOUND:
                raise
        deleted += 1
    return deleted


def create_verified(
    wa: WellArchitected, workload_id: str, principal: str, permission: str, *, epoch: str, mine: Sequence[Share]
) -> str:
    """Share with `principal` and prove it: returns the ID of its one live share with `permission`.

    `mine`: the principal's rows as listed (none of them live). Dead rows go first, so that neither a
    blocking dead row nor the quota stands in the way and rows never pile up.
    """
    delete_rows(wa, workload_id, [row for row in mine if not row.live])
    token = share_token(workload_id, principal, permission, epoch, mine)
    for _ in range(MAX_TOKEN_ROUNDS):
        answered = create_share(wa, workload_id, principal, permission, token)
        live = live_rows(wa.list_shares(workload_id), principal, permission)
        if live:
            return keep_one(wa, workload_id, live)
        token = next_token(token, answered)  # the token's share was deleted, and AWS remembered the token
    raise AwsError(
        kind=ErrorKind.PERMANENT,
        code="ShareNotLive",
        operation="wellarchitected:CreateWorkloadShare",
        resource=f"account {wa.account_id} region {wa.region} workload {workload_id}",
        message=f"{MAX_TOKEN_ROUNDS} tokens in a row were answered with a share to {principal} that is not live",
    )


def live_rows(shares: Iterable[Share], principal: str, permission: str) -> list[Share]:
    return [row for row in shares if row.shared_with == principal and row.live and row.permission == permission]


def keep_one(wa: WellArchitected, workload_id: str, live: Sequence[Share]) -> str:
    """Reduce live shares of one principal and permission to one (where AWS allows duplicates, racing
    creators can leave two). Every racer keeps the same one: accepted first, then the lowest ID."""
    ranked = sorted(live, key=lambda row: (row.status != "ACCEPTED", row.share_id))
    delete_rows(wa, workload_id, ranked[1:])
    return ranked[0].share_id
