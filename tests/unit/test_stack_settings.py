"""The CLI's settings, without AWS: the sweep worker's, rebuilt from a stack's parameters and outputs
through the worker's environment in template.yaml (the functions decide by nothing else)."""

from __future__ import annotations

import pytest

from wa_share.domain import DEFAULT_WA_REGIONS, DriftPolicy
from wa_share_cli.operations.stack import StackError, StackOutputs

ACCOUNT = "123456789012"
QUEUES = f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}"
OUTPUTS = {
    "CentralEventBusArn": f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/wa-share",
    "SweepQueueUrl": f"{QUEUES}/wa-share-sweep",
    "SweepDeadLetterQueueUrl": f"{QUEUES}/wa-share-sweep-dlq",
    "ShareFailureQueueUrl": f"{QUEUES}/wa-share-failures",
    "ReviewsAccountIds": "111122223333",
    "OrganizationId": "o-abcdefghij",
}


def stack(**parameters: str) -> StackOutputs:
    return StackOutputs("wa-share", "us-east-1", OUTPUTS, {"ReviewsAccountIds": "111122223333"} | parameters)


def test_the_cli_decides_with_the_workers_settings_from_the_stack() -> None:
    settings = stack(WaRegions="eu-west-1,us-east-1", WaOptInRegions="", PermissionDriftPolicy="enforce").settings()
    assert (settings.home_region, settings.reviews_account_ids) == ("us-east-1", ("111122223333",))
    assert settings.wa_regions == ("eu-west-1", "us-east-1")
    opt_in = stack(WaRegions="eu-west-1", WaOptInRegions="me-south-1").settings()
    assert opt_in.wa_regions == ("eu-west-1", "me-south-1")  # the sweep covers both lists
    assert settings.drift_policy is DriftPolicy.ENFORCE
    assert (settings.sweep_queue_url, settings.sweep_dlq_url) == (
        OUTPUTS["SweepQueueUrl"],
        OUTPUTS["SweepDeadLetterQueueUrl"],
    )
    assert settings.probe_account_id == ACCOUNT  # the stack's account, from the bus ARN
    assert settings.organization_id == "o-abcdefghij"
    assert stack().settings().wa_regions == DEFAULT_WA_REGIONS  # the template's default parameter


@pytest.mark.parametrize(
    ("parameter", "value", "variable"),
    [
        ("ReviewsAccountIds", "11112222333", "REVIEWS_ACCOUNT_IDS"),
        ("ReviewsAccountIds", "1111222233334", "REVIEWS_ACCOUNT_IDS"),
        ("RegionConcurrency", "19", "REGION_CONCURRENCY"),
        ("WaRegions", "auto,us-east-1", "WA_REGIONS"),
    ],
)
def test_a_stack_with_a_bad_parameter_is_an_error_naming_stack_and_variable(
    parameter: str, value: str, variable: str
) -> None:
    with pytest.raises(StackError, match=rf"stack wa-share: .*\b{variable}\b"):
        stack(**{parameter: value}).settings()
