"""The EventBridge scheduled event that starts the sweep planner and the probe: one model for both.

Built on Powertools' EventBridge envelope model, so every field EventBridge always sends (version, id,
source, account, time, region, resources, detail-type, detail) is required; this model only narrows the
source and detail type to a schedule's and bounds the ID (the sweep's ID in logs and work items).
"""

from __future__ import annotations

from datetime import UTC
from typing import Any, Literal

from aws_lambda_powertools.utilities.parser.models.event_bridge import EventBridgeModel
from pydantic import ConfigDict, Field, ValidationError

from wa_share.validation import validation_problems

_EXPECTED = ", ".join(
    repr(field.alias or name) for name, field in EventBridgeModel.model_fields.items() if field.is_required()
)


class InvalidScheduleEvent(ValueError):
    """The function was invoked with something other than its schedule's event."""


class ScheduledEvent(EventBridgeModel):
    # by the alias only: Powertools reads "detail_type" too, EventBridge never sends it (both keys: pydantic
    # before 2.11, which Powertools allows, knows only populate_by_name)
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=False, validate_by_name=False)
    id: str = Field(min_length=1, max_length=128)
    source: Literal["aws.events", "aws.scheduler"]
    detail_type: Literal["Scheduled Event"] = Field(alias="detail-type")


def parse_schedule(event: Any, *, function: str) -> ScheduledEvent:
    """The schedule's event, or InvalidScheduleEvent naming the wrong fields and `function`."""
    if not isinstance(event, dict):
        raise _invalid(f"event (expected an object with {_EXPECTED})", function)
    try:
        schedule = ScheduledEvent.model_validate(event)
    except ValidationError as error:
        raise _invalid("; ".join(validation_problems(error, whole="event")), function) from None
    if schedule.time.tzinfo is None:  # EventBridge writes UTC ("...Z"); a time without a zone means UTC too
        return schedule.model_copy(update={"time": schedule.time.replace(tzinfo=UTC)})
    return schedule


def _invalid(fields: str, function: str) -> InvalidScheduleEvent:
    return InvalidScheduleEvent(f"not a scheduled event (fields: {fields}): the {function} runs on its schedule")
