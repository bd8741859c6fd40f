"""The share rows of a simulated workload, read as its owner reads them (ListWorkloadShares)."""

from __future__ import annotations

from typing import Any

from wa_share_sandbox.organization import SimulatedOrganization

LIVE = ("PENDING", "ACCEPTED")  # a share that gives access now, or will once accepted


def share_rows(org: SimulatedOrganization, account: str, region: str, workload: str) -> list[dict[str, Any]]:
    """Every share row of the workload, whatever its status."""
    client = org.client(account, "wellarchitected", region)
    return list(client.list_workload_shares(WorkloadId=workload)["WorkloadShareSummaries"])


def live_shares(org: SimulatedOrganization, account: str, region: str, workload: str) -> list[str]:
    """Whom the workload is shared with now (pending or accepted; not revoked, rejected or expired)."""
    return [row["SharedWith"] for row in share_rows(org, account, region, workload) if row["Status"] in LIVE]


def share_statuses(org: SimulatedOrganization, account: str, region: str, workload: str) -> list[str]:
    return [row["Status"] for row in share_rows(org, account, region, workload)]
