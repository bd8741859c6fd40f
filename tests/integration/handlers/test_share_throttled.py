"""The share function meeting Well-Architected's rate limit: a throttled event is sent back to the share
queue, and on its return takes the path its history allows (one call while it changed nothing, list first
once a share may have been made), under each setting of the token switch the one-call path leans on."""

from __future__ import annotations

import pytest

from tests.support.shares import share_rows
from wa_share.realtime import new_workload
from wa_share_sandbox import wellarchitected as wellarchitected_backend
from wa_share_sandbox.clock import CLOCK
from wa_share_sandbox.deployment import Deployment
from wa_share_sandbox.metering import METER, install_meter
from wa_share_sandbox.organization import SimulatedOrganization, create_workload
from wa_share_sandbox.runner import FunctionRunner
from wa_share_sandbox.throttle import RateLimits, configure_rate_limits, exempt, reset_rate_limits

# One call, then one every two seconds: the second of two events at once is throttled.
ONE_CALL = RateLimits("one call", wa_rate=0.5, wa_burst=1)
# One call, then one after a minute and a half: a throttled event returns well past 60 s after its creation.
SLOW_REFILL = RateLimits("slow refill", wa_rate=1 / 90, wa_burst=1)
# Three calls at once: two workloads shared with two principals each, the fourth share throttled. The list
# and create of the list-first path need two calls in a row.
THREE_CALLS = RateLimits("three calls", wa_rate=0.5, wa_burst=3)


@pytest.fixture(params=[True, False], ids=["outlives", "forgotten"])
def token_outlives_share(request: pytest.FixtureRequest, moto_aws: None) -> bool:
    wellarchitected_backend.configure_lifecycle(token_outlives_share=request.param)
    return bool(request.param)


def _at_once(org: SimulatedOrganization, names: list[str], limits: RateLimits = ONE_CALL) -> list[str]:
    configure_rate_limits(limits)
    with exempt():  # the owner's own CreateWorkload calls: not the function's to pay for
        return [create_workload(org, org.members[0], "us-east-1", name) for name in names]


def test_a_throttled_new_workload_keeps_the_one_call_path_and_is_shared_once(
    token_outlives_share: bool, org: SimulatedOrganization, runner: FunctionRunner
) -> None:
    workloads = _at_once(org, ["first", "second", "third"])
    install_meter()
    before = METER.snapshot()
    invocations = runner.deliver_share_events()
    calls = METER.snapshot() - before
    reset_rate_limits()  # the test's own reads below are not the function's to pay for
    assert [len(share_rows(org, org.members[0], "us-east-1", workload)) for workload in workloads] == [1, 1, 1]
    assert {item["reason"] for invocation in invocations for item in invocation.result["results"]} == {"new workload"}
    assert calls["wellarchitected:ListWorkloadShares"] == 0  # no event fell back to listing first
    # One successful create each, and at least one refused by the throttle, whose event was sent back.
    assert calls["wellarchitected:CreateWorkloadShare"] > 3
    assert calls["sqs:SendMessage"] > 0


def test_a_copy_returning_minutes_after_its_event_still_makes_one_call(
    token_outlives_share: bool, org: SimulatedOrganization, runner: FunctionRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(new_workload, "_utc_now", CLOCK.utc_now)  # the function's "now" is the sandbox clock
    started = CLOCK.now()
    workloads = _at_once(org, ["first", "second"], SLOW_REFILL)
    install_meter()
    before = METER.snapshot()
    runner.deliver_share_events()
    calls = METER.snapshot() - before
    reset_rate_limits()
    assert CLOCK.now() - started > 60  # the second could not be shared within its first minute
    assert [len(share_rows(org, org.members[0], "us-east-1", workload)) for workload in workloads] == [1, 1]
    assert calls["wellarchitected:ListWorkloadShares"] == 0  # fresh on its return, however late: no list


def test_a_throttle_after_one_share_was_made_lists_first_on_return_and_makes_no_second(
    token_outlives_share: bool, org: SimulatedOrganization, deployment: Deployment
) -> None:
    deployment.function_env |= {"REVIEWS_ACCOUNT_IDS": f"{org.reviews},{org.management}"}
    runner = FunctionRunner(deployment)
    workloads = _at_once(org, ["first", "second"], THREE_CALLS)
    install_meter()
    before = METER.snapshot()
    first, second = runner.deliver_share_events()
    calls = METER.snapshot() - before
    reset_rate_limits()  # the test's own reads below are not the function's to pay for
    assert calls["wellarchitected:ListWorkloadShares"] >= 1  # the copy listed first: a share was made before
    for workload in workloads:
        shares = share_rows(org, org.members[0], "us-east-1", workload)
        assert sorted(share["SharedWith"] for share in shares) == sorted([org.reviews, org.management])
    assert [item["outcome"] for item in first.result["results"]] == ["created", "created"]
    # On its return the share made before the throttle is found (and the other made; or found too, when the
    # proof of the other was throttled in turn and the event came back once more); none was made twice.
    outcomes = sorted(item["outcome"] for item in second.result["results"])
    assert outcomes in (["already_shared", "created"], ["already_shared", "already_shared"])
