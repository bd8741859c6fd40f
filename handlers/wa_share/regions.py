"""Which regions to sweep in one account: Well-Architected regions that the account has enabled."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wa_share.aws import aws_call, partition_of

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_ssm import SSMClient

WA_REGIONS_PARAMETER = "/aws/service/global-infrastructure/services/wellarchitectedtool/regions"
ENABLED_OPT_IN_STATUSES = frozenset({"opt-in-not-required", "opted-in"})


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
