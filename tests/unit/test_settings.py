from __future__ import annotations

import pytest

from wa_share.settings import DEFAULT_WA_REGIONS, DriftPolicy, Permission, Settings, SettingsError

BASE = {"AWS_REGION": "us-east-1", "REVIEWS_ACCOUNT_IDS": "111122223333"}


def test_defaults_are_the_documented_ones() -> None:
    settings = Settings.from_env(BASE)
    assert settings.reviews_account_ids == ("111122223333",)
    assert settings.permission is Permission.READONLY
    assert settings.member_role_name == "wa-share-member"
    assert settings.wa_regions == DEFAULT_WA_REGIONS
    assert len(DEFAULT_WA_REGIONS) == 18
    assert settings.reshare_statuses == {"EXPIRED", "REVOKED", "FAILED"}  # a rejection is reported, not re-invited
    assert settings.drift_policy is DriftPolicy.REPORT
    assert settings.region_concurrency == 18
    assert settings.failure_queue_url is None


def test_lists_are_parsed_and_deduplicated() -> None:
    env = BASE | {
        "REVIEWS_ACCOUNT_IDS": " 111122223333, 444455556666,111122223333 ",
        "WA_REGIONS": "eu-west-1,us-gov-west-1",
        "RESHARE_STATUSES": "EXPIRED",
        "SHARE_PERMISSION": "CONTRIBUTOR",
        "PERMISSION_DRIFT_POLICY": "enforce",
    }
    settings = Settings.from_env(env)
    assert settings.reviews_account_ids == ("111122223333", "444455556666")
    assert settings.wa_regions == ("eu-west-1", "us-gov-west-1")
    assert settings.reshare_statuses == {"EXPIRED"}
    assert settings.permission is Permission.CONTRIBUTOR
    assert settings.drift_policy is DriftPolicy.ENFORCE


def test_auto_regions_and_no_resharing() -> None:
    settings = Settings.from_env(BASE | {"WA_REGIONS": "auto", "RESHARE_STATUSES": "none"})
    assert settings.wa_regions is None
    assert settings.reshare_statuses == frozenset()


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"AWS_REGION": "us-east-1"}, "REVIEWS_ACCOUNT_IDS"),
        ({"REVIEWS_ACCOUNT_IDS": "111122223333"}, "AWS_REGION"),
        (BASE | {"REVIEWS_ACCOUNT_IDS": "1111-2222-3333"}, "REVIEWS_ACCOUNT_IDS"),
        (BASE | {"REVIEWS_ACCOUNT_IDS": " , "}, "REVIEWS_ACCOUNT_IDS"),
        (BASE | {"SHARE_PERMISSION": "ADMIN"}, "SHARE_PERMISSION"),
        (BASE | {"MEMBER_ROLE_NAME": "bad/name"}, "MEMBER_ROLE_NAME"),
        (BASE | {"WA_REGIONS": "mars-north-1,us-east-1"}, "WA_REGIONS"),
        (BASE | {"RESHARE_STATUSES": "PENDING"}, "RESHARE_STATUSES"),
        (BASE | {"PERMISSION_DRIFT_POLICY": "ignore"}, "PERMISSION_DRIFT_POLICY"),
        (BASE | {"REGION_CONCURRENCY": "six"}, "REGION_CONCURRENCY"),
        (BASE | {"REGION_CONCURRENCY": "0"}, "REGION_CONCURRENCY"),
    ],
)
def test_a_bad_variable_is_an_error_naming_it(env: dict[str, str], names: str) -> None:
    with pytest.raises(SettingsError, match=names):
        Settings.from_env(env)


def test_the_probe_account_and_region_are_optional_and_checked() -> None:
    settings = Settings.from_env(BASE)
    assert (settings.probe_account_id, settings.probe_region) == (None, "us-east-1")
    assert not settings.probes.is_probe("111122223333", "wa-share-probe-20261201T000000.000Z-x")
    settings = Settings.from_env(BASE | {"PROBE_ACCOUNT_ID": "999988887777", "PROBE_REGION": "eu-west-1"})
    assert settings.probe_region == "eu-west-1"
    assert settings.probes.is_probe("999988887777", "wa-share-probe-20261201T000000.000Z-x")
    for name, value in (("PROBE_ACCOUNT_ID", "9999"), ("PROBE_REGION", "Europe")):
        with pytest.raises(SettingsError, match=name):
            Settings.from_env(BASE | {name: value})
