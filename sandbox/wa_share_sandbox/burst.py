"""The burst scenario: N workloads created in one account and region within a minute while other accounts
create theirs at a normal pace, played on the sandbox clock against the real share function.

A discrete-event run of the share queue's event source: `concurrency` pollers (the template's
ShareMaximumConcurrency), each taking a batch when it is free and a message is visible; an invocation
starts at its poller's time and lasts what its calls take (SIMULATED_CALL_SECONDS each, plus botocore's
backoff, whole: clock.py). The figures are read from state: a workload counts as shared only once the
Well-Architected backend holds its share, a given-up event only once its record is on the failure queue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TextIO

import wa_share.realtime.new_workload
from wa_share_sandbox import wellarchitected as wa_backend
from wa_share_sandbox.clock import CLOCK
from wa_share_sandbox.deployment import Deployment
from wa_share_sandbox.organization import HOME_REGION, create_workload
from wa_share_sandbox.runner import FunctionRunner, Invocation
from wa_share_sandbox.share_source import jump_to_next_visible
from wa_share_sandbox.throttle import (
    SIMULATED_CALL_SECONDS,
    RateLimits,
    configure_rate_limits,
    exempt,
    throttled_requests,
)

BURST_SECONDS = 60.0


@dataclass(frozen=True)
class BurstPlan:
    workloads: int = 500  # in the burst account and region, within `seconds`
    seconds: float = BURST_SECONDS
    others_every: float = 5.0  # seconds between two other accounts' workloads (round robin)
    others_until: float = 180.0  # the other accounts keep creating until then
    burst: bool = True  # False: the same other accounts' schedule alone (the baseline)


@dataclass
class BurstFigures:
    limits: str
    workloads: int
    drained_after_burst: float = 0.0  # seconds from the burst's end until every burst workload is shared
    unshared: int = 0  # burst workloads without a share at the end (goal 0)
    given_up: int = 0  # records on the share failure queue (goal 0)
    alarms: list[str] = field(default_factory=list)  # alarms the run would fire (goal none)
    others_p99: float = 0.0  # seconds from CreateWorkload to share, other accounts
    peak_concurrency: int = 0
    invocations: int = 0
    calls: int = 0
    throttled: dict[str, int] = field(default_factory=dict)


@dataclass
class _Run:
    runner: FunctionRunner
    concurrency: int
    created: dict[str, tuple[float, bool]] = field(default_factory=dict)  # workload -> (when, in the burst)
    shared: dict[str, float] = field(default_factory=dict)
    spans: list[tuple[float, float]] = field(default_factory=list)


def run_burst(
    deployment: Deployment, limits: RateLimits, plan: BurstPlan, concurrency: int, log_stream: TextIO | None = None
) -> BurstFigures:
    """Play `plan` under `limits` with `concurrency` pollers; the clock is driven, then released. The
    functions' log lines go to `log_stream` (as CloudWatch Logs would keep them)."""
    configure_rate_limits(limits)
    CLOCK.set_now(0.0, call_seconds=SIMULATED_CALL_SECONDS)
    saved_now = wa_share.realtime.new_workload._utc_now
    wa_share.realtime.new_workload._utc_now = CLOCK.utc_now
    try:
        run = _Run(FunctionRunner(deployment, log_stream=log_stream), concurrency)
        before = sum(run.runner.meter.snapshot().values())
        _play(run, _schedule(deployment, plan))
        return _figures(run, deployment, plan, limits, sum(run.runner.meter.snapshot().values()) - before)
    finally:
        wa_share.realtime.new_workload._utc_now = saved_now
        CLOCK.release()


def _schedule(deployment: Deployment, plan: BurstPlan) -> list[tuple[float, str, str, bool]]:
    """(when, account, region, in the burst) of every CreateWorkload, in time order."""
    members = deployment.org.members
    burst_account, others = members[0], members[1:]
    region = deployment.regions[-1]
    planned = []
    if plan.burst:
        step = plan.seconds / plan.workloads
        planned += [(index * step, burst_account, region, True) for index in range(plan.workloads)]
    count = int(plan.others_until / plan.others_every)
    for index in range(count):
        account = others[index % len(others)]
        planned.append((index * plan.others_every + 0.5, account, deployment.regions[index % 2], False))
    return sorted(planned)


def _play(run: _Run, planned: list[tuple[float, str, str, bool]]) -> None:
    free = [0.0] * run.concurrency
    pending = list(planned)
    url = run.runner.deployment.invocation_queue_url
    sqs = run.runner._admin_sqs()
    while True:
        slot = min(range(run.concurrency), key=free.__getitem__)
        now = free[slot]
        while pending and pending[0][0] <= now:
            _create(run, pending.pop(0))
        CLOCK.set_now(now, call_seconds=SIMULATED_CALL_SECONDS)
        messages = run.runner._receive(url, run.runner.share_batch_size)
        if messages:
            views, settled = run.runner.run_share_batch(sqs, url, messages)
            free[slot] = max(CLOCK.now(), now + 0.001)
            run.spans.append((now, free[slot]))
            _note(run, views, settled, free[slot])
            continue
        upcoming = _next_moment(run, pending, now)
        if upcoming is None:
            return
        free = [max(moment, upcoming) for moment in free]


def _next_moment(run: _Run, pending: list[tuple[float, str, str, bool]], now: float) -> float | None:
    """When something next happens: a workload is created, or a deferred message becomes visible."""
    org = run.runner.deployment.org
    visible = None
    if jump_to_next_visible(org.automation, HOME_REGION, run.runner.deployment.invocation_queue_url):
        visible = CLOCK.now()
    moments = [moment for moment in (visible, pending[0][0] if pending else None) if moment is not None]
    return max(now + 0.001, min(moments)) if moments else None


def _create(run: _Run, planned: tuple[float, str, str, bool]) -> None:
    when, account, region, in_burst = planned
    CLOCK.set_now(when, call_seconds=SIMULATED_CALL_SECONDS)
    with exempt():
        workload = create_workload(run.runner.deployment.org, account, region, f"w-{when:09.3f}-{account[-4:]}")
    run.created[workload] = (when, in_burst)


def _note(run: _Run, views: dict[str, Invocation], settled: list[str], when: float) -> None:
    for message_id in settled:
        result = views[message_id].result or {}
        if result.get("status") == "done":
            run.shared.setdefault(str(result["event"]["workload_id"]), when)


def _figures(run: _Run, deployment: Deployment, plan: BurstPlan, limits: RateLimits, calls: int) -> BurstFigures:
    burst = [workload for workload, (_, in_burst) in run.created.items() if in_burst]
    proven = _proven_shared(deployment, run.created)
    figures = BurstFigures(
        limits.name, len(burst), calls=calls, throttled={str(key): value for key, value in throttled_requests().items()}
    )
    figures.unshared = sum(1 for workload in burst if workload not in proven)
    if burst and not figures.unshared:
        last_shared = max(run.shared[workload] for workload in burst)
        figures.drained_after_burst = round(max(0.0, last_shared - plan.seconds), 1)  # 0: shared as they came
    others = sorted(run.shared[w] - when for w, (when, b) in run.created.items() if not b and w in run.shared)
    figures.others_p99 = round(_percentile(others, 0.99), 2) if others else math.nan
    figures.given_up = run.runner.queue_depth("ShareFailureQueue")
    figures.peak_concurrency = _peak(run.spans)
    figures.invocations = len(run.spans)
    batch_errors = sum(1 for invocation in run.runner.invocations if invocation.error and invocation.items > 1)
    fired = {"share-failures": figures.given_up > 0, "share-function-errors": batch_errors > 0}
    figures.alarms = [name for name, yes in fired.items() if yes]
    return figures


def _proven_shared(deployment: Deployment, created: dict[str, tuple[float, bool]]) -> set[str]:
    """Workloads whose backend holds a share to the reviews account: the state that proves the outcome."""
    reviews = str(deployment.parameters["ReviewsAccountIds"][0])
    proven = set()
    for account in deployment.org.members:
        for region in deployment.regions:
            backend = wa_backend.get_backend(account, region)
            for workload in backend.workloads.values():
                rows = workload.shares.values()
                if workload.workload_id in created and any(row.shared_with == reviews for row in rows):
                    proven.add(workload.workload_id)
    return proven


def _percentile(values: list[float], fraction: float) -> float:
    return values[min(len(values) - 1, math.ceil(fraction * len(values)) - 1)]


def _peak(spans: list[tuple[float, float]]) -> int:
    moments = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    peak = current = 0
    for _, step in moments:
        current += step
        peak = max(peak, current)
    return peak
