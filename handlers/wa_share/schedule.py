"""The EventBridge scheduled event that starts the sweep planner and the probe: one model for both."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from wa_share.validation import validation_problems

_EXPECTED = "'id', 'source', 'detail-type', 'time'"


class InvalidScheduleEvent(ValueError):
    """The function was invoked with something other than its schedule's event."""


class ScheduledEvent(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    id: str = Field(min_length=1, max_length=128)
    source: Literal["aws.events", "aws.scheduler"]
    detail_type: Literal["Scheduled Event"] = Field(alias="detail-type")
    time: datetime | None = None  # when the schedule fired


def parse_schedule(event: Any, *, function: str, time_required: bool = False) -> ScheduledEvent:
    """The schedule's event, or InvalidScheduleEvent naming the wrong fields (quoted) and `function`."""
    if not isinstance(event, dict):
        raise _invalid(f"event (expected an object with {_EXPECTED})", function)
    try:
        schedule = ScheduledEvent.model_validate(event)
    except ValidationError as error:
        raise _invalid("; ".join(validation_problems(error, whole="event")), function) from None
    if schedule.time is None:
        if time_required:
            raise _invalid("'time'", function)
        return schedule
    return schedule if schedule.time.tzinfo else schedule.model_copy(update={"time": schedule.time.replace(tzinfo=UTC)})


def _invalid(fields: str, function: str) -> InvalidScheduleEvent:
    return InvalidScheduleEvent(f"not a scheduled event (fields: {fields}): the {function} runs on its schedule")
