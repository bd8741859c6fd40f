"""`make bench`, the huge account: 18 regions x 400 workloads, none shared, at 100 ms per WA call, swept by the
real worker handler from the queue (as the SQS event source would hand it over) with Lambda's real clock of
remaining time (the function's Timeout, or a shorter one to show the split), until the queue is empty."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from moto import mock_aws

from bench.data import Seeded, seed, shared
from wa_share.sweep.work_items import WorkItem
from wa_share_sandbox import wellarchitected as wa_backend
from wa_share_sandbox.deployment import deploy
from wa_share_sandbox.iam_trust import install_trust_checks
from wa_share_sandbox.metering import METER
from wa_share_sandbox.organization import build_organization
from wa_share_sandbox.runner import FunctionRunner


@dataclass(frozen=True)
class HugeRun:
    regions: int
    per_region: int
    latency_ms: float
    timeout_s: int
    invocations: int
    errors: list[str]  # a function error, a timeout above all, would show here
    splits: int  # work items the worker queued for an account's rest
    longest_s: float
    total_s: float
    calls: int
    shared: int
    workloads: int

    @property
    def finished(self) -> bool:
        return not self.errors and self.shared == self.workloads


def huge_run(regions: Sequence[str], per_region: int, latency_ms: float, timeout_s: int) -> HugeRun:
    """Call inside the benchmark's simulator context."""
    with mock_aws():
        org = build_organization(members=1)
        deployment = deploy(org, tuple(regions), forwarders=False)
        install_trust_checks()
        [member] = org.members
        seeded = Seeded(org.reviews, live_every=0)
        seed(seeded, [member], regions, per_region)
        logs = io.StringIO()
        runner = FunctionRunner(deployment, log_stream=logs)
        sqs = org.client(org.automation, "sqs")
        sqs.send_message(
            QueueUrl=deployment.queue_urls["SweepQueue"],
            MessageBody=WorkItem(account_id=member, sweep_id="huge").to_message(),
        )
        wa_backend.configure_faults(latency_seconds=latency_ms / 1000)
        before, started = METER.snapshot(), time.perf_counter()
        try:
            runs = runner.drain_sweep_queue(max_rounds=200, remaining=lambda: _countdown(timeout_s * 1000))
        finally:
            wa_backend.reset_faults()
        total = time.perf_counter() - started
        return HugeRun(
            regions=len(regions),
            per_region=per_region,
            latency_ms=latency_ms,
            timeout_s=timeout_s,
            invocations=len(runs),
            errors=[run.error for run in runs if run.error],
            splits=logs.getvalue().count("account split: the rest continues in a new work item"),
            longest_s=max(run.seconds for run in runs),
            total_s=total,
            calls=(METER.snapshot() - before).total(),
            shared=shared(member, regions, org.reviews),
            workloads=seeded.workloads,
        )


def _countdown(timeout_ms: int) -> Callable[[], int]:
    """A new invocation's remaining time, counting down in real time from the function's timeout."""
    started = time.monotonic()
    return lambda: timeout_ms - round((time.monotonic() - started) * 1000)


def print_huge(run: HugeRun) -> None:
    print(
        f"\n### Huge account: {run.regions} regions x {run.per_region} workloads, {run.latency_ms:g} ms per WA call\n"
    )
    print("| worker timeout | invocations | accounts split (new items) | longest invocation s | total s "
          "| AWS calls | function errors | shared |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {run.timeout_s} s | {run.invocations} | {run.splits} | {run.longest_s:.1f} | {run.total_s:.1f} | "
        f"{run.calls} | {len(run.errors)} | {run.shared} of {run.workloads} |"
    )
