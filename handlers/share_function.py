"""Share function: a Well-Architected CloudTrail event from the central bus in, dispatched on its eventName.

CreateWorkload: one share per reviews account out (realtime.py). CreateWorkloadShare, UpdateWorkloadShare,
DeleteWorkloadShare: the share guard (guard.py) flags shares outside the organization and restores the
reviews team's. Invalid events are kept whole on the on-failure queue and not retried; AWS failures raise,
so Lambda retries them and finally hands them to the on-failure destination.
"""

from __future__ import annotations

from functools import cache, partial
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from wa_share.deadline import Deadline
from wa_share.entry import lambda_handler
from wa_share.events import InvalidEvent
from wa_share.guard import guard_share_change
from wa_share.realtime import reject_event, share_created_workload
from wa_share.runtime import build_runtime
from wa_share.settings import ShareSettings
from wa_share.share_events import ShareChanged, parse_event

# Built once per execution environment (cached), so warm invocations reuse the member sessions.
SETTINGS = ShareSettings  # the variables it reads (template.yaml gives it exactly these)
runtime = cache(partial(build_runtime, SETTINGS))


@lambda_handler
def handler(event: Any, context: LambdaContext) -> dict[str, Any]:
    settings, sessions = runtime()
    try:
        parsed = parse_event(event)
    except InvalidEvent as invalid:
        reject_event(event, invalid, settings, sessions, context)
        return {"status": "rejected", "event_id": invalid.event_id, "problems": invalid.problems}
    if isinstance(parsed, ShareChanged):
        return guard_share_change(parsed, settings, sessions, Deadline.of(context)).as_dict()
    return share_created_workload(parsed, settings, sessions, Deadline.of(context)).as_dict()
