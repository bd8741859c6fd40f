"""What the sandbox story runs on: the organization's shape, its existing workloads, and the faults.

A scenario file (YAML or JSON) lets a user rehearse their own organization; command-line flags override
it; without either, the defaults tell the standard story. Every problem is reported as one line naming
the field, before anything runs.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

import boto3
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from wa_share.validation import validation_problems
from wa_share_sandbox.member_paths import MemberPath

DEFAULT_REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
# Opt-in regions are disabled in the simulated accounts (as in new AWS accounts): nothing runs there.
OPT_IN_REGIONS = frozenset({"ap-east-1", "me-south-1"})
SPECIAL_ACCOUNTS = ("management", "automation", "reviews")
_STORY_NAME = re.compile(r"(app|svc|late)-\d+")  # the workloads the story creates (story.py)
_ACCOUNT_ID = re.compile(r"\d{12}")

Rate = Annotated[float, Field(ge=0.0, le=1.0)]


class ScenarioError(ValueError):
    """The scenario cannot run as written; the message says which field and why."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExistingShare(_Strict):
    shared_with: str = Field("reviews", alias="with")  # an account name or a 12-digit account ID
    status: Literal["PENDING", "ACCEPTED", "REJECTED", "REVOKED", "EXPIRED", "FAILED"] = "PENDING"
    permission: Literal["READONLY", "CONTRIBUTOR"] = "READONLY"


class ExistingWorkload(_Strict):
    """A workload that predates wa-share: no event was ever sent for it."""

    account: str
    region: str
    name: str = Field(min_length=3, max_length=100)
    shares: tuple[ExistingShare, ...] = ()


class Faults(_Strict):
    drop_rate: Rate = 0.1  # share of CreateWorkload events CloudTrail loses (phase 2)
    throttle_rate: Rate = 0.05  # share of Well-Architected calls throttled (phases 2 to 4)
    latency_ms: float = Field(0.0, ge=0.0, le=1000.0)  # added to every Well-Architected call
    # Accounts whose member role is missing; None: the last member account (if there are two or more).
    accounts_without_role: tuple[str, ...] | None = None
    outage_workloads: int = Field(1, ge=0, le=20)  # per member account and region, while the function is down
    # Accounts whose forwarder in the first region the central bus refuses in phase 2 (a misnamed forwarding
    # role): their events become dead letters. None: the first member account that has its role.
    undeliverable_forwarders: tuple[str, ...] | None = None


class Scenario(_Strict):
    accounts: int = Field(4, ge=1, le=50)  # member accounts, besides management, automation and reviews
    regions: tuple[str, ...] = DEFAULT_REGIONS
    workloads: int = Field(2, ge=0, le=50)  # new workloads per member account and region, in phases 1 and 2
    seed: int = 7
    # How the member side is deployed: each path the README documents (member_paths.py).
    member_path: MemberPath = "stacksets"
    faults: Faults = Faults()
    existing: tuple[ExistingWorkload, ...] = ()

    @field_validator("regions", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return tuple(part.strip() for part in value.split(",") if part.strip()) if isinstance(value, str) else value

    @field_validator("regions")
    @classmethod
    def _known_regions(cls, regions: tuple[str, ...]) -> tuple[str, ...]:
        if not regions:
            raise ValueError("name at least one region")
        available = set(boto3.Session().get_available_regions("wellarchitected")) - OPT_IN_REGIONS
        unknown = [region for region in regions if region not in available]
        if unknown:
            raise ValueError(f"{', '.join(unknown)}: not a Well-Architected region enabled by default")
        return tuple(dict.fromkeys(regions))

    @property
    def members(self) -> tuple[str, ...]:
        return tuple(f"member-{index:02d}" for index in range(1, self.accounts + 1))

    @property
    def accounts_without_role(self) -> tuple[str, ...]:
        chosen = self.faults.accounts_without_role
        if chosen is None:
            return self.members[-1:] if self.accounts >= 2 else ()  # noqa: PLR2004 - one stays healthy
        return chosen

    @property
    def undeliverable_forwarders(self) -> tuple[str, ...]:
        chosen = self.faults.undeliverable_forwarders
        if chosen is None:
            return tuple(name for name in self.members if name not in self.accounts_without_role)[:1]
        return chosen


def load_scenario(path: Path) -> dict[str, Any]:
    """The file's settings as plain data (YAML is a superset of JSON: one parser reads both)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ScenarioError(f"cannot read scenario {path}: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise ScenarioError(f"scenario {path} is not valid YAML or JSON: {error}".replace("\n", " ")) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ScenarioError(f"scenario {path}: the top level must be a mapping (accounts, regions, …)")
    return data


def build_scenario(data: dict[str, Any], overrides: dict[str, Any]) -> Scenario:
    """The scenario from the file's data and the flags the user gave (flags win); checked whole."""
    merged = dict(data)
    faults = dict(merged.get("faults") or {})
    for name, value in overrides.items():
        if value is None:
            continue
        if name in Faults.model_fields:
            faults[name] = value
        else:
            merged[name] = value
    if faults:
        merged["faults"] = faults
    try:
        scenario = Scenario.model_validate(merged)
    except ValidationError as error:
        raise ScenarioError("invalid scenario: " + "; ".join(validation_problems(error, whole="scenario"))) from None
    _check_accounts(scenario)
    return scenario


def _check_accounts(scenario: Scenario) -> None:
    for name in scenario.accounts_without_role:
        if name not in scenario.members:
            raise ScenarioError(f"faults.accounts_without_role: {name} is not a member account (member-01…)")
    for name in scenario.undeliverable_forwarders:
        if name not in scenario.members:
            raise ScenarioError(f"faults.undeliverable_forwarders: {name} is not a member account (member-01…)")
    seen: set[tuple[str, str, str]] = set()
    for index, workload in enumerate(scenario.existing):
        key = (workload.account, workload.region, "".join(workload.name.split()).lower())
        if key in seen:
            raise ScenarioError(f"existing.{index}.name: {workload.account} has two workloads {workload.name!r}")
        seen.add(key)
        _check_existing(scenario, f"existing.{index}", workload)


def _check_existing(scenario: Scenario, where: str, workload: ExistingWorkload) -> None:
    names = set(scenario.members) | set(SPECIAL_ACCOUNTS)
    if _STORY_NAME.fullmatch("".join(workload.name.split()).lower()):
        raise ScenarioError(f"{where}.name: {workload.name!r} is a name the story gives its new workloads")
    if workload.account not in names:
        raise ScenarioError(f"{where}.account: {workload.account} is not one of {_describe(scenario)}")
    if workload.region not in scenario.regions:
        raise ScenarioError(f"{where}.region: {workload.region} is not one of the scenario's regions")
    for number, share in enumerate(workload.shares):
        if share.shared_with not in names and not _ACCOUNT_ID.fullmatch(share.shared_with):
            raise ScenarioError(f"{where}.shares.{number}.with: {share.shared_with} is not an account")
        if share.shared_with == workload.account:
            raise ScenarioError(f"{where}.shares.{number}.with: a workload cannot be shared with its owner")


def _describe(scenario: Scenario) -> str:
    last = f", member-{scenario.accounts:02d}" if scenario.accounts > 1 else ""
    return f"{', '.join(SPECIAL_ACCOUNTS)}, member-01{last}"
