"""The CLI's settings, without AWS: the deployed sweep worker's, read from its configuration as Lambda
returns it (a stub client here), never rebuilt from a template."""

from __future__ import annotations

from typing import Any

import pytest

from wa_share.domain import DriftPolicy
from wa_share.settings import WorkerSettings
from wa_share_cli.operations.stack import StackError, StackOutputs, deployed_settings

ACCOUNT = "123456789012"
QUEUES = f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}"
OUTPUTS = {
    "CentralEventBusArn": f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/wa-share",
    "SweepWorkerFunctionName": "wa-share-sweep-worker",
}
ENVIRONMENT = {
    "REVIEWS_ACCOUNT_IDS": "111122223333",
    "ORGANIZATION_ID": "o-abcdefghij",
    "MEMBER_ROLE_NAME": "wa-share-member",
    "WA_REGIONS": "eu-west-1,us-east-1",
    "PERMISSION_DRIFT_POLICY": "enforce",
    "SWEEP_QUEUE_URL": f"{QUEUES}/wa-share-sweep",
    "SWEEP_DLQ_URL": f"{QUEUES}/wa-share-sweep-dlq",
}


class StubLambda:
    """GetFunctionConfiguration of one function, and the names it was asked for."""

    def __init__(self, variables: dict[str, str]) -> None:
        self.variables = variables
        self.asked: list[str] = []

    def get_function_configuration(self, *, FunctionName: str) -> dict[str, Any]:
        self.asked.append(FunctionName)
        return {"FunctionName": FunctionName, "Environment": {"Variables": dict(self.variables)}}


def settings_of(variables: dict[str, str]) -> tuple[WorkerSettings, StubLambda]:
    client = StubLambda(variables)
    outputs = StackOutputs("wa-share", "us-east-1", OUTPUTS, {})
    return deployed_settings(client, outputs), client  # type: ignore[arg-type]


def test_the_cli_decides_with_the_deployed_workers_own_environment() -> None:
    settings, client = settings_of(ENVIRONMENT)
    assert client.asked == ["wa-share-sweep-worker"]  # the function the stack's output names
    assert (settings.home_region, settings.reviews_account_ids) == ("us-east-1", ("111122223333",))
    assert settings.wa_regions == ("eu-west-1", "us-east-1")
    assert settings.drift_policy is DriftPolicy.ENFORCE
    assert settings.organization_id == "o-abcdefghij"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("REVIEWS_ACCOUNT_IDS", "11112222333"),
        ("REVIEWS_ACCOUNT_IDS", "1111222233334"),
        ("WA_REGIONS", "auto,us-east-1"),
    ],
)
def test_a_bad_deployed_variable_is_an_error_naming_stack_function_and_variable(variable: str, value: str) -> None:
    with pytest.raises(StackError, match=rf"stack wa-share, function wa-share-sweep-worker: .*\b{variable}\b"):
        settings_of(ENVIRONMENT | {variable: value})
