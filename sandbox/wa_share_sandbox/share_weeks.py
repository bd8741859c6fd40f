"""Time passing for shares in the sandbox: people delete some, unaccepted invitations expire."""

from __future__ import annotations

from wa_share_sandbox import wellarchitected as wab
from wa_share_sandbox.organization import SimulatedOrganization


def break_shares(org: SimulatedOrganization, accounts: list[str], regions: tuple[str, ...]) -> tuple[int, int]:
    """Weeks pass: every other live share to a reviews account is deleted by a person, the rest expire
    unaccepted (seven days). Returns (deleted, expired)."""
    deleted = expired = 0
    for account in accounts:
        for region in regions:
            backend = wab.get_backend(account, region)
            with wab.LOCK:
                workloads = list(backend.workloads.values())
            for workload in workloads:
                for share in backend.list_all_shares(workload.workload_id):
                    if share.shared_with != org.reviews or share.status not in wab.LIVE_STATUSES:
                        continue
                    if (deleted + expired) % 2 == 0:
                        with wab.LOCK:  # straight to the backend: the story's injected faults are for wa-share
                            backend.delete_workload_share(workload.workload_id, share.share_id)
                        deleted += 1
                    else:
                        backend.set_share_status(workload.workload_id, share.share_id, "EXPIRED")
                        expired += 1
    return deleted, expired
