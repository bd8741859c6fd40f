"""Settings per function, without AWS: defaults, the kind AND the bounds of every variable, and which
function reads which (a missing required variable fails the cold start, naming it)."""

from __future__ import annotations

import pytest

from tests.support.environments import MINIMAL
from wa_share.domain import DEFAULT_RESHARE_STATUSES, DEFAULT_WA_REGIONS, DriftPolicy, Permission
from wa_share.rules.sharing import SharePolicy
from wa_share.settings import (
    FullSweepDay,
    FunctionSettings,
    PlannerSettings,
    ProbeSettings,
    SettingsError,
    ShareFunctionSettings,
    WorkerSettings,
)

MODELS = list(MINIMAL)

# For every variable, values of the wrong kind and values just outside its bounds.
BAD_VALUES = [
    ("AWS_REGION", "us-east", "a region without its number"),
    ("AWS_REGION", "us-east-1a", "an availability zone"),
    ("AWS_REGION", "US-EAST-1", "upper case"),
    ("REVIEWS_ACCOUNT_IDS", "11112222333", "11 digits"),
    ("REVIEWS_ACCOUNT_IDS", "1111222233334", "13 digits"),
    ("REVIEWS_ACCOUNT_IDS", "1111-2222-3333", "dashes"),
    ("REVIEWS_ACCOUNT_IDS", "١١١١٢٢٢٢٣٣٣٣", "digits of another script"),
    ("REVIEWS_ACCOUNT_IDS", "111122223333,11112222333", "one bad among good ones"),
    ("REVIEWS_ACCOUNT_IDS", " , ", "an empty list"),
    ("SHARE_WITH", "o-abc", "an organization ID too short"),
    ("SHARE_WITH", "111122223333", "an account ID"),
    ("MEMBER_ROLE_NAME", "bad/name", "a path"),
    ("MEMBER_ROLE_NAME", "r" * 65, "65 characters"),
    ("SHARE_PERMISSION", "ADMIN", "not a permission"),
    ("SHARE_PERMISSION", "readonly", "lower case"),
    ("PERMISSION_DRIFT_POLICY", "ignore", "not a policy"),
    ("RESHARE_STATUSES", "PENDING", "a live status"),
    ("RESHARE_STATUSES", "EXPIRED,ACCEPTED", "a live status among not-live ones"),
    ("RESHARE_STATUSES", " , ", "an empty list"),
    ("ACCEPTOR_ROLE_NAME", "bad name", "a space"),
    ("ANNOUNCE_TOPIC_ARN", "arn:aws:sqs:us-east-1:123456789012:topic", "another service's ARN"),
    ("ANNOUNCE_TOPIC_ARN", "arn:aws:sns:us-east-1:12345678901:topic", "an 11-digit account"),
    ("ANNOUNCE_BUS_NAME", "bus/name", "a slash"),
    ("PROBE_ACCOUNT_ID", "99998888777", "11 digits"),
    ("PROBE_ACCOUNT_ID", "9999888877776", "13 digits"),
    ("PROBE_REGION", "Europe", "not a region"),
    ("WA_REGIONS", "us-east-1,eu-west-10", "a region-shaped name with two digits"),
    ("WA_REGIONS", "mars-north-1", "four letters"),
    ("WA_REGIONS", "auto,us-east-1", "auto beside regions"),
    ("WA_REGIONS", "us-east-1, auto", "regions beside auto"),
    ("WA_REGIONS", " , ", "an empty list"),
    ("FULL_SWEEP_DAY", "someday", "not a day"),
    ("REGION_CONCURRENCY", "0", "one below 1"),
    ("REGION_CONCURRENCY", "19", "one above 18"),
    ("REGION_CONCURRENCY", "six", "not a number"),
    ("REGION_CONCURRENCY", "1.5", "not an integer"),
    ("WORKLOAD_CONCURRENCY", "0", "one below 1"),
    ("WORKLOAD_CONCURRENCY", "17", "one above 16"),
    ("SWEEP_QUEUE_URL", "sqs/wa-share-sweep", "not a URL"),
    ("SWEEP_DLQ_URL", "http://sqs.us-east-1.amazonaws.com/123456789012/dlq", "not https"),
    ("FAILURE_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/12345678901/q", "an 11-digit account"),
    ("ORGANIZATION_ID", "o-abc", "too short"),
    ("ORGANIZATION_ID", "ou-abcd-abcdefgh", "an OU"),
    ("SHARE_ALLOW_LIST", "1111222233", "10 digits"),
    ("SHARE_ALLOW_LIST", "111122223333,arn:aws:iam::111122223333:group/g", "an IAM group among good ones"),
    ("REALTIME_RESTORE", "maybe", "not a boolean"),
    ("SHARE_QUEUE_URL", "wa-share-share-queue", "not a URL"),
]
BAD_CASES = [
    pytest.param(model, variable, value, id=f"{model.__name__}-{variable}-{why}")
    for variable, value, why in BAD_VALUES
    for model in MODELS
    if variable in model.variables()
]
REQUIRED = [
    pytest.param(model, variable, id=f"{model.__name__}-{variable}") for model in MODELS for variable in MINIMAL[model]
]


def test_every_variable_of_every_function_has_bad_values_tested() -> None:
    read = set().union(*(model.variables() for model in MODELS))
    assert read == {variable for variable, _, _ in BAD_VALUES}


@pytest.mark.parametrize(("model", "variable", "value"), BAD_CASES)
def test_a_bad_value_is_an_error_naming_the_variable(model: type[FunctionSettings], variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=rf"\b{variable}\b"):
        model.from_env(MINIMAL[model] | {variable: value})


@pytest.mark.parametrize(("model", "variable"), REQUIRED)
@pytest.mark.parametrize("absent", [None, "", "   "], ids=["unset", "empty", "blank"])
def test_a_missing_required_variable_fails_the_start_naming_it(
    model: type[FunctionSettings], variable: str, absent: str | None
) -> None:
    env = {name: value for name, value in MINIMAL[model].items() if name != variable}
    if absent is not None:
        env[variable] = absent
    with pytest.raises(SettingsError, match=rf"{variable}: Field required"):
        model.from_env(env)


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_a_function_reads_only_its_own_variables(model: type[FunctionSettings]) -> None:
    """Another function's variable, even malformed, does not concern this one."""
    others = set().union(*(other.variables() for other in MODELS)) - model.variables()
    settings = model.from_env(MINIMAL[model] | dict.fromkeys(others, "not valid anywhere"))
    assert settings == model.from_env(MINIMAL[model])


def test_the_worker_defaults_are_the_documented_ones() -> None:
    settings = WorkerSettings.from_env(MINIMAL[WorkerSettings])
    assert settings.reviews_account_ids == ("111122223333",)
    assert settings.principals == ("111122223333",)
    assert settings.permission is Permission.READONLY
    assert settings.member_role_name == "wa-share-member"
    assert settings.wa_regions == DEFAULT_WA_REGIONS
    assert len(DEFAULT_WA_REGIONS) == 18
    assert settings.reshare_statuses == DEFAULT_RESHARE_STATUSES == {"EXPIRED", "REVOKED", "FAILED"}
    assert settings.drift_policy is DriftPolicy.REPORT
    assert (settings.region_concurrency, settings.workload_concurrency) == (18, 4)
    assert (settings.acceptor_role_name, settings.announce_topic_arn, settings.announce_bus_name) == (None,) * 3
    assert (settings.organization_id, settings.share_allow_list) == ("o-abcdefghij", ())
    assert ShareFunctionSettings.from_env(MINIMAL[ShareFunctionSettings]).realtime_restore is True
    assert not settings.probes.is_probe("999988887777", "wa-share-probe-20261201T000000.000Z-x")
    assert PlannerSettings.from_env(MINIMAL[PlannerSettings]).full_sweep_day is FullSweepDay.SUN


def test_lists_are_stripped_and_deduplicated_in_order() -> None:
    env = MINIMAL[WorkerSettings] | {
        "REVIEWS_ACCOUNT_IDS": " 444455556666, 111122223333,444455556666 ,",
        "WA_REGIONS": "eu-west-1, us-gov-west-1,eu-west-1",
        "SHARE_WITH": "o-abcdefghij , o-abcdefghij",
        "RESHARE_STATUSES": " EXPIRED,REJECTED ,EXPIRED",
        "SHARE_PERMISSION": "CONTRIBUTOR",
        "PERMISSION_DRIFT_POLICY": " enforce ",
    }
    settings = WorkerSettings.from_env(env)
    assert settings.reviews_account_ids == ("444455556666", "111122223333")
    assert settings.wa_regions == ("eu-west-1", "us-gov-west-1")
    assert settings.principals == settings.share_with == ("o-abcdefghij",)  # organization mode
    assert settings.reshare_statuses == {"EXPIRED", "REJECTED"}
    assert (settings.permission, settings.drift_policy) == (Permission.CONTRIBUTOR, DriftPolicy.ENFORCE)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("REGION_CONCURRENCY", "1"),
        ("REGION_CONCURRENCY", "18"),
        ("WORKLOAD_CONCURRENCY", "16"),
        ("MEMBER_ROLE_NAME", "r" * 64),
    ],
)
def test_the_bounds_themselves_are_accepted(variable: str, value: str) -> None:
    settings = WorkerSettings.from_env(MINIMAL[WorkerSettings] | {variable: value})
    field = next(name for name, info in WorkerSettings.model_fields.items() if info.alias == variable)
    assert str(getattr(settings, field)) == value.strip()


@pytest.mark.parametrize("none", ["none", " NONE "])
def test_auto_regions_and_no_resharing(none: str) -> None:
    settings = WorkerSettings.from_env(MINIMAL[WorkerSettings] | {"WA_REGIONS": " auto ", "RESHARE_STATUSES": none})
    assert settings.wa_regions is None  # read from SSM at sweep time
    assert settings.reshare_statuses == frozenset()


def test_the_probe_needs_its_account_and_defaults_to_the_home_region() -> None:
    settings = ProbeSettings.from_env(MINIMAL[ProbeSettings])
    assert settings.probe_region == "us-east-1"
    assert settings.probes.is_probe("999988887777", "wa-share-probe-20261201T000000.000Z-x")
    assert not settings.probes.is_probe("111122223333", "wa-share-probe-20261201T000000.000Z-x")
    assert ProbeSettings.from_env(MINIMAL[ProbeSettings] | {"PROBE_REGION": "eu-west-1"}).probe_region == "eu-west-1"


def test_the_share_policy_is_made_of_the_sharing_settings() -> None:
    env = MINIMAL[ShareFunctionSettings] | {"SHARE_PERMISSION": "CONTRIBUTOR", "RESHARE_STATUSES": "EXPIRED"}
    policy = SharePolicy.from_settings(ShareFunctionSettings.from_env(env))
    assert policy == SharePolicy("CONTRIBUTOR", DriftPolicy.REPORT, frozenset({"EXPIRED"}))


def test_settings_are_frozen() -> None:
    settings = ShareFunctionSettings.from_env(MINIMAL[ShareFunctionSettings])
    with pytest.raises(ValueError, match="frozen"):
        settings.home_region = "eu-west-1"  # type: ignore[misc]
