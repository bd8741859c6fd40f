"""`python -m bench.burst` (part of `make bench`): the burst scenario at full size under every rate-limit
setting, against the other accounts' latency without the burst measured in the same run; then the nightly
sweep's time per account and region on the simulator's clock, and the 5,000-account window it implies.

Not a test: nothing here asserts speed. Times are simulated seconds (sandbox clock: 0.1 s per AWS call,
botocore's backoff whole), not this machine's wall time.
"""

from __future__ import annotations

import argparse
import io
import math
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace

from tests.support.fixtures import simulated_aws
from wa_share.observability import logger, metrics
from wa_share_sandbox.burst import BurstFigures, BurstPlan, run_burst
from wa_share_sandbox.cfn_templates import load_template, templates_root
from wa_share_sandbox.clock import CLOCK
from wa_share_sandbox.deployment import Deployment, deploy
from wa_share_sandbox.iam_trust import install_trust_checks
from wa_share_sandbox.metering import install_meter
from wa_share_sandbox.organization import build_organization, create_workload
from wa_share_sandbox.runner import FunctionRunner
from wa_share_sandbox.share_source import event_source
from wa_share_sandbox.throttle import (
    RATE_SETTINGS,
    SIMULATED_CALL_SECONDS,
    RateLimits,
    configure_rate_limits,
    exempt,
    throttled_requests,
)

REGIONS = ("us-east-1", "eu-west-1")
ORGANIZATION = 5000


@contextmanager
def _deployed(members: int) -> Iterator[Deployment]:
    level = logger.log_level
    logger.setLevel("WARNING")
    install_meter()
    try:
        with simulated_aws():
            org = build_organization(members=members)
            deployment = deploy(org, REGIONS)
            install_trust_checks()
            yield deployment
    finally:
        logger.setLevel(level)
        metrics.clear_metrics()


def burst_row(plan: BurstPlan, limits: RateLimits) -> tuple[BurstFigures, BurstFigures]:
    """The other accounts alone, then with the burst: both under `limits`."""
    concurrency = event_source()[1]
    with _deployed(4) as deployment:
        without = run_burst(deployment, limits, replace(plan, burst=False), concurrency, io.StringIO())
    with _deployed(4) as deployment:
        burst = run_burst(deployment, limits, plan, concurrency, io.StringIO())
    return without, burst


def print_burst_header(plan: BurstPlan) -> None:
    print(f"\nburst: {plan.workloads} workloads in one account and region within {plan.seconds:.0f} s; 3 other "
          f"accounts create one every {plan.others_every:.0f} s until {plan.others_until:.0f} s; "
          f"ShareMaximumConcurrency {event_source()[1]}")  # fmt: skip
    print("| rate limits (WA / STS) | drained after burst end | unshared | given up | alarms | others p99 with "
          "burst / without | ratio | peak concurrency | invocations | AWS calls | throttled WA / STS |")  # fmt: skip
    print("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|")


def print_burst_row(limits: RateLimits, without: BurstFigures, burst: BurstFigures) -> None:
    ratio = burst.others_p99 / without.others_p99 if without.others_p99 else math.nan
    print(f"| {_limits(limits)} | {burst.drained_after_burst:.0f} s | {burst.unshared} | {burst.given_up} | "
          f"{', '.join(burst.alarms) or 'none'} | {burst.others_p99:.2f} / {without.others_p99:.2f} s | "
          f"{ratio:.1f}x | {burst.peak_concurrency} | {burst.invocations} | {burst.calls} | "
          f"{burst.throttled['wellarchitected']} / {burst.throttled['sts']} |", flush=True)  # fmt: skip


def _limits(limits: RateLimits) -> str:
    if limits.wa_rate is None:
        return "unlimited"
    return (
        f"{limits.name}: {limits.wa_rate:g}/s burst {limits.wa_burst} / {limits.sts_rate:g}/s burst {limits.sts_burst}"
    )


def sweep_seconds(limits: RateLimits, accounts: int, workloads: int) -> tuple[float, float, int]:
    """Simulated seconds per account and region of the real worker, one region and one workload at a time:
    (installation night: nothing shared, the next night: everything shared, AWS calls of the first)."""
    with _deployed(accounts) as deployment:
        for variable in ("REGION_CONCURRENCY", "WORKLOAD_CONCURRENCY"):
            deployment.function_env[variable] = "1"  # sequential: the driven clock then times it exactly
        with exempt():
            for account in deployment.org.members:
                for region in REGIONS:
                    for index in range(workloads):
                        create_workload(deployment.org, account, region, f"sweep-{index}")
        runner = FunctionRunner(deployment, log_stream=io.StringIO())
        runner.discard_share_events()  # the real-time path never saw them: the sweep's night
        figures = []
        for _night in range(2):
            configure_rate_limits(limits)  # a day later every bucket is full again
            CLOCK.set_now(0.0, call_seconds=SIMULATED_CALL_SECONDS)
            before = sum(runner.meter.snapshot().values())
            runner.run_sweep(max_rounds=100)
            figures.append((CLOCK.now(), sum(runner.meter.snapshot().values()) - before))
            CLOCK.release()
        pairs = len(deployment.org.members) * len(REGIONS)
        return figures[0][0] / pairs, figures[1][0] / pairs, figures[0][1] // pairs


def print_sweep_model(rows: list[tuple[RateLimits, tuple[float, float, int]]], concurrency: int) -> None:
    print(f"\nsweep, per account and region (real worker, sequential, simulated clock) and the {ORGANIZATION:,}-"
          f"account window at SweepMaximumConcurrency {concurrency}, 18 regions in parallel (as deployed) or "
          "one after another (the bound)")  # fmt: skip
    print("| rate limits | installation night s/region | next night s/region | calls/region (first night) | "
          "window, regions in parallel | window, regions in sequence | AssumeRole/s (in parallel) |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|")
    waves = math.ceil(ORGANIZATION / concurrency)
    for limits, (first, steady, calls) in rows:
        parallel, sequential = waves * first / 60, waves * first * 18 / 60
        print(f"| {_limits(limits)} | {first:.1f} | {steady:.1f} | {calls} | {parallel:.0f} min | "
              f"{sequential:.0f} min | {concurrency / first:.1f} |")  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.burst", description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", type=int, default=500, help="in the burst (default 500)")
    parser.add_argument("--quick", action="store_true", help="a burst of 50")
    names = [limits.name for limits in RATE_SETTINGS]
    parser.add_argument("--limits", choices=names, action="append", help="one rate-limit setting (default: all)")
    args = parser.parse_args(argv)
    plan = BurstPlan(workloads=50 if args.quick else args.workloads)
    settings = [limits for limits in RATE_SETTINGS if limits.name in (args.limits or names)]
    started = time.perf_counter()
    sweep = [(limits, sweep_seconds(limits, 3, 3)) for limits in settings]
    template = load_template(templates_root() / "template.yaml")
    print_sweep_model(sweep, int(template["Parameters"]["SweepMaximumConcurrency"]["Default"]))
    print_burst_header(plan)
    failed = 0
    for limits in settings:
        without, burst = burst_row(plan, limits)
        print_burst_row(limits, without, burst)
        failed += bool(burst.unshared or burst.given_up or burst.alarms)
    print(f"\n{time.perf_counter() - started:.0f} s of wall time; throttled in the last run: {throttled_requests()}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
