"""Run the real Lambda handlers in-process, the way Lambda would, against a simulated deployment.

- The share function: the share queue's event source (share_source.py): batches, partial batch failures,
  visibility timeouts in simulated time, maxReceiveCount. A single event can also be handed to it directly,
  as a batch of one, and its outcome read as before the queue.
- The sweep: the planner runs on a schedule-shaped event; the worker gets SQS batches (BatchSize from
  the template), its partial batch failures stay on the queue, successes are deleted.
Each invocation runs with the function's environment and its role's credentials, nothing else, and its
wall time is recorded (the simulated latency). Given a `log_stream`, what a function prints (Powertools
logs, EMF metrics, warnings) goes there instead of the terminal, as CloudWatch Logs would keep it.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TextIO

import boto3

import probe_function
import share_function
import sweep_planner
import sweep_worker
from wa_share.observability import logger as function_logger
from wa_share_sandbox.cfn_templates import load_template, templates_root
from wa_share_sandbox.clock import compress_retry_backoff, install_sqs_clock
from wa_share_sandbox.deployment import FUNCTIONS, Deployment
from wa_share_sandbox.lambda_shapes import LambdaContext, RemainingTime, scheduled_event, sqs_record
from wa_share_sandbox.metering import install_meter
from wa_share_sandbox.organization import HOME_REGION
from wa_share_sandbox.share_source import (
    OBSERVED,
    body_event,
    direct_batch,
    event_key,
    event_source,
    jump_to_next_visible,
    observe_events,
    record_outcome,
    settle,
)
from wa_share_sandbox.throttle import install_rate_limits


@functools.cache
def function_timeout(function: str) -> int:
    """The function's Timeout in template.yaml, in seconds."""
    logical_id = FUNCTIONS[function]
    return int(load_template(templates_root() / "template.yaml")["Resources"][logical_id]["Properties"]["Timeout"])


CREDENTIAL_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
OnInvocation = Callable[["Invocation"], None]


@dataclass
class Invocation:
    function: str
    result: Any = None
    error: str | None = None
    calls: int = 0  # AWS API calls the function made (retried attempts not counted again)
    seconds: float = 0.0  # wall time of the handler
    items: int = 1  # events or queue messages it was handed
    event: Any = field(default=None, repr=False)
    records: list[Invocation] = field(default_factory=list, repr=False)  # a share batch's events, one each


class FunctionRunner:
    def __init__(self, deployment: Deployment, *, log_stream: TextIO | None = None) -> None:
        self.deployment = deployment
        self.log_stream = log_stream
        self.meter = install_meter()
        compress_retry_backoff()
        install_sqs_clock()
        install_rate_limits()
        observe_events()
        functions = load_template(templates_root() / "template.yaml")["Resources"]
        self.share_batch_size = event_source()[0]
        worker_events = functions["SweepWorkerFunction"]["Properties"]["Events"]
        self.worker_batch_size = int(next(iter(worker_events.values()))["Properties"]["BatchSize"])
        for module in (share_function, sweep_planner, sweep_worker, probe_function):
            module.runtime.cache_clear()  # a new deployment: new settings, new sessions
        self.invocations: list[Invocation] = []
        self._sqs_clients: dict[str, Any] = {}
        self.own_calls: list[Invocation] = []  # share events of wa-share's own calls (deliver_share_events)

    @contextmanager
    def as_function(self, function: str) -> Iterator[None]:
        credentials = self.deployment.function_credentials[function]
        variables = self.deployment.environment(function) | {
            "AWS_ACCESS_KEY_ID": credentials["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": credentials["aws_secret_access_key"],
            "AWS_SESSION_TOKEN": credentials["aws_session_token"],
            "AWS_DEFAULT_REGION": self.deployment.function_env["AWS_REGION"],
        }
        saved = {name: os.environ.get(name) for name in variables}
        os.environ.update(variables)
        boto3.DEFAULT_SESSION = None
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

    def _context(self, function: str, remaining: RemainingTime | None) -> LambdaContext:
        name = f"wa-share-{function}"
        region, account = self.deployment.function_env["AWS_REGION"], self.deployment.org.automation
        arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
        timeout = function_timeout(function) * 1000
        return LambdaContext(function_name=name, invoked_function_arn=arn, timeout_ms=timeout, remaining=remaining)

    def invoke(
        self, function: str, event: Any, *, items: int = 1, remaining: RemainingTime | None = None
    ) -> Invocation:
        modules = {"share": share_function, "planner": sweep_planner, "worker": sweep_worker, "probe": probe_function}
        handler = modules[function].handler
        direct = function == "share" and not (isinstance(event, dict) and "Records" in event)
        invocation = Invocation(function, items=items, event=event)
        if direct:  # one event outside the queue: a batch of one, read back as that event's outcome
            event = direct_batch(event, self.deployment.invocation_queue_url)
        before = sum(self.meter.snapshot().values())
        started = time.perf_counter()
        with self.as_function(function), _captured(self.log_stream):
            try:
                result = handler(event, self._context(function, remaining))
                # Lambda returns the result as JSON: a value json cannot write fails the invocation there.
                invocation.result = json.loads(json.dumps(result))
            except Exception as error:  # noqa: BLE001 - Lambda reports any exception as a function error
                invocation.error = f"{type(error).__name__}: {error}"
        invocation.seconds = time.perf_counter() - started
        invocation.calls = sum(self.meter.snapshot().values()) - before
        if direct:
            invocation = _event_view(invocation, event["Records"][0])
        self.invocations.append(invocation)
        return invocation

    def _admin_sqs(self) -> Any:
        return self.deployment.org.client(self.deployment.org.automation, "sqs")

    def pending_share_events(self) -> int:
        """Events the share rule matched that no invocation has taken yet."""
        return self._depth(self.deployment.invocation_queue_url)

    def queue_depth(self, logical_id: str) -> int:
        """Messages waiting on one of the deployment's queues (ShareFailureQueue, SweepDeadLetterQueue…)."""
        return self._depth(self.deployment.queue_urls[logical_id])

    def _depth(self, url: str) -> int:
        attributes = self._admin_sqs().get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"])

    def deliver_share_events(
        self, on_event: OnInvocation | None = None, max_batches: int = 100_000
    ) -> list[Invocation]:
        """The share queue's event source until the queue is empty (deferred events included: the clock jumps
        to their return). Returns each event's last attempt, in the order first seen; `on_event` sees an event
        as soon as it is settled (shared, rejected or recorded as failed). The events of wa-share's own share
        calls, which the function recognises and leaves alone (guard.py), are run like any other but kept
        apart, in `own_calls`: what a caller waits for is the events it caused.

        The event source mapping receives and deletes with the function's role, as Lambda does."""
        sqs, url = self._function_sqs("share"), self.deployment.invocation_queue_url
        last: dict[str, Invocation] = {}  # by event: a copy the function sent back is the same event
        for _batch in range(max_batches):
            messages = self._receive(url, self.share_batch_size)
            if not messages:
                if jump_to_next_visible(self.deployment.org.automation, HOME_REGION, url):
                    continue
                break
            events = {message["MessageId"]: event_key(message["Body"]) for message in messages}
            views, settled = self.run_share_batch(sqs, url, messages)
            for message_id, view in views.items():
                if view.error is None and (view.result or {}).get("status") == "own call":
                    self.own_calls.append(view)
                    last.pop(events[message_id], None)  # an earlier receive that sent it back
                else:
                    last[events[message_id]] = view
            for message_id in settled:
                if on_event is not None and events[message_id] in last:
                    on_event(last[events[message_id]])
        return list(last.values())

    def run_share_batch(
        self, sqs: Any, url: str, messages: list[dict[str, Any]]
    ) -> tuple[dict[str, Invocation], list[str]]:
        """One invocation of the share function on `messages`; (each message's view, the settled IDs)."""
        records = [sqs_record(message, url) for message in messages]
        OBSERVED.sent_back.clear()  # what this invocation sends back, and nothing an earlier one left
        invocation = self.invoke("share", {"Records": records}, items=len(messages))
        failed = None
        if invocation.error is None:
            failed = {item["itemIdentifier"] for item in invocation.result.get("batchItemFailures", [])}
        views = {record["messageId"]: _event_view(invocation, record) for record in records}
        invocation.records = list(views.values())
        return views, settle(sqs, url, messages, failed)

    def _receive(self, url: str, most: int) -> list[dict[str, Any]]:
        response = self._function_sqs("share").receive_message(
            QueueUrl=url, MaxNumberOfMessages=most, MessageSystemAttributeNames=["All"], MessageAttributeNames=["All"]
        )
        return list(response.get("Messages", []))

    def discard_share_events(self) -> int:
        """An outage: the function never ran, and Lambda drops async events past their maximum age."""
        return sum(1 for _event in self._take_share_events())

    def _take_share_events(self) -> Iterator[dict[str, Any]]:
        sqs, url = self._admin_sqs(), self.deployment.invocation_queue_url
        while True:
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
            if not messages.get("Messages"):
                return
            for message in messages["Messages"]:
                yield json.loads(message["Body"])
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    def run_sweep(
        self,
        *,
        max_rounds: int = 20,
        on_invocation: OnInvocation | None = None,
        remaining: Callable[[], RemainingTime | None] | None = None,
    ) -> list[Invocation]:
        """The schedule fires: the planner enqueues, then the worker drains the queue (retries included)."""
        runs = [self.invoke("planner", scheduled_event(self.deployment.org.automation, "wa-share-sweep"))]
        if on_invocation:
            on_invocation(runs[-1])
        return runs + self.drain_sweep_queue(max_rounds=max_rounds, on_invocation=on_invocation, remaining=remaining)

    def drain_sweep_queue(
        self,
        *,
        max_rounds: int = 20,
        on_invocation: OnInvocation | None = None,
        remaining: Callable[[], RemainingTime | None] | None = None,
    ) -> list[Invocation]:
        """The SQS event source: worker batches until the queue is empty. `remaining` makes each invocation's
        clock of remaining time (None: the function's Timeout, counting down in real time)."""
        report = on_invocation or (lambda _invocation: None)
        runs: list[Invocation] = []
        for _round in range(max_rounds):
            batch = self._receive_worker_batch()
            if not batch:
                break
            runs.append(self._run_worker_batch(batch, remaining() if remaining else None))
            report(runs[-1])
        return runs

    def run_probe(self, at: datetime | None = None) -> Invocation:
        """The probe's schedule fires (Probe=scheduled) at `at` (now by default): earlier probes are judged and
        deleted, a new one is created."""
        return self.invoke("probe", scheduled_event(self.deployment.org.automation, "wa-share-probe", at))

    def _function_sqs(self, function: str) -> Any:
        """SQS as Lambda calls it for the function (event source mapping, destinations): with its role."""
        if function not in self._sqs_clients:
            credentials = self.deployment.function_credentials[function]
            self._sqs_clients[function] = self.deployment.org.botocore_session(credentials).create_client(
                "sqs", region_name=self.deployment.function_env["AWS_REGION"]
            )
        return self._sqs_clients[function]

    def _receive_worker_batch(self) -> list[dict[str, Any]]:
        response = self._function_sqs("worker").receive_message(
            QueueUrl=self.deployment.queue_urls["SweepQueue"],
            MaxNumberOfMessages=self.worker_batch_size,
            MessageSystemAttributeNames=["All"],
        )
        return list(response.get("Messages", []))

    def _run_worker_batch(self, messages: list[dict[str, Any]], remaining: RemainingTime | None = None) -> Invocation:
        queue_url = self.deployment.queue_urls["SweepQueue"]
        event = {"Records": [sqs_record(message, queue_url) for message in messages]}
        invocation = self.invoke("worker", event, items=len(messages), remaining=remaining)
        failed = set()
        if invocation.error is None:
            failed = {item["itemIdentifier"] for item in invocation.result.get("batchItemFailures", [])}
        sqs = self._admin_sqs()
        for message in messages:
            if invocation.error is None and message["MessageId"] not in failed:
                self._function_sqs("worker").delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            else:  # the visibility timeout passes at once in the simulator (a shortcut: the harness's call)
                sqs.change_message_visibility(
                    QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                )
        return invocation


def _event_view(invocation: Invocation, record: dict[str, Any]) -> Invocation:
    """One record of a share batch as its own invocation: what the function returned for it, or raised."""
    result, error = record_outcome(record)
    if invocation.error is not None:
        result, error = None, invocation.error
    return Invocation(
        "share",
        result=json.loads(json.dumps(result)) if result is not None else None,
        error=error,
        calls=invocation.calls,
        seconds=invocation.seconds,
        items=invocation.items,
        event=body_event(record["body"]),
    )


@contextmanager
def _captured(stream: TextIO | None) -> Iterator[None]:
    """Send the function's output to `stream`: print() and warnings, and the Powertools log handler,
    which holds the stdout it found at import time."""
    if stream is None:
        yield
        return
    handler = function_logger.registered_handler
    previous = handler.stream if isinstance(handler, logging.StreamHandler) else None
    if isinstance(handler, logging.StreamHandler):
        handler.setStream(stream)
    try:
        with redirect_stdout(stream), redirect_stderr(stream):
            yield
    finally:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(previous)
