"""Sweep worker: one SQS message per account; failed messages are reported as partial batch failures.

The invocation's remaining time (Lambda's context) is the deadline: accounts it leaves no time for are
reported as batch item failures before Lambda's timeout could fail the whole batch.
"""

from __future__ import annotations

from functools import cache, partial
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from wa_share.runtime.deadline import Deadline
from wa_share.runtime.entry import build_runtime, lambda_handler
from wa_share.settings import WorkerSettings
from wa_share.sweep.worker import handle_work_message

processor = BatchProcessor(event_type=EventType.SQS)


# Built once per execution environment (cached), so warm invocations reuse the member sessions.
SETTINGS = WorkerSettings  # the variables it reads (template.yaml gives it exactly these)
runtime = cache(partial(build_runtime, SETTINGS))


def record_handler(record: SQSRecord, deadline: Deadline) -> None:
    settings, sessions = runtime()
    receive_count = int(record.attributes.approximate_receive_count or 1)
    handle_work_message(record.body, receive_count, settings, sessions, deadline)


@lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    runtime()  # a settings fault fails the whole invocation, loudly, before any message is touched
    deadline = Deadline.of(context)
    handle = partial(record_handler, deadline=deadline)
    return process_partial_response(event=event, record_handler=handle, processor=processor, context=context)
