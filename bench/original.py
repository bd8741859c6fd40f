"""The original daily solution's sweep of one account, re-implemented for the benchmark only.

Written from its described behaviour (aws-facts.md, "The original daily solution"), not from its code.
Per account: the AssumeRole its planner made (900 s credentials, sent on the queue); then, in the worker,
the SSM list of Well-Architected regions, and every region one after the other: ListWorkloads (paged),
and per workload ListWorkloadShares(SharedWithPrefix=reviews account) — no status filter, no paging —
and CreateWorkloadShare when that list is empty. Default botocore configuration, as in the original.

It keeps the original's defects that do not change the benchmark's work on fresh data (no owner filter,
dead shares count as shared, the first error ends the account). One is corrected so both algorithms visit
the same regions: GovCloud entries of the SSM list are dropped (the original would fail on them).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import botocore.session

WA_REGIONS_PARAMETER = "/aws/service/global-infrastructure/services/wellarchitectedtool/regions"
CREDENTIAL_SECONDS = 900


@dataclass(frozen=True)
class OriginalSettings:
    role_name: str
    reviews_account: str
    home_region: str
    regions: frozenset[str]  # the benchmark's regions: the SSM list is filtered to them


class OriginalSweep:
    """One warm worker of the original solution: its own clients persist, member clients do not."""

    def __init__(self, central: botocore.session.Session, settings: OriginalSettings) -> None:
        self._central = central
        self._settings = settings
        self._sts: Any = central.create_client("sts", region_name=settings.home_region)
        self._ssm: Any = central.create_client("ssm", region_name=settings.home_region)

    def sweep_account(self, account_id: str) -> int:
        """Returns the number of shares created; the first error ends the account (as in the original)."""
        credentials = self._assume(account_id)
        created = 0
        for region in self._regions():
            wa: Any = self._central.create_client(
                "wellarchitected",
                region_name=region,
                aws_access_key_id=credentials["aws_access_key_id"],
                aws_secret_access_key=credentials["aws_secret_access_key"],
                aws_session_token=credentials["aws_session_token"],
            )
            for summary in _workloads(wa):
                shares = wa.list_workload_shares(
                    WorkloadId=summary["WorkloadId"], SharedWithPrefix=self._settings.reviews_account
                )["WorkloadShareSummaries"]
                if not shares:
                    wa.create_workload_share(
                        WorkloadId=summary["WorkloadId"],
                        SharedWith=self._settings.reviews_account,
                        PermissionType="READONLY",
                        ClientRequestToken=str(uuid.uuid4()),
                    )
                    created += 1
        return created

    def _assume(self, account_id: str) -> dict[str, str]:
        issued = self._sts.assume_role(
            RoleArn=f"arn:aws:iam::{account_id}:role/{self._settings.role_name}",
            RoleSessionName="original-daily-share",
            DurationSeconds=CREDENTIAL_SECONDS,
        )["Credentials"]
        return {
            "aws_access_key_id": issued["AccessKeyId"],
            "aws_secret_access_key": issued["SecretAccessKey"],
            "aws_session_token": issued["SessionToken"],
        }

    def _regions(self) -> list[str]:
        regions: list[str] = []
        kwargs: dict[str, str] = {"Path": WA_REGIONS_PARAMETER}
        while True:
            page = self._ssm.get_parameters_by_path(**kwargs)
            regions.extend(parameter["Value"] for parameter in page["Parameters"])
            if "NextToken" not in page:
                return [region for region in regions if region in self._settings.regions]
            kwargs["NextToken"] = page["NextToken"]


def _workloads(wa: Any) -> Iterator[dict[str, Any]]:
    kwargs: dict[str, Any] = {"MaxResults": 50}
    while True:
        page = wa.list_workloads(**kwargs)
        yield from page["WorkloadSummaries"]
        if "NextToken" not in page:
            return
        kwargs["NextToken"] = page["NextToken"]
