"""A sweep work item: which account (and optionally which regions) to sweep. Never credentials.

`known_live` is the account's slice of the reviews side, read once per sweep by the planner: per region,
the workloads already live-shared with every reviews account, which the worker need not list. A region
absent from it is listed workload by workload (the fallback), so a missing or dropped slice costs calls,
never correctness. `part` counts the continuations of an account split across invocations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from wa_share.domain import ACCOUNT_ID, REGION
from wa_share.validation import validation_problems

RegionName = Annotated[str, Field(pattern=REGION.pattern)]
WorkloadId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
MAX_KNOWN_LIVE = 4000  # workload IDs per message (~150 KB of JSON): well under the queue's 256 KiB
MAX_PARTS = 50  # continuations of one account in one sweep; beyond, the account is dead-lettered


class InvalidWorkItem(ValueError):
    """A queue message the worker cannot act on; it names each wrong field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid sweep work item: " + "; ".join(problems))
        self.problems = problems


class WorkItem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    account_id: str = Field(pattern=ACCOUNT_ID.pattern)
    sweep_id: str = Field(min_length=1, max_length=128)
    dry_run: bool = False
    regions: tuple[RegionName, ...] | None = Field(default=None, min_length=1)
    known_live: dict[RegionName, tuple[WorkloadId, ...]] | None = None
    part: int | None = Field(default=None, ge=2, le=MAX_PARTS)  # None: the account's first work item

    def to_message(self) -> str:
        return self.model_dump_json(exclude_none=True)

    @property
    def part_number(self) -> int:
        return self.part or 1

    def known_live_in(self, region: str) -> frozenset[str]:
        return frozenset((self.known_live or {}).get(region, ()))


def bounded_slice(known_live: dict[str, frozenset[str]], limit: int = MAX_KNOWN_LIVE) -> dict[str, tuple[str, ...]]:
    """The slice that fits one message: whole regions, smallest first (a region cut short would be wrong
    nowhere, but a whole region is what lets the worker skip its listing); the rest fall back to listing."""
    kept: dict[str, tuple[str, ...]] = {}
    room = limit
    for region, workloads in sorted(known_live.items(), key=lambda item: (len(item[1]), item[0])):
        if workloads and len(workloads) <= room:
            kept[region] = tuple(sorted(workloads))
            room -= len(workloads)
    return kept


def work_items_for(
    accounts: Iterable[str],
    *,
    sweep_id: str,
    dry_run: bool = False,
    regions: Sequence[str] = (),
    slices: Mapping[str, dict[str, frozenset[str]]] | None = None,
) -> list[WorkItem]:
    """The one way to build a sweep's work items (the planner's and `wa-share sweep`'s): one per account,
    each once, in order; with `slices` (the reviews side, per account) each carries its own, bounded."""
    return [
        WorkItem(
            account_id=account,
            sweep_id=sweep_id,
            dry_run=dry_run,
            regions=tuple(dict.fromkeys(regions)) or None,
            known_live=bounded_slice((slices or {}).get(account, {})) or None,
        )
        for account in dict.fromkeys(accounts)
    ]


def parse_work_item(body: str) -> WorkItem:
    try:
        return WorkItem.model_validate_json(body)
    except ValidationError as error:
        raise InvalidWorkItem(validation_problems(error, whole="body")) from None
