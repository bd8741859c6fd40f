"""The simulator's rate limits (wa_share_sandbox/throttle.py): token buckets per account and region that
refill by the sandbox clock, answering as AWS does, under every setting."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.support.fixtures import simulated_aws
from wa_share.aws.access import BOTO_CONFIG
from wa_share_sandbox.clock import CLOCK
from wa_share_sandbox.throttle import (
    RATE_SETTINGS,
    THROTTLED_SETTINGS,
    RateLimits,
    configure_rate_limits,
    install_rate_limits,
    throttled_requests,
)

NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})
ACCOUNT = "123456789012"


@pytest.fixture(autouse=True)
def _simulated() -> Iterator[None]:
    install_rate_limits()
    with simulated_aws():
        CLOCK.set_now(0.0)  # only the test moves time
        yield


def _list(region: str = "eu-west-1") -> str:
    client = boto3.client("wellarchitected", region_name=region, config=NO_RETRIES)
    try:
        client.list_workloads()
    except ClientError as error:
        status = error.response["ResponseMetadata"]["HTTPStatusCode"]
        return f"{error.response['Error']['Code']} {status}"
    return "ok"


def _assume() -> str:
    sts = boto3.client("sts", region_name="us-east-1", config=NO_RETRIES)
    try:
        sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/any", RoleSessionName="rate-test")
    except ClientError as error:
        status = error.response["ResponseMetadata"]["HTTPStatusCode"]
        return f"{error.response['Error']['Code']} {status}"
    return "ok"


@pytest.mark.parametrize("limits", THROTTLED_SETTINGS, ids=lambda limits: limits.name)
def test_the_wa_bucket_takes_its_burst_then_throttles_as_aws_does_and_refills_by_the_sandbox_clock(
    limits: RateLimits,
) -> None:
    configure_rate_limits(limits)
    assert limits.wa_rate is not None
    assert [_list() for _ in range(limits.wa_burst)] == ["ok"] * limits.wa_burst
    assert _list() == "ThrottlingException 429"
    assert _list(region="us-east-1") == "ok", "each region has its own bucket"
    CLOCK.advance(1 / limits.wa_rate)
    assert _list() == "ok"
    assert _list() == "ThrottlingException 429"
    assert throttled_requests()["wellarchitected"] == 2


@pytest.mark.parametrize("limits", THROTTLED_SETTINGS, ids=lambda limits: limits.name)
def test_the_sts_bucket_answers_throttling_with_400(limits: RateLimits) -> None:
    configure_rate_limits(limits)
    assert limits.sts_rate is not None
    assert {_assume() for _ in range(limits.sts_burst)} == {"ok"}
    assert _assume() == "Throttling 400"
    CLOCK.advance(1 / limits.sts_rate)
    assert _assume() == "ok"


@pytest.mark.parametrize("limits", RATE_SETTINGS, ids=lambda limits: limits.name)
def test_botocore_retries_a_throttle_and_its_backoff_refills_the_bucket(limits: RateLimits) -> None:
    """The sandbox shortens botocore's backoff; the clock still moves by the whole delay, so a retried call
    meets the refill AWS would give it: a limit of one a second is survived by standard retries."""
    configure_rate_limits(limits)
    from wa_share_sandbox.clock import compress_retry_backoff

    compress_retry_backoff()
    client = boto3.client("wellarchitected", region_name="eu-west-1", config=BOTO_CONFIG)
    for _ in range(25):
        client.list_workloads()
    assert (throttled_requests()["wellarchitected"] > 0) is (limits.wa_rate is not None)
