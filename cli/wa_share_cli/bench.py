"""`make bench`: the nightly sweep against the original daily algorithm, and the planner at scale.

Both sweeps run in this process on the same simulated organization (moto with our WA backend), on the
same data: the Well-Architected state is wiped and seeded identically before every run. Each account is
timed on its own, as one worker invocation would handle it. The injected latency is per WA call; with
`--latency-ms 0` the same runs show the simulator's floor (moto's own CPU, under the GIL), which is what
bounds the ratio here: see the README for how to read the table. Not a test: nothing here asserts speed.
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
from typing import Any

from moto import mock_aws
from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend

from wa_share.aws import Sessions
from wa_share.observability import logger, metrics
from wa_share.settings import DEFAULT_WA_REGIONS, Settings
from wa_share.sweep import sweep_account
from wa_share.work_items import WorkItem
from wa_share_cli.bench_original import OriginalSettings, OriginalSweep
from wa_share_cli.bench_planner import planner_run, print_planner
from wa_share_cli.bench_report import MOTO_CPU, Run, print_sweep
from wa_share_cli.sandbox import wellarchitected_backend as wa_backend
from wa_share_cli.sandbox.deployment import Deployment, deploy
from wa_share_cli.sandbox.iam_trust import install_trust_checks, uninstall_trust_checks
from wa_share_cli.sandbox.metering import METER, install_meter
from wa_share_cli.sandbox.organization import HOME_REGION, SimulatedOrganization, build_organization

OPT_IN_REGIONS = ("ap-east-1", "me-south-1")
SweepOne = Callable[[str], object]
Variant = tuple[str, Callable[[], SweepOne]]  # a row's name, and how to build its per-account sweep


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m wa_share_cli.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=50, help="member accounts swept (default 50)")
    parser.add_argument("--regions", type=int, default=18, choices=range(1, 19), metavar="1-18", help="default 18")
    parser.add_argument("--workloads", type=int, default=3, help="workloads per account and region (default 3)")
    parser.add_argument("--latency-ms", type=float, default=20.0, help="injected per WA call (default 20)")
    parser.add_argument(
        "--concurrency", type=int, nargs="*", default=[6], help="REGION_CONCURRENCY rows besides the deployed one"
    )
    parser.add_argument("--no-floor", action="store_true", help="skip the runs at 0 ms latency")
    parser.add_argument("--planner-accounts", type=int, default=5000, help="0 skips the planner (default 5000)")
    return parser.parse_args(argv)


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


def _seed(account: str, regions: Sequence[str], workloads: int) -> None:
    """Wipe the account's WA state, then give it the benchmark's workloads, none shared."""
    with wa_backend.LOCK:
        if account in wa_backend.wellarchitected_backends:
            wa_backend.wellarchitected_backends[account].reset()
        for region in regions:
            backend = wa_backend.get_backend(account, region)
            for index in range(workloads):
                backend.create_workload(
                    {
                        "WorkloadName": f"bench-{region}-{index}",
                        "Description": "benchmark workload",
                        "Environment": "PRODUCTION",
                        "Lenses": ["wellarchitected"],
                        "AwsRegions": [region],
                        "ReviewOwner": "owner@example.com",
                    }
                )


def _shared(account: str, regions: Sequence[str], reviews: str) -> int:
    with wa_backend.LOCK:
        return sum(
            any(share.shared_with == reviews and share.status == "PENDING" for share in workload.shares.values())
            for region in regions
            for workload in wa_backend.get_backend(account, region).workloads.values()
        )


def _measure(run: Run, account: str, sweep_one: SweepOne) -> None:
    before, moto = METER.snapshot(), MOTO_CPU.seconds
    cpu, started = time.process_time(), time.perf_counter()
    sweep_one(account)
    run.seconds.append(time.perf_counter() - started)
    run.cpu_seconds += time.process_time() - cpu
    run.moto_cpu_seconds += MOTO_CPU.seconds - moto
    run.calls += METER.snapshot() - before


def _worker_central(deployment: Deployment, function: str) -> Any:
    return deployment.org.botocore_session(deployment.function_credentials[function])


def _sweep_runner(deployment: Deployment, concurrency: int | None) -> SweepOne:
    """The worker as deployed (or with another REGION_CONCURRENCY): warm, one Sessions for the run."""
    overrides = {"REGION_CONCURRENCY": str(concurrency)} if concurrency else {}
    settings = Settings.from_env(deployment.environment("worker") | overrides)
    sessions = Sessions(
        member_role_name=settings.member_role_name,
        home_region=settings.home_region,
        central=_worker_central(deployment, "worker"),
    )
    sweep_id = str(uuid.uuid4())
    return lambda account: sweep_account(WorkItem(account_id=account, sweep_id=sweep_id), settings, sessions)


def _original_runner(deployment: Deployment, regions: Sequence[str]) -> SweepOne:
    settings = OriginalSettings(
        role_name=str(deployment.parameters["MemberRoleName"]),
        reviews_account=deployment.org.reviews,
        home_region=HOME_REGION,
        regions=frozenset(regions),
    )
    return OriginalSweep(_worker_central(deployment, "worker"), settings).sweep_account


def _sweep_runs(args: argparse.Namespace) -> tuple[list[Run], int, int]:
    regions = DEFAULT_WA_REGIONS[: args.regions]
    with _simulator(), mock_aws():
        org = build_organization(members=args.accounts)
        deployment = deploy(org, regions, forwarders=False)
        install_trust_checks()
        deployed = int(deployment.environment("worker")["REGION_CONCURRENCY"])
        variants: list[Variant] = [
            ("original (sequential)", partial(_original_runner, deployment, regions)),
            (f"sweep (concurrency {deployed}, as deployed)", partial(_sweep_runner, deployment, None)),
        ]
        variants += [
            (f"sweep (concurrency {extra})", partial(_sweep_runner, deployment, extra))
            for extra in dict.fromkeys(args.concurrency)
            if extra != deployed
        ]
        latencies = [args.latency_ms] + ([] if args.no_floor or not args.latency_ms else [0.0])
        runs = _paired_runs(org, regions, args.workloads, [(variant, ms) for ms in latencies for variant in variants])
    return runs, args.accounts * len(regions) * args.workloads, deployed


def _paired_runs(
    org: SimulatedOrganization, regions: Sequence[str], workloads: int, rows: list[tuple[Variant, float]]
) -> list[Run]:
    """Each account is swept by every row (variant and latency) in turn, each time on freshly seeded identical
    data: other processes that slow the machine down slow every row alike (the runs are paired per account).
    Each row has its own warm worker, as a separate deployment would."""
    runners = [(Run(name, ms), make()) for (name, make), ms in rows]
    for _run, sweep_one in runners:
        sweep_one(org.reviews)  # warm-up: models loaded, clients built (the reviews account owns no workload)
    try:
        for account in org.members:
            for run, sweep_one in runners:
                _seed(account, regions, workloads)
                wa_backend.configure_faults(latency_seconds=run.latency_ms / 1000)
                _measure(run, account, sweep_one)
                wa_backend.reset_faults()
                run.shared += _shared(account, regions, org.reviews)
    finally:
        wa_backend.reset_faults()
    for run, _sweep_one in runners:
        print(f"  {run.name} at {run.latency_ms:g} ms: {sum(run.seconds):.1f} s", file=sys.stderr)
    return [run for run, _sweep_one in runners]


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    print(f"wa-share benchmark: python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {_load()}")
    runs, workloads, deployed = _sweep_runs(args)
    title = f"{args.accounts} accounts x {args.regions} regions x {args.workloads} workloads"
    print_sweep(runs, f"{title} ({workloads} workloads, none shared; REGION_CONCURRENCY as deployed: {deployed})")
    if any(run.shared != workloads for run in runs):
        print("a run left workloads unshared: the figures compare unequal work", file=sys.stderr)
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


def _load() -> str:
    """Other processes on the machine share its CPUs with moto: say how busy it was."""
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
