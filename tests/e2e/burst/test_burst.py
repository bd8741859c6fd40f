"""The burst scenario at a reduced size (`make bench` plays 500): many workloads in one account and region
at once, other accounts at a normal pace, under every rate-limit setting of the simulator."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest

from tests.support.fixtures import simulated_aws
from wa_share_sandbox.burst import BurstFigures, BurstPlan, run_burst
from wa_share_sandbox.deployment import deploy
from wa_share_sandbox.iam_trust import install_trust_checks
from wa_share_sandbox.organization import build_organization
from wa_share_sandbox.share_source import event_source
from wa_share_sandbox.throttle import RATE_SETTINGS, RateLimits

PLAN = BurstPlan(workloads=30, seconds=2.0, others_every=5.0, others_until=60.0)


def play(limits: RateLimits, plan: BurstPlan) -> BurstFigures:
    with simulated_aws():
        org = build_organization(members=3)
        deployment = deploy(org, ("us-east-1", "eu-west-1"))
        install_trust_checks()
        return run_burst(deployment, limits, plan, concurrency=event_source()[1], log_stream=io.StringIO())


@pytest.fixture(scope="module")
def baseline() -> BurstFigures:
    """The other accounts' schedule alone: their latency without the burst."""
    return play(RATE_SETTINGS[-1], replace(PLAN, burst=False))


@pytest.mark.parametrize("limits", RATE_SETTINGS, ids=lambda limits: limits.name)
def test_a_burst_is_shared_whole_with_nothing_given_up_no_alarm_and_others_unhurt(
    limits: RateLimits, baseline: BurstFigures
) -> None:
    figures = play(limits, PLAN)
    assert (figures.workloads, figures.unshared, figures.given_up, figures.alarms) == (PLAN.workloads, 0, 0, [])
    assert figures.peak_concurrency <= event_source()[1]
    if limits.wa_rate is not None:  # the burst outran the limit: throttled, deferred, and still whole
        assert figures.throttled["wellarchitected"] > 0
        # At best one share a call: the drain cannot beat the rate, and stays within minutes.
        assert PLAN.workloads / limits.wa_rate - PLAN.seconds - limits.wa_burst <= figures.drained_after_burst < 600
    # One simulated call (0.1 s) of slack: the baseline is a couple of calls, and the rest is jitter.
    assert figures.others_p99 <= 2 * baseline.others_p99 + 0.1
