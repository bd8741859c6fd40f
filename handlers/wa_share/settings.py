"""Typed settings, built once from the environment; a missing or bad variable is an error naming it."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from wa_share.probe import ProbeRule

# [0-9], not \d: \d also matches the digits of other scripts ("١٢٣…"), in Python and in pydantic's engine.
ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$")
ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
ORGANIZATION_PRINCIPAL = re.compile(r"^(o-[a-z0-9]{10,32}|ou-[a-z0-9]{4,32}-[a-z0-9]{8,32})$")
TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$")
BUS_NAME = re.compile(r"^[.\-_A-Za-z0-9]{1,256}$")

LIVE_STATUSES = frozenset({"ACCEPTED", "PENDING", "ASSOCIATING", "ASSOCIATED"})
NOT_LIVE_STATUSES = frozenset({"EXPIRED", "REJECTED", "REVOKED", "FAILED"})
# REJECTED is a reviews team's answer: inviting it again every night would be noise, so only on request.
DEFAULT_RESHARE_STATUSES = frozenset({"EXPIRED", "REVOKED", "FAILED"})

# The 18 commercial regions of the Well-Architected Tool (see README: keep in step with template.yaml).
DEFAULT_WA_REGIONS = (
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ap-east-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-north-1",
    "me-south-1",
    "sa-east-1",
)
# The sentinel that makes the sweep read the live region list from SSM's public parameters.
REGIONS_FROM_SSM = "auto"


class SettingsError(ValueError):
    """A deployment fault: an environment variable is missing or malformed."""


class Permission(StrEnum):
    READONLY = "READONLY"
    CONTRIBUTOR = "CONTRIBUTOR"


class DriftPolicy(StrEnum):
    ENFORCE = "enforce"
    REPORT = "report"


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


@dataclass(frozen=True)
class Settings:
    home_region: str  # the region the functions run in (AWS_REGION, set by Lambda)
    reviews_account_ids: tuple[str, ...]
    permission: Permission
    member_role_name: str
    wa_regions: tuple[str, ...] | None  # None: read the list from SSM at sweep time
    reshare_statuses: frozenset[str]
    drift_policy: DriftPolicy
    region_concurrency: int
    workload_concurrency: int  # workloads of one region that need calls, handled at once
    full_sweep_day: FullSweepDay
    sweep_queue_url: str | None
    sweep_dlq_url: str | None
    sweep_max_receives: int  # equals the sweep queue's maxReceiveCount: the last try dead-letters with a reason
    failure_queue_url: str | None
    share_with: tuple[str, ...] = ()  # organization or OU IDs: organization sharing mode, no invitations
    acceptor_role_name: str | None = None  # set: accept invitations in the reviews accounts
    announce_topic_arn: str | None = None
    announce_bus_name: str | None = None
    probe_account_id: str | None = None  # the account whose probe workloads are not organization workloads
    probe_region_name: str | None = None  # where the scheduled probe creates them (the home region if unset)

    @property
    def probes(self) -> ProbeRule:
        return ProbeRule(self.probe_account_id)

    @property
    def probe_region(self) -> str:
        return self.probe_region_name or self.home_region

    @property
    def principals(self) -> tuple[str, ...]:
        """Whom every workload is shared with: the organization/OUs in organization mode, else the accounts."""
        return self.share_with or self.reviews_account_ids

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        values = os.environ if env is None else env
        reader = _Reader(values)
        return cls(
            home_region=reader.matching("AWS_REGION", REGION, default=None),
            reviews_account_ids=reader.account_ids("REVIEWS_ACCOUNT_IDS"),
            permission=reader.choice("SHARE_PERMISSION", Permission, default="READONLY"),
            member_role_name=reader.matching("MEMBER_ROLE_NAME", ROLE_NAME, default="wa-share-member"),
            wa_regions=reader.regions("WA_REGIONS"),
            reshare_statuses=reader.statuses("RESHARE_STATUSES"),
            drift_policy=reader.choice("PERMISSION_DRIFT_POLICY", DriftPolicy, default="report"),
            region_concurrency=reader.integer("REGION_CONCURRENCY", default=18, low=1, high=18),
            workload_concurrency=reader.integer("WORKLOAD_CONCURRENCY", default=4, low=1, high=16),
            full_sweep_day=reader.choice("FULL_SWEEP_DAY", FullSweepDay, default="SUN"),
            sweep_queue_url=reader.optional("SWEEP_QUEUE_URL"),
            sweep_dlq_url=reader.optional("SWEEP_DLQ_URL"),
            sweep_max_receives=reader.integer("SWEEP_MAX_RECEIVES", default=5, low=1, high=1000),
            failure_queue_url=reader.optional("FAILURE_QUEUE_URL"),
            share_with=reader.optional_list("SHARE_WITH", ORGANIZATION_PRINCIPAL),
            acceptor_role_name=reader.optional_matching("ACCEPTOR_ROLE_NAME", ROLE_NAME),
            announce_topic_arn=reader.optional_matching("ANNOUNCE_TOPIC_ARN", TOPIC_ARN),
            announce_bus_name=reader.optional_matching("ANNOUNCE_BUS_NAME", BUS_NAME),
            probe_account_id=reader.optional_matching("PROBE_ACCOUNT_ID", ACCOUNT_ID),
            probe_region_name=reader.optional_matching("PROBE_REGION", REGION),
        )


class _Reader:
    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env

    def _raw(self, name: str, default: str | None) -> str:
        value = self._env.get(name, "").strip() or default
        if value is None:
            raise SettingsError(f"environment variable {name} is required but not set")
        return value

    def optional(self, name: str) -> str | None:
        return self._env.get(name, "").strip() or None

    def optional_matching(self, name: str, pattern: re.Pattern[str]) -> str | None:
        value = self.optional(name)
        if value is not None and not pattern.match(value):
            raise SettingsError(f"environment variable {name}={value!r} does not match {pattern.pattern}")
        return value

    def optional_list(self, name: str, pattern: re.Pattern[str]) -> tuple[str, ...]:
        items = tuple(dict.fromkeys(item.strip() for item in self._env.get(name, "").split(",") if item.strip()))
        bad = [item for item in items if not pattern.match(item)]
        if bad:
            raise SettingsError(f"environment variable {name} has values that are not organization or OU IDs: {bad}")
        return items

    def _items(self, name: str, default: str | None = None) -> tuple[str, ...]:
        items = tuple(item.strip() for item in self._raw(name, default).split(",") if item.strip())
        if not items:
            raise SettingsError(f"environment variable {name} must list at least one value")
        return items

    def account_ids(self, name: str) -> tuple[str, ...]:
        items = self._items(name)
        bad = [item for item in items if not ACCOUNT_ID.match(item)]
        if bad:
            raise SettingsError(f"environment variable {name} has values that are not 12-digit account IDs: {bad}")
        return tuple(dict.fromkeys(items))

    def matching(self, name: str, pattern: re.Pattern[str], default: str | None) -> str:
        value = self._raw(name, default)
        if not pattern.match(value):
            raise SettingsError(f"environment variable {name}={value!r} does not match {pattern.pattern}")
        return value

    def choice[E: StrEnum](self, name: str, enum: type[E], default: str) -> E:
        value = self._raw(name, default)
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(member.value for member in enum)
            raise SettingsError(f"environment variable {name}={value!r} must be one of: {allowed}") from None

    def regions(self, name: str) -> tuple[str, ...] | None:
        items = self._items(name, default=",".join(DEFAULT_WA_REGIONS))
        if items == (REGIONS_FROM_SSM,):
            return None
        bad = [item for item in items if not REGION.match(item)]
        if bad:
            raise SettingsError(f"environment variable {name} has values that are not region names: {bad}")
        return tuple(dict.fromkeys(items))

    def statuses(self, name: str) -> frozenset[str]:
        raw = self._env.get(name)
        if raw is not None and raw.strip().lower() == "none":
            return frozenset()
        items = frozenset(self._items(name, default=",".join(sorted(DEFAULT_RESHARE_STATUSES))))
        bad = sorted(items - NOT_LIVE_STATUSES)
        if bad:
            allowed = ", ".join(sorted(NOT_LIVE_STATUSES))
            raise SettingsError(f"environment variable {name} has {bad}; allowed: {allowed} (or 'none')")
        return items

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        raw = self._raw(name, str(default))
        try:
            value = int(raw)
        except ValueError:
            raise SettingsError(f"environment variable {name}={raw!r} is not an integer") from None
        if not low <= value <= high:
            raise SettingsError(f"environment variable {name}={value} must be between {low} and {high}")
        return value
