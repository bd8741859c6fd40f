"""Which regions the sweep visits: SSM's public list (one partition) and the regions an account enabled."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from wa_share.aws.access import Sessions
from wa_share.aws.regions import AccountRegions, account_regions, enabled_regions, regions_wanted, wa_regions_from_ssm
from wa_share.domain import DEFAULT_WA_REGIONS


@pytest.fixture(autouse=True)
def _no_default_amis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")  # ~0.5 s per EC2 backend, never read here


def test_the_ssm_list_is_paged_and_limited_to_the_partition(moto_aws: None) -> None:
    ssm: Any = boto3.client("ssm", region_name="us-east-1")
    commercial = wa_regions_from_ssm(ssm, "aws")
    assert sorted(commercial) == sorted(DEFAULT_WA_REGIONS)  # moto pages it 10 at a time
    assert wa_regions_from_ssm(ssm, "aws-us-gov") == ("us-gov-east-1", "us-gov-west-1")


def test_regions_an_account_has_not_opted_into_are_not_enabled(moto_aws: None) -> None:
    ec2: Any = boto3.client("ec2", region_name="us-east-1")
    enabled = enabled_regions(ec2, "123456789012")
    assert {"us-east-1", "eu-west-1", "sa-east-1"} <= enabled
    assert not {"ap-east-1", "me-south-1"} & enabled  # moto: OptInStatus not-opted-in


def test_the_regions_chosen_come_first_then_the_deployments_then_ssms(moto_aws: None) -> None:
    sessions = Sessions(member_role_name="wa-share-member", home_region="us-east-1")
    chosen = ("eu-west-1", "us-east-1", "eu-west-1")
    assert regions_wanted(sessions, "us-east-1", chosen=chosen, configured=("sa-east-1",)) == ("eu-west-1", "us-east-1")
    assert regions_wanted(sessions, "us-east-1", configured=("sa-east-1", "sa-east-1")) == ("sa-east-1",)
    assert sorted(regions_wanted(sessions, "us-east-1", configured=None)) == sorted(DEFAULT_WA_REGIONS)
    assert regions_wanted(sessions, "us-gov-west-1") == ("us-gov-east-1", "us-gov-west-1")


def test_an_accounts_regions_are_the_wanted_ones_it_enabled_in_order(moto_aws: None) -> None:
    ec2: Any = boto3.client("ec2", region_name="us-east-1")
    regions = account_regions(("me-south-1", "eu-west-1", "ap-east-1", "us-east-1"), ec2, "123456789012")
    assert regions == AccountRegions(visit=("eu-west-1", "us-east-1"), skipped=("me-south-1", "ap-east-1"))
