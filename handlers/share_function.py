"""Share function: batches of the share queue (one Well-Architected CloudTrail event per record), each
event dispatched on its eventName; the records to see again are answered as partial batch failures
(wa_share/realtime/queue.py).

CreateWorkload: one share per reviews account out (wa_share/realtime/new_workload.py). CreateWorkloadShare,
UpdateWorkloadShare, DeleteWorkloadShare: the share guard (wa_share/realtime/guard.py) flags shares outside
the organization and restores the reviews team's. Invalid events are kept whole on the failure queue and not
retried; an event throttled by AWS is sent back to the queue, delivered after a backoff; a real failure is
retried by the queue, then recorded on the failure queue.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache, partial
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from wa_share.aws.access import QUEUED_CONFIG
from wa_share.realtime.events import InvalidEvent
from wa_share.realtime.guard import guard_share_change
from wa_share.realtime.new_workload import reject_event, share_created_workload
from wa_share.realtime.queue import ShareQueue, share_batch
from wa_share.realtime.share_events import ShareChanged, parse_event
from wa_share.runtime.deadline import Deadline
from wa_share.runtime.entry import build_runtime, lambda_handler
from wa_share.settings import ShareFunctionSettings

# Built once per execution environment (cached), so warm invocations reuse the member sessions.
SETTINGS = ShareFunctionSettings  # the variables it reads (template.yaml gives it exactly these)
runtime = cache(partial(build_runtime, SETTINGS, config=QUEUED_CONFIG))


def handle_event(
    event: Any, untouched_since: datetime | None, context: LambdaContext, deadline: Deadline
) -> dict[str, Any]:
    """One event from the central bus: parsed, then its one domain function."""
    settings, sessions = runtime()
    try:
        parsed = parse_event(event)
    except InvalidEvent as invalid:
        reject_event(event, invalid, settings, sessions, context)
        return {"status": "rejected", "event_id": invalid.event_id, "problems": invalid.problems}
    if isinstance(parsed, ShareChanged):
        return guard_share_change(parsed, settings, sessions, deadline).as_dict()
    return share_created_workload(parsed, settings, sessions, deadline, untouched_since=untouched_since).as_dict()


@lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, list[dict[str, str]]]:
    settings, sessions = runtime()  # a settings fault fails the whole invocation, loudly, before any record
    deadline = Deadline.of(context)
    queue = ShareQueue(
        sessions.central.sqs(settings.home_region),
        settings.share_queue_url,
        settings.failure_queue_url,
        function_arn=getattr(context, "invoked_function_arn", "unknown"),
        request_id=getattr(context, "aws_request_id", "unknown"),
    )
    handle = partial(handle_event, context=context, deadline=deadline)
    return share_batch(event["Records"], handle, queue, deadline)
