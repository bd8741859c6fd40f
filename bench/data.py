"""`make bench`, the data: workloads seeded once (a share of them already live-shared with the reviews account),
and each account put back to that seeded state before every run, so that every variant sweeps the same data.

Workload IDs never change between runs, so the reviews side the planner reads once stays true for every run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from wa_share_sandbox import wellarchitected as wa_backend

WORKLOAD_TEMPLATE = {
    "Description": "benchmark workload",
    "Environment": "PRODUCTION",
    "Lenses": ["wellarchitected"],
    "ReviewOwner": "owner@example.com",
}


@dataclass
class Seeded:
    reviews: str
    live_every: int  # 0: nothing shared (a new organization); 20: all but every 20th workload live (95%)
    shares: set[str] = field(default_factory=set)  # the seeded share IDs, kept by every restore
    workloads: int = 0
    new: int = 0  # workloads without a live share after seeding


def seed(seeded: Seeded, accounts: Sequence[str], regions: Sequence[str], per_region: int) -> None:
    """Create the workloads once; with `live_every`, share all but every n-th with the reviews account."""
    with wa_backend.LOCK:
        for account in accounts:
            for region in regions:
                backend = wa_backend.get_backend(account, region)
                for index in range(per_region):
                    params = WORKLOAD_TEMPLATE | {"WorkloadName": f"bench-{region}-{index}", "AwsRegions": [region]}
                    workload = backend.create_workload(params)["WorkloadId"]
                    seeded.workloads += 1
                    if seeded.live_every and seeded.workloads % seeded.live_every:
                        token = f"seed-{workload}"
                        share = backend.create_workload_share(workload, seeded.reviews, "READONLY", token)
                        seeded.shares.add(share["ShareId"])
                    else:
                        seeded.new += 1


def restore(seeded: Seeded, account: str, regions: Sequence[str]) -> None:
    """Drop every share a run made (and its token, or the next run's identical token would replay it)."""
    with wa_backend.LOCK:
        for region in regions:
            backend = wa_backend.get_backend(account, region)
            for workload in backend.workloads.values():
                for share in [share for share in workload.shares.values() if share.share_id not in seeded.shares]:
                    backend._drop_share(share)  # the simulator's own bookkeeping (benchmark only)
            made = [
                token for token, (_, result) in backend.share_tokens.items() if result["ShareId"] not in seeded.shares
            ]
            for token in made:
                del backend.share_tokens[token]


def shared(account: str, regions: Sequence[str], reviews: str) -> int:
    """Workloads of the account with a live share to the reviews account."""
    with wa_backend.LOCK:
        return sum(
            any(
                share.shared_with == reviews and share.status in wa_backend.LIVE_STATUSES
                for share in workload.shares.values()
            )
            for region in regions
            for workload in wa_backend.get_backend(account, region).workloads.values()
        )
