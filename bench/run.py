"""`make bench`: the nightly sweep against the original daily algorithm, a huge account, and the planner at scale.

Both sweeps run in this process on the same simulated organization (moto with our WA backend), on the same
data, in two scenarios: a new organization (nothing shared) and the steady state (95% of the workloads
live-shared, 5% new). Every account is put back to the seeded state before every run (bench/data.py). Each
account is timed on its own, as one worker invocation would handle it; the planner's once-per-sweep reading
of the reviews side is timed and counted once and shared among the accounts (amortized). The injected
latency is per WA call; with `--latency-ms 0` the same runs show the simulator's floor (botocore's and
moto's CPU, under the GIL), which is what bounds the ratio here: see docs/benchmarks.md for how to read the table.
Not a test: nothing here asserts speed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any, Protocol

from moto import mock_aws
from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend

from bench.data import Seeded, restore, seed, shared
from bench.huge import huge_run, print_huge
from bench.original import OriginalSettings, OriginalSweep
from bench.planner import planner_run, print_planner
from bench.report import MOTO_CPU, Run, print_sweep
from wa_share.aws.access import Sessions
from wa_share.domain import DEFAULT_WA_REGIONS
from wa_share.observability import logger, metrics
from wa_share.settings import PlannerSettings, WorkerSettings
from wa_share.sweep.account import sweep_account
from wa_share.sweep.reviews_side import read_reviews_side
from wa_share.sweep.work_items import WorkItem, bounded_slice
from wa_share_sandbox import wellarchitected as wa_backend
from wa_share_sandbox.deployment import Deployment, deploy
from wa_share_sandbox.iam_trust import install_trust_checks, uninstall_trust_checks
from wa_share_sandbox.metering import METER, install_meter
from wa_share_sandbox.organization import HOME_REGION, SimulatedOrganization, build_organization

OPT_IN_REGIONS = ("ap-east-1", "me-south-1")


class SweepOne(Protocol):
    def once(self, accounts: Sequence[str]) -> None: ...
    def __call__(self, account: str) -> object: ...


Variant = tuple[str, Callable[[], SweepOne]]  # a row's name, and how to build its per-account sweep


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: 10 accounts, huge 18x100, planner 1000")
    parser.add_argument("--accounts", type=int, default=None, help="member accounts swept (default 50)")
    parser.add_argument("--regions", type=int, default=18, choices=range(1, 19), metavar="1-18", help="default 18")
    parser.add_argument("--workloads", type=int, default=3, help="workloads per account and region (default 3)")
    parser.add_argument("--latency-ms", type=float, default=20.0, help="injected per WA call (default 20)")
    parser.add_argument(
        "--concurrency", type=int, nargs="*", default=[], help="REGION_CONCURRENCY rows besides the deployed one"
    )
    parser.add_argument("--no-floor", action="store_true", help="skip the runs at 0 ms latency")
    parser.add_argument("--huge-workloads", type=int, default=None, help="per region, huge account (400; 0 skips)")
    parser.add_argument("--huge-latency-ms", type=float, default=100.0, help="per WA call, huge account (100)")
    parser.add_argument("--huge-timeout-s", type=int, default=900, help="the worker's timeout there (900)")
    parser.add_argument("--planner-accounts", type=int, default=None, help="0 skips the planner (default 5000)")
    args = parser.parse_args(argv)
    sizes = {"accounts": (50, 10), "huge_workloads": (400, 100), "planner_accounts": (5000, 1000)}
    for name, (full, quick) in sizes.items():
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)
    return args


@contextmanager
def _simulator() -> Iterator[None]:
    """moto as the benchmark needs it; everything is put back afterwards (the smoke test runs in pytest)."""
    saved_amis = os.environ.get("MOTO_EC2_LOAD_DEFAULT_AMIS")
    os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"  # ~0.5 s of moto CPU per account, never read
    opt_in = [region for region in RegionsAndZonesBackend.regions if region.name in OPT_IN_REGIONS]
    for region in opt_in:  # every account opted in, so both algorithms visit all 18 WA regions
        region.opt_in_status = "opted-in"
    level = logger.log_level
    logger.setLevel("WARNING")
    wa_backend.install()
    install_meter()
    try:
        with MOTO_CPU.installed():
            yield
    finally:
        wa_backend.reset_faults()
        uninstall_trust_checks()
        logger.setLevel(level)
        metrics.clear_metrics()
        for region in opt_in:
            region.opt_in_status = "not-opted-in"
        if saved_amis is None:
            os.environ.pop("MOTO_EC2_LOAD_DEFAULT_AMIS", None)
        else:
            os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = saved_amis


def _measure(run: Run, account: str, sweep_one: SweepOne) -> None:
    before, moto = METER.snapshot(), MOTO_CPU.seconds
    cpu, started = time.process_time(), time.perf_counter()
    sweep_one(account)
    run.seconds.append(time.perf_counter() - started)
    run.cpu_seconds += time.process_time() - cpu
    run.moto_cpu_seconds += MOTO_CPU.seconds - moto
    run.calls += METER.snapshot() - before


def _central(deployment: Deployment, function: str) -> Any:
    return deployment.org.botocore_session(deployment.function_credentials[function])


class _Sweep:
    """The worker as deployed (or with another REGION_CONCURRENCY): warm, one Sessions for the run; its
    work items carry the slices the planner's real code reads from the reviews side, once per sweep."""

    def __init__(self, deployment: Deployment, concurrency: int | None, regions: Sequence[str]) -> None:
        overrides = {"REGION_CONCURRENCY": str(concurrency)} if concurrency else {}
        self.settings = WorkerSettings.from_env(deployment.environment("worker") | overrides)
        self.sessions = Sessions(
            member_role_name=self.settings.member_role_name,
            home_region=self.settings.home_region,
            central=_central(deployment, "worker"),
        )
        self.planner = PlannerSettings.from_env(deployment.environment("planner"))
        self.planner_sessions = Sessions(
            member_role_name=self.planner.member_role_name,
            home_region=self.planner.home_region,
            central=_central(deployment, "planner"),
        )
        self.regions = tuple(regions)
        self.slices: dict[str, dict[str, frozenset[str]]] = {}

    def once(self, accounts: Sequence[str]) -> None:
        side = read_reviews_side(self.planner, self.planner_sessions, self.regions)
        self.slices = {account: side.slice_for(account, self.regions, self.planner.principals) for account in accounts}

    def __call__(self, account: str) -> object:
        known = bounded_slice(self.slices.get(account, {})) or None
        # A night of its own for every run (the runs restore the same state), as the planner gives each night.
        item = WorkItem(account_id=account, sweep_id=str(uuid.uuid4()), known_live=known)
        return sweep_account(item, self.settings, self.sessions)


class _Original:
    def __init__(self, deployment: Deployment, regions: Sequence[str]) -> None:
        settings = OriginalSettings(
            role_name=str(deployment.parameters["MemberRoleName"]),
            reviews_account=deployment.org.reviews,
            home_region=HOME_REGION,
            regions=frozenset(regions),
        )
        self._sweep = OriginalSweep(_central(deployment, "worker"), settings)

    def once(self, accounts: Sequence[str]) -> None:
        """The original reads nothing once per sweep (its planner only assumes roles, counted per account)."""

    def __call__(self, account: str) -> object:
        return self._sweep.sweep_account(account)


def _sweep_runs(args: argparse.Namespace, live_every: int) -> tuple[list[Run], Seeded, int]:
    regions = DEFAULT_WA_REGIONS[: args.regions]
    with _simulator(), mock_aws():
        org = build_organization(members=args.accounts)
        deployment = deploy(org, regions, forwarders=False)
        install_trust_checks()
        seeded = Seeded(org.reviews, live_every)
        seed(seeded, org.members, regions, args.workloads)
        deployed = int(deployment.environment("worker")["REGION_CONCURRENCY"])
        variants: list[Variant] = [
            ("original (sequential)", partial(_Original, deployment, regions)),
            (f"sweep (concurrency {deployed}, as deployed)", partial(_Sweep, deployment, None, regions)),
        ]
        variants += [
            (f"sweep (concurrency {extra})", partial(_Sweep, deployment, extra, regions))
            for extra in dict.fromkeys(args.concurrency)
            if extra != deployed
        ]
        latencies = [args.latency_ms] + ([] if args.no_floor or not args.latency_ms else [0.0])
        rows = [(variant, ms) for ms in latencies for variant in variants]
        runs = _paired_runs(org, regions, seeded, rows)
    return runs, seeded, deployed


def _paired_runs(
    org: SimulatedOrganization, regions: Sequence[str], seeded: Seeded, rows: list[tuple[Variant, float]]
) -> list[Run]:
    """Each account is swept by every row (variant and latency) in turn, each time from the same seeded state:
    other processes that slow the machine down slow every row alike (the runs are paired per account).
    Each row has its own warm worker, as a separate deployment would."""
    runners = [(Run(name, ms), make()) for (name, make), ms in rows]
    try:
        for run, sweep in runners:
            sweep(org.reviews)  # warm-up: models loaded, clients built (the reviews account owns no workload)
            wa_backend.configure_faults(latency_seconds=run.latency_ms / 1000)
            before, started = METER.snapshot(), time.perf_counter()
            sweep.once(org.members)
            run.once_seconds, run.calls = time.perf_counter() - started, METER.snapshot() - before
            wa_backend.reset_faults()
        for account in org.members:
            for run, sweep in runners:
                restore(seeded, account, regions)
                wa_backend.configure_faults(latency_seconds=run.latency_ms / 1000)
                _measure(run, account, sweep)
                wa_backend.reset_faults()
                run.shared += shared(account, regions, org.reviews)
    finally:
        wa_backend.reset_faults()
    for run, _sweep in runners:
        print(f"  {run.name} at {run.latency_ms:g} ms: {sum(run.seconds):.1f} s", file=sys.stderr)
    return [run for run, _sweep in runners]


SCENARIOS = (("new organization: nothing shared", 0), ("steady state: 95% live-shared, 5% new", 20))


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    print(f"wa-share benchmark: python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {_load()}")
    for scenario, live_every in SCENARIOS:
        runs, seeded, deployed = _sweep_runs(args, live_every)
        size = f"{args.accounts} accounts x {args.regions} regions x {args.workloads} workloads"
        print_sweep(runs, f"{scenario} ({size}: {seeded.workloads}, {seeded.new} without a live share; "
                    f"REGION_CONCURRENCY as deployed: {deployed})")  # fmt: skip
        if any(run.shared != seeded.workloads for run in runs):
            print("a run left workloads unshared: the figures compare unequal work", file=sys.stderr)
            return 1
    if args.huge_workloads and not _huge(args):
        return 1
    if not args.planner_accounts:
        return 0
    with _simulator():
        planner_runs = [planner_run(args.planner_accounts, latency) for latency in sorted({0.0, args.latency_ms})]
    print_planner(args.planner_accounts, planner_runs)
    if any(run.queued != args.planner_accounts for run in planner_runs):
        print("the planner did not enqueue every account", file=sys.stderr)
        return 1
    print(f"\nload average at the end: {_load()}")
    return 0


def _huge(args: argparse.Namespace) -> bool:
    regions = DEFAULT_WA_REGIONS[: args.regions]
    with _simulator():
        huge = huge_run(regions, args.huge_workloads, args.huge_latency_ms, args.huge_timeout_s)
    print_huge(huge)
    if not huge.finished:
        print("the huge account did not finish: see the table", file=sys.stderr)
    return huge.finished


def _load() -> str:
    """Other processes on the machine share its CPUs with moto: say how busy it was."""
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())
