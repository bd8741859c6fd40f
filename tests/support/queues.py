"""Reading a simulated queue whole, as the automation account's administrator would (the functions' queues
all live there). Every batch is read, not one: a helper that stops at ten messages hides the eleventh."""

from __future__ import annotations

import json
from typing import Any

from wa_share_sandbox.organization import SimulatedOrganization

Message = dict[str, Any]
HIDDEN_SECONDS = 600  # longer than any test: a message read and kept is not received twice


def drain(org: SimulatedOrganization, queue_url: str) -> list[Message]:
    """Every message on the queue, with its attributes; each is deleted once read."""
    return _receive_all(org, queue_url, delete=True)


def read_all(org: SimulatedOrganization, queue_url: str) -> list[Message]:
    """Every message on the queue, with its attributes, left on it in flight (its receive count rises)."""
    return _receive_all(org, queue_url, delete=False)


def drain_bodies(org: SimulatedOrganization, queue_url: str) -> list[Any]:
    """The JSON body of every message on the queue, each deleted once read."""
    return [json.loads(message["Body"]) for message in drain(org, queue_url)]


def _receive_all(org: SimulatedOrganization, queue_url: str, *, delete: bool) -> list[Message]:
    sqs, messages = org.client(org.automation, "sqs"), list[Message]()
    hidden = {} if delete else {"VisibilityTimeout": HIDDEN_SECONDS}
    while batch := sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], **hidden
    ).get("Messages", []):
        messages.extend(batch)
        if delete:
            for message in batch:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return messages
