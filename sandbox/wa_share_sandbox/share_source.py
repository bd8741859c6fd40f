"""The share queue's event source mapping, as Lambda runs it: batches of up to BatchSize messages from the
share queue (the share rule's target), partial batch failures left on the queue, the rest deleted, a whole
failed invocation left for the queue's visibility timeout, and SQS itself moving a message to the failure
queue past maxReceiveCount (moto's redrive policy). Visibility timeouts pass in simulated time: when every
message left is invisible, the sandbox clock jumps to the first one's return.

What the function decided about each event is observed (never changed) through `handle_event`, so a test
can read one event's outcome as it read an asynchronous invocation's result before the queue; and which
events it sent back to the queue (throttled, to be delivered again), through `send_back`.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from moto.sqs.models import sqs_backends

import share_function
import wa_share.realtime.queue
from wa_share_sandbox.cfn_templates import load_template, templates_root
from wa_share_sandbox.clock import CLOCK
from wa_share_sandbox.lambda_shapes import sqs_record

Outcome = tuple[Any, str | None]  # what the function returned for one event, or the error it raised


@dataclass
class Observed:
    outcomes: dict[str, list[Outcome]] = field(default_factory=dict)
    sent_back: Counter[str] = field(default_factory=Counter)  # bodies the function sent back to the queue

    def take(self, body: str) -> Outcome:
        kept = self.outcomes.get(_key(body_event(body)))
        return kept.pop(0) if kept else (None, None)

    def take_sent_back(self, body: str) -> bool:
        """Whether the function sent this body back (each sending answers once)."""
        if self.sent_back[body] <= 0:
            return False
        self.sent_back[body] -= 1
        return True


OBSERVED = Observed()


def body_event(body: str) -> Any:
    """What the function hands `handle_event` for a record's body (a body that is not JSON, as text)."""
    try:
        return json.loads(body)
    except ValueError:
        return body


def event_key(body: str) -> str:
    """One event's identity across its copies: a copy sent back to the queue keeps the body."""
    return _key(body_event(body))


def _key(event: Any) -> str:
    return json.dumps(event, sort_keys=True, default=str)


def observe_events() -> None:
    """Wrap the function's `handle_event` once: each event's result or error is kept for the runner."""
    original = share_function.handle_event
    if getattr(original, "observed", False):
        return

    @functools.wraps(original)
    def observed(event: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            result = original(event, *args, **kwargs)
        except Exception as error:
            OBSERVED.outcomes.setdefault(_key(event), []).append((None, f"{type(error).__name__}: {error}"))
            raise
        OBSERVED.outcomes.setdefault(_key(event), []).append((result, None))
        return result

    observed.observed = True  # type: ignore[attr-defined]
    share_function.handle_event = observed
    _observe_sending_back()


def _observe_sending_back() -> None:
    # The queue module's own name for it (it imports the function): the module does not re-export it.
    original = getattr(wa_share.realtime.queue, "send_back")  # noqa: B009

    @functools.wraps(original)
    def observed(sqs: Any, queue_url: str, body: str, **kwargs: Any) -> str:
        message_id = str(original(sqs, queue_url, body, **kwargs))
        OBSERVED.sent_back[body] += 1
        return message_id

    setattr(wa_share.realtime.queue, "send_back", observed)  # noqa: B010


@functools.cache
def event_source() -> tuple[int, int]:
    """(BatchSize, MaximumConcurrency default) of the share function's SQS event source in template.yaml."""
    template = load_template(templates_root() / "template.yaml")
    source = template["Resources"]["ShareFunction"]["Properties"]["Events"]["ShareQueue"]["Properties"]
    concurrency = template["Parameters"]["ShareMaximumConcurrency"]["Default"]
    return int(source["BatchSize"]), int(concurrency)


def direct_batch(event: Any, queue_url: str) -> dict[str, Any]:
    """One event handed to the function as a batch of one, outside the queue (its receipt handle is not
    the queue's: a visibility change fails, is logged, and the queue's own timeout would apply)."""
    body = json.dumps(event)
    message = {"MessageId": str(uuid.uuid4()), "ReceiptHandle": f"direct-{uuid.uuid4()}", "Body": body}
    return {"Records": [sqs_record(message, queue_url)]}


def record_outcome(record: dict[str, Any]) -> Outcome:
    return OBSERVED.take(record["body"])


def settle(sqs: Any, queue_url: str, messages: list[dict[str, Any]], failed: set[str] | None) -> list[str]:
    """After an invocation: delete what succeeded (None: the whole invocation failed, nothing is deleted);
    returns the IDs of the messages done with (deleted, and not sent back to be delivered again)."""
    if failed is None:
        return []
    deleted = [message for message in messages if message["MessageId"] not in failed]
    for message in deleted:
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return [message["MessageId"] for message in deleted if not OBSERVED.take_sent_back(message["Body"])]


def jump_to_next_visible(account: str, region: str, queue_url: str) -> bool:
    """Move the sandbox clock to when the queue's first invisible or delayed message can be received; False
    when none waits."""
    queue = sqs_backends[account][region].queues[queue_url.rsplit("/", 1)[-1]]
    waiting = [max(message.visible_at, message.delayed_until) / 1000 for message in queue._messages]
    if not waiting:
        return False
    now = CLOCK.unix_millis() / 1000
    CLOCK.advance(max(0.0, min(waiting) - now) + 0.001)
    return True
