"""A sweep work item: which account (and optionally which regions) to sweep. Never credentials."""

from __future__ import annotations

import json
import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from wa_share.settings import ACCOUNT_ID, REGION

_PLAIN_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
RegionName = Annotated[str, Field(pattern=REGION.pattern)]


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

    def to_message(self) -> str:
        return self.model_dump_json(exclude_none=True)


def parse_work_item(body: str) -> WorkItem:
    try:
        return WorkItem.model_validate_json(body)
    except ValidationError as error:
        problems = [f"{_field_path(item['loc'])}: {item['msg']}" for item in error.errors()]
        raise InvalidWorkItem(problems) from None


def _field_path(loc: tuple[int | str, ...]) -> str:
    """The wrong field's dotted path. An unexpected key is the sender's text: it is shown JSON-quoted (ASCII)
    unless it is a plain name, so that no control character reaches the reason, which SQS would refuse."""
    parts = [str(part) if isinstance(part, int) or _PLAIN_NAME.fullmatch(part) else json.dumps(part) for part in loc]
    return ".".join(parts) or "body"
