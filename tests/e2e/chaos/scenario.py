"""One chaos run on the sandbox: a small organization, the real-time path and one sweep, all under faults.

Faults: 20% of the functions' Well-Architected calls throttled and 5% answered with a server error, 10%
of CreateWorkload events lost, one account without the member role, the opt-in region ap-east-1 enabled
in some accounts only, the worker's runtime dying after two records of its first batch, and the member
session of one account expiring in the middle of its sweep. Workloads exist only where their region is
enabled (AWS allows nothing else).
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

import sweep_worker
from tests.e2e.chaos.faults import ChaosFaults, Rates, dying_worker
from tests.support import opt_in_regions, session_expiry
from tests.support.queues import read_all
from wa_share_sandbox import wellarchitected as wellarchitected_backend
from wa_share_sandbox.deployment import Deployment, deploy
from wa_share_sandbox.iam_trust import install_trust_checks
from wa_share_sandbox.organization import SimulatedOrganization, build_organization, create_workload
from wa_share_sandbox.runner import FunctionRunner, Invocation

REGIONS = ("us-east-1", "eu-west-1", "ap-east-1")
OPT_IN = "ap-east-1"
MEMBERS = 3
DIE_AFTER_RECORDS = 2
EXPIRE_AFTER_CALLS = 2


@dataclass(frozen=True)
class Workload:
    account: str
    region: str
    workload_id: str
    eligible: bool  # in an account with the member role, and not owned by the reviews account


@dataclass
class ChaosRun:
    seed: int
    org: SimulatedOrganization
    deployment: Deployment
    faults: ChaosFaults
    without_role: str
    opted_in: set[str]  # accounts where the opt-in region is enabled
    workloads: list[Workload] = field(default_factory=list)
    realtime: list[Invocation] = field(default_factory=list)
    sweep: list[Invocation] = field(default_factory=list)
    worker_deaths: list[int] = field(default_factory=list)
    expired_rejections: int = 0
    logs: str = ""


def names(org: SimulatedOrganization) -> dict[str, str]:
    fixed = {org.management: "management", org.automation: "automation", org.reviews: "reviews"}
    return fixed | {account: f"member-{index:02d}" for index, account in enumerate(org.members, 1)}


def build(seed: int) -> ChaosRun:
    """The organization and the deployment; call inside a moto mock."""
    rng = random.Random(seed)
    org = build_organization(members=MEMBERS)
    without_role = org.members[-1]
    candidates = [account for account in org.accounts if account != without_role]
    opted_in = set(rng.sample(candidates, k=len(candidates) // 2))
    for account in opted_in:
        opt_in_regions.enable(account, OPT_IN)
    deployment = deploy(org, REGIONS, accounts_without_role=frozenset({without_role}))
    install_trust_checks()
    faults = ChaosFaults(seed, names(org), Rates())
    return ChaosRun(seed, org, deployment, faults, without_role, opted_in)


def create_workloads(run: ChaosRun) -> None:
    rng = random.Random(f"workloads|{run.seed}")
    wellarchitected_backend.set_cloudtrail_filter(run.faults.keep_event)
    for account in run.org.accounts:
        eligible = account not in (run.without_role, run.org.reviews)
        for region in REGIONS:
            if region == OPT_IN and account not in run.opted_in:
                continue  # a disabled region holds no workload
            for index in range(rng.randint(1, 2)):
                workload = create_workload(run.org, account, region, f"chaos-{index}")
                run.workloads.append(Workload(account, region, workload, eligible))


@contextmanager
def faults_on(run: ChaosRun) -> Iterator[None]:
    run.faults.calls_active = True
    wellarchitected_backend.configure_faults(fault=run.faults.fault)
    try:
        yield
    finally:
        run.faults.calls_active = False
        wellarchitected_backend.reset_faults()


def execute(run: ChaosRun, monkeypatch: pytest.MonkeyPatch) -> ChaosRun:
    """Workloads created, then the real-time path and one sweep (with its retry rounds), under faults."""
    create_workloads(run)
    logs = io.StringIO()
    runner = FunctionRunner(run.deployment, log_stream=logs)
    record, handler, run.worker_deaths = dying_worker(
        sweep_worker.record_handler, sweep_worker.handler, after=DIE_AFTER_RECORDS
    )
    monkeypatch.setattr(sweep_worker, "record_handler", record)
    monkeypatch.setattr(sweep_worker, "handler", handler)
    session_expiry.reset()
    with faults_on(run):
        run.realtime = runner.deliver_share_events()
        victim = next(w.account for w in run.workloads if w.eligible and w.account != run.org.management)
        run.faults.expire_sessions_mid_sweep(
            victim, EXPIRE_AFTER_CALLS, f"arn:aws:iam::{victim}:role/{run.deployment.parameters['MemberRoleName']}"
        )
        run.sweep = runner.run_sweep()
    run.expired_rejections = session_expiry.rejected()
    run.logs = logs.getvalue()
    return run


def shares_to_reviews(run: ChaosRun, workload: Workload) -> list[dict[str, Any]]:
    client = run.org.client(workload.account, "wellarchitected", workload.region)
    rows = client.list_workload_shares(WorkloadId=workload.workload_id)["WorkloadShareSummaries"]
    return [row for row in rows if row["SharedWith"] == run.org.reviews]


def log_records(run: ChaosRun) -> list[dict[str, Any]]:
    """The functions' JSON log lines (Powertools), EMF metric blobs excluded."""
    return [json.loads(line) for line in run.logs.splitlines() if line.startswith("{") and '"_aws"' not in line]


def queue_messages(run: ChaosRun, logical_id: str) -> list[dict[str, Any]]:
    return read_all(run.org, run.deployment.queue_urls[logical_id])
