"""The story's ground truth: the simulated Well-Architected state itself, read through the backend's hooks.

The oracle does not go through the API (nor through wa-share's own code) so that it cannot share a bug
with what it judges: every workload of every account and region, and every share row it carries.
Workloads that predate wa-share are seeded here too, before anything of wa-share exists.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from botocore.exceptions import ClientError

from wa_share.probe.rule import NO_PROBES, ProbeRule
from wa_share_sandbox import wellarchitected as wab
from wa_share_sandbox.organization import SimulatedOrganization, create_workload
from wa_share_sandbox.scenario import ExistingWorkload, ScenarioError
from wa_share_sandbox.summary import CoverageCheck

PREDATES_WA_SHARE = timedelta(days=30)


def seed_existing(org: SimulatedOrganization, ids: Mapping[str, str], existing: tuple[ExistingWorkload, ...]) -> None:
    """Create the workloads that predate wa-share, with their share rows and statuses, as their owners would."""
    for index, workload in enumerate(existing):
        try:
            _seed(org, ids, workload)
        except ClientError as error:
            raise ScenarioError(f"existing.{index}: {error.response['Error']['Message']}") from None


def _seed(org: SimulatedOrganization, ids: Mapping[str, str], workload: ExistingWorkload) -> None:
    owner = ids[workload.account]
    workload_id = create_workload(org, owner, workload.region, workload.name)
    backend = wab.get_backend(owner, workload.region)
    with wab.LOCK:  # it predates wa-share: last updated long before the forwarders existed
        backend.workloads[workload_id].updated_at = datetime.now(UTC) - PREDATES_WA_SHARE
    client = org.client(owner, "wellarchitected", workload.region)
    for number, share in enumerate(workload.shares):
        share_id = client.create_workload_share(
            WorkloadId=workload_id,
            SharedWith=ids.get(share.shared_with, share.shared_with),
            PermissionType=share.permission,
            ClientRequestToken=f"seed-{workload_id}-{number}",
        )["ShareId"]
        if share.status != "PENDING":  # a new account share starts PENDING
            wab.get_backend(owner, workload.region).set_share_status(workload_id, share_id, share.status)


def check_coverage(
    org: SimulatedOrganization,
    regions: tuple[str, ...],
    reviews: tuple[str, ...],
    names: Mapping[str, str],
    *,
    without_role: frozenset[str],
    on_checked: Callable[[], None] | None = None,
    probes: ProbeRule = NO_PROBES,
) -> CoverageCheck:
    """Every workload owned outside the reviews accounts must carry exactly one live share with each of them.

    Workloads of an account without the member role cannot be covered: they are counted apart. Probe
    workloads are not the organization's: they are left out (the one rule, `ProbeRule`).
    """
    coverage = CoverageCheck(tuple(f"{names.get(account, 'account')} {account}" for account in reviews))
    for account in org.accounts:
        for region in regions:
            backend = wab.get_backend(account, region)
            with wab.LOCK:
                workloads = list(backend.workloads.values())
            for workload in workloads:
                if probes.is_probe(workload.owner, workload.name):
                    continue  # the probe's own workload, not the organization's
                _judge(coverage, backend=backend, workload=workload, reviews=reviews, names=names, without=without_role)
            if on_checked is not None:
                on_checked()
    return coverage


def _judge(
    coverage: CoverageCheck,
    *,
    backend: wab.WellArchitectedBackend,
    workload: wab.Workload,
    reviews: tuple[str, ...],
    names: Mapping[str, str],
    without: frozenset[str],
) -> None:
    owner_name = names.get(workload.owner, workload.owner)
    targets = [account for account in reviews if account != workload.owner]
    if not targets:
        coverage.owned_by_reviews += 1
        return
    if workload.owner in without:
        coverage.not_coverable[owner_name] = coverage.not_coverable.get(owner_name, 0) + 1
        return
    coverage.eligible += 1
    rows = backend.list_all_shares(workload.workload_id)
    problems = []
    for target in targets:
        live = sum(1 for row in rows if row.shared_with == target and row.status in wab.LIVE_STATUSES)
        if live != 1:
            problems.append(f"{live} live shares with {names.get(target, target)}")
    if problems:
        where = f"{owner_name} {workload.region} {workload.name} ({workload.workload_id})"
        coverage.gaps.append(f"{where}: {', '.join(problems)}")
    else:
        coverage.covered += 1
