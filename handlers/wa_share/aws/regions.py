"""Which regions to look at in one account: Well-Architected regions that the account has enabled.

The one region selection of the sweep (worker and `wa-share sweep --local`), `wa-share report` and
`wa-share doctor`: `regions_wanted` once per run, `account_regions` once per account.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wa_share.aws.access import Sessions, aws_call, partition_of

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_ssm import SSMClient

WA_REGIONS_PARAMETER = "/aws/service/global-infrastructure/services/wellarchitectedtool/regions"
ENABLED_OPT_IN_STATUSES = frozenset({"opt-in-not-required", "opted-in"})


@dataclass(frozen=True)
class AccountRegions:
    visit: tuple[str, ...]  # wanted and enabled in the account
    skipped: tuple[str, ...]  # wanted, but the account has not enabled them (opt-in regions)


def regions_wanted(
    sessions: Sessions, home_region: str, *, chosen: Sequence[str] = (), configured: Sequence[str] | None = None
) -> tuple[str, ...]:
    """The regions chosen (a work item's, an operator's --region), else the deployment's WaRegions
    (`configured`), else the live list from SSM (WaRegions=auto); each once, in the order given."""
    if chosen:
        return tuple(dict.fromkeys(chosen))
    if configured:
        return tuple(dict.fromkeys(configured))
    return wa_regions_from_ssm(sessions.central.ssm(home_region), partition_of(home_region))


def account_regions(wanted: Sequence[str], ec2: EC2Client, account_id: str) -> AccountRegions:
    """`wanted` split by what the account has enabled (one DescribeRegions in the account)."""
    enabled = enabled_regions(ec2, account_id)
    return AccountRegions(
        visit=tuple(region for region in wanted if region in enabled),
        skipped=tuple(region for region in wanted if region not in enabled),
    )


def wa_regions_from_ssm(ssm: SSMClient, partition: str) -> tuple[str, ...]:
    """The live list of WA regions (SSM public parameters), limited to one partition (it lists GovCloud too)."""
    paginator = ssm.get_paginator("get_parameters_by_path")
    with aws_call("ssm:GetParametersByPath", WA_REGIONS_PARAMETER):
        regions = {
            parameter["Value"]
            for page in paginator.paginate(Path=WA_REGIONS_PARAMETER)
            for parameter in page.get("Parameters", [])
        }
    return tuple(sorted(region for region in regions if partition_of(region) == partition))


def enabled_regions(ec2: EC2Client, account_id: str) -> frozenset[str]:
    """Regions enabled in the account: real AWS omits disabled ones, moto lists them as not-opted-in."""
    with aws_call("ec2:DescribeRegions", f"account {account_id}"):
        response = ec2.describe_regions()
    return frozenset(
        region["RegionName"]
        for region in response.get("Regions", [])
        if region.get("OptInStatus", "opt-in-not-required") in ENABLED_OPT_IN_STATUSES
    )
