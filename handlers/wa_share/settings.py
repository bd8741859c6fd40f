"""Typed settings, one model per function, read once from the environment.

Each function reads exactly the variables its model names (the field aliases; a test holds template.yaml's
environment of every function equal to them). A value the function cannot work without is a field without
default, so a missing one fails the cold start, naming the variable, before any event is touched. An empty
variable counts as unset, as CloudFormation writes an empty parameter.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, ValidationError

from wa_share.domain import (
    ACCOUNT_ID,
    ALLOWED_PRINCIPAL,
    BUS_NAME,
    DEFAULT_RESHARE_STATUSES,
    DEFAULT_WA_REGIONS,
    NOT_LIVE_STATUSES,
    ORGANIZATION_ID,
    ORGANIZATION_PRINCIPAL,
    REGION,
    REGIONS_FROM_SSM,
    ROLE_NAME,
    TOPIC_ARN,
    DriftPolicy,
    Permission,
)
from wa_share.probe.rule import ProbeRule
from wa_share.validation import validation_problems

__all__ = [
    "FullSweepDay",
    "FunctionSettings",
    "MemberSettings",
    "PlannerSettings",
    "ProbeSettings",
    "SettingsError",
    "ShareFunctionSettings",
    "SharingSettings",
    "SweepSettings",
    "WorkerSettings",
]


class SettingsError(ValueError):
    """A deployment fault: an environment variable is missing or malformed."""


class FullSweepDay(StrEnum):
    """The night the sweep lists every workload's shares (the reviews side shows no accepted share's
    permission, so permission drift of accepted shares is only seen then); `daily`: every night."""

    MON = "MON"
    TUE = "TUE"
    WED = "WED"
    THU = "THU"
    FRI = "FRI"
    SAT = "SAT"
    SUN = "SUN"
    DAILY = "DAILY"


def _comma_list(value: object, *, what: str, may_be_empty: bool = False) -> object:
    """`a, b,a` → ("a", "b"): items stripped, duplicates dropped (first kept); an empty list names `what`."""
    if not isinstance(value, str):
        return value
    items = tuple(dict.fromkeys(item.strip() for item in value.split(",") if item.strip()))
    if not items and not may_be_empty:
        raise ValueError(f"lists no {what}: give at least one")
    return items


def _accounts(value: object) -> object:
    return _comma_list(value, what="account ID")


def _organization_principals(value: object) -> object:
    return _comma_list(value, what="organization or OU ID", may_be_empty=True)


def _allowed_principals(value: object) -> object:
    return _comma_list(value, what="principal", may_be_empty=True)


def _wa_regions(value: object) -> object:
    """`auto` alone means: read the live list from SSM (None); mixed with region names it is a mistake."""
    items = _comma_list(value, what="region")
    if isinstance(items, tuple) and REGIONS_FROM_SSM in items:
        if len(items) > 1:
            raise ValueError(f"'{REGIONS_FROM_SSM}' (read the regions from SSM) stands alone, not beside regions")
        return None
    return items


def _reshare_statuses(value: object) -> object:
    """`none`: never re-invite; else a list of not-live statuses."""
    if isinstance(value, str) and value.strip().lower() == "none":
        return frozenset()
    return _comma_list(value, what="status (write 'none' to re-share nothing)")


def _not_live(status: str) -> str:
    if status not in NOT_LIVE_STATUSES:
        raise ValueError(f"not a status that can be re-shared; allowed: {', '.join(sorted(NOT_LIVE_STATUSES))}")
    return status


AccountId = Annotated[str, StringConstraints(pattern=ACCOUNT_ID.pattern)]
RegionName = Annotated[str, StringConstraints(pattern=REGION.pattern)]
RoleName = Annotated[str, StringConstraints(pattern=ROLE_NAME.pattern)]
OrganizationPrincipal = Annotated[str, StringConstraints(pattern=ORGANIZATION_PRINCIPAL.pattern)]
TopicArn = Annotated[str, StringConstraints(pattern=TOPIC_ARN.pattern)]
BusName = Annotated[str, StringConstraints(pattern=BUS_NAME.pattern)]
QueueUrl = Annotated[str, StringConstraints(pattern=r"^https://[^\s/]+/[0-9]{12}/[\w-]{1,80}(\.fifo)?$")]
AccountIds = Annotated[tuple[AccountId, ...], BeforeValidator(_accounts)]
OrganizationId = Annotated[str, StringConstraints(pattern=ORGANIZATION_ID.pattern)]
# Known partners: account IDs, IAM principal ARNs, organization or OU IDs (an account covers its IAM principals).
AllowedPrincipal = Annotated[str, StringConstraints(pattern=ALLOWED_PRINCIPAL.pattern)]
AllowedPrincipals = Annotated[tuple[AllowedPrincipal, ...], BeforeValidator(_allowed_principals)]
OrganizationPrincipals = Annotated[tuple[OrganizationPrincipal, ...], BeforeValidator(_organization_principals)]
WaRegions = Annotated[tuple[RegionName, ...] | None, BeforeValidator(_wa_regions)]
ReshareStatuses = Annotated[frozenset[Annotated[str, AfterValidator(_not_live)]], BeforeValidator(_reshare_statuses)]


class _FromEnvironment(BaseModel):
    # defer_build: a function validates one model, so it alone pays for building its schema (cold start);
    # python-re: the domain's patterns mean what Python's `re` makes of them (and `[\w-]{1,256}` would
    # exceed the Rust engine's size limit).
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True, regex_engine="python-re")

    @classmethod
    def variables(cls) -> frozenset[str]:
        """The environment variables this model reads (its field aliases)."""
        return frozenset(field.alias or name for name, field in cls.model_fields.items())

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Self:
        """Read this model's variables (and no other) from `env`, os.environ by default."""
        values = os.environ if env is None else env
        given = {name: values[name].strip() for name in cls.variables() if values.get(name, "").strip()}
        try:
            return cls.model_validate(given)
        except ValidationError as error:
            problems = "; ".join(validation_problems(error, whole="environment"))
            raise SettingsError(f"environment variables of {cls.__name__}: {problems}") from None


class FunctionSettings(_FromEnvironment):
    """What every function reads: where it runs, and whom workloads are shared with."""

    home_region: RegionName = Field(alias="AWS_REGION")  # set by Lambda
    reviews_account_ids: AccountIds = Field(alias="REVIEWS_ACCOUNT_IDS")
    # Organization or OU IDs: organization sharing mode, no invitations.
    share_with: OrganizationPrincipals = Field(default=(), alias="SHARE_WITH")

    @property
    def principals(self) -> tuple[str, ...]:
        """Whom every workload is shared with: the organization/OUs in organization mode, else the accounts."""
        return self.share_with or self.reviews_account_ids


class MemberSettings(FunctionSettings):
    """Functions that act in member accounts through the member role, with the configured permission."""

    member_role_name: RoleName = Field(default="wa-share-member", alias="MEMBER_ROLE_NAME")
    permission: Permission = Field(default=Permission.READONLY, alias="SHARE_PERMISSION")
    drift_policy: DriftPolicy = Field(default=DriftPolicy.REPORT, alias="PERMISSION_DRIFT_POLICY")


class _WaRegions(FunctionSettings):
    """The Well-Architected regions the sweep looks at: the planner's and the worker's."""

    wa_regions: WaRegions = Field(default=DEFAULT_WA_REGIONS, alias="WA_REGIONS")  # None: from SSM


class _SweepQueue(FunctionSettings):
    """The planner queues an account's work item there; the worker an unfinished account's continuation."""

    sweep_queue_url: QueueUrl = Field(alias="SWEEP_QUEUE_URL")


class _ProbeAccount(FunctionSettings):
    probe_account_id: AccountId | None = Field(default=None, alias="PROBE_ACCOUNT_ID")

    @property
    def probes(self) -> ProbeRule:
        return ProbeRule(self.probe_account_id)


class PlannerSettings(MemberSettings, _WaRegions, _SweepQueue):
    full_sweep_day: FullSweepDay = Field(default=FullSweepDay.SUN, alias="FULL_SWEEP_DAY")


class SharingSettings(MemberSettings, _ProbeAccount):
    """Functions that make shares and follow them up (accept, announce): the share function and the sweep."""

    reshare_statuses: ReshareStatuses = Field(default=DEFAULT_RESHARE_STATUSES, alias="RESHARE_STATUSES")
    acceptor_role_name: RoleName | None = Field(default=None, alias="ACCEPTOR_ROLE_NAME")  # set: accept invitations
    announce_topic_arn: TopicArn | None = Field(default=None, alias="ANNOUNCE_TOPIC_ARN")
    announce_bus_name: BusName | None = Field(default=None, alias="ANNOUNCE_BUS_NAME")
    # The share guard (guard.py): shares outside this organization are flagged, except to these partners.
    organization_id: OrganizationId = Field(alias="ORGANIZATION_ID")
    share_allow_list: AllowedPrincipals = Field(default=(), alias="SHARE_ALLOW_LIST")


class ShareFunctionSettings(SharingSettings):
    # Where an invalid event is kept, whole (retrying cannot make it valid), and an event given up on.
    failure_queue_url: QueueUrl = Field(alias="FAILURE_QUEUE_URL")
    # A share to a reviews principal deleted or downgraded by someone else is decided at once (as the sweep
    # would); false: it waits for the sweep.
    realtime_restore: bool = Field(default=True, alias="REALTIME_RESTORE")
    share_queue_url: QueueUrl = Field(alias="SHARE_QUEUE_URL")  # throttled events go back with a backoff


class SweepSettings(SharingSettings, _WaRegions):
    """The sweep of one account: the worker's, and `wa-share sweep --local`'s."""

    region_concurrency: int = Field(default=18, ge=1, le=18, alias="REGION_CONCURRENCY")
    # Workloads of one region that need calls, handled at once.
    workload_concurrency: int = Field(default=4, ge=1, le=16, alias="WORKLOAD_CONCURRENCY")


class WorkerSettings(SweepSettings, _SweepQueue):
    sweep_dlq_url: QueueUrl = Field(alias="SWEEP_DLQ_URL")  # the last try dead-letters with a reason


class ProbeSettings(_ProbeAccount):
    # Required here: the central account, where probes are made (elsewhere None means nothing is a probe).
    probe_account_id: AccountId = Field(alias="PROBE_ACCOUNT_ID")
    probe_region_name: RegionName | None = Field(default=None, alias="PROBE_REGION")  # None: the home region

    @property
    def probe_region(self) -> str:
        return self.probe_region_name or self.home_region
