"""`make bench`, the planner part: the real planner against an organization of thousands of accounts.

A simulated organization of 5,000 accounts cannot be built through CreateAccount in a reasonable time, and
moto's SQS scans the whole queue on every SendMessage; both are simulator costs, not the planner's. The
accounts are therefore created straight in moto's Organizations backend (the same account records the API
would create), and the queue's counters are made O(1) for the run (exact while the planner only sends).
The planner itself runs unchanged: its role, its settings, ListAccounts paged by 20, SendMessageBatch by 10,
and the reviews side read once: every account has one workload live-shared with the reviews account (pending,
so 5,000 invitations to page through), seeded straight into the simulator too; each item carries its slice.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from moto import mock_aws
from moto.organizations.models import organizations_backends
from moto.sqs.models import Queue

from bench.data import WORKLOAD_TEMPLATE
from wa_share.aws.access import Sessions
from wa_share.settings import PlannerSettings
from wa_share.sweep.planner import LIST_ACCOUNTS_PAGE, run_planner
from wa_share_sandbox import wellarchitected as wa_backend
from wa_share_sandbox.deployment import deploy
from wa_share_sandbox.iam_trust import install_trust_checks, uninstall_trust_checks
from wa_share_sandbox.lambda_shapes import scheduled_event
from wa_share_sandbox.metering import METER
from wa_share_sandbox.organization import HOME_REGION, SimulatedOrganization, build_organization

_COUNTERS = (
    "approximate_number_of_messages",
    "approximate_number_of_messages_delayed",
    "approximate_number_of_messages_not_visible",
)


@dataclass(frozen=True)
class PlannerRun:
    latency_ms: float
    seconds: float  # the planner, from the schedule event to the last SendMessageBatch
    listing_seconds: float  # moto alone answering the same ListAccounts pages (no latency): simulator cost
    calls: Counter[str]
    queued: int  # messages on the sweep queue afterwards


@contextmanager
def _constant_time_queue_counters() -> Iterator[None]:
    """moto recomputes ApproximateNumberOfMessages* on every SendMessage by scanning the queue: O(n^2) over
    5,000 messages. While nothing is delayed or in flight, these O(1) values are the same numbers."""
    saved = {name: Queue.__dict__[name] for name in _COUNTERS}
    Queue.approximate_number_of_messages = property(lambda queue: len(queue._messages))  # type: ignore[assignment]
    Queue.approximate_number_of_messages_delayed = property(lambda _queue: 0)  # type: ignore[assignment]
    Queue.approximate_number_of_messages_not_visible = property(lambda _queue: 0)  # type: ignore[assignment]
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(Queue, name, value)


@contextmanager
def _trust_checked() -> Iterator[Callable[[], None]]:
    """Trust checks from `install()` on (after the harness has deployed as admin) until the run ends."""
    try:
        yield install_trust_checks
    finally:
        uninstall_trust_checks()


def planner_run(accounts: int, latency_ms: float) -> PlannerRun:
    """Call inside the benchmark's simulator context."""
    with _constant_time_queue_counters(), mock_aws(), _trust_checked() as install:
        org = build_organization(members=0)
        deployment = deploy(org, (HOME_REGION,), forwarders=False)
        install()
        organizations = organizations_backends[org.management]["aws"]
        for index in range(accounts - len(org.accounts)):
            organizations.create_account(AccountName=f"bench-{index:05d}", Email=f"bench-{index:05d}@example.com")
        _share_one_workload_each(org, [account.id for account in organizations.accounts])
        listing = _time_listing(org)
        central = org.botocore_session(deployment.function_credentials["planner"])
        if latency_ms:  # the sweep's per-call latency, here on every call the planner makes
            delay = latency_ms / 1000
            central.get_component("event_emitter").register_first("before-send", lambda **_: time.sleep(delay))
        settings = PlannerSettings.from_env(deployment.environment("planner"))
        sessions = Sessions(member_role_name=settings.member_role_name, home_region=HOME_REGION, central=central)
        event = scheduled_event(deployment.org.automation, "wa-share-sweep")
        before, started = METER.snapshot(), time.perf_counter()
        run_planner(event, settings, sessions)
        seconds = time.perf_counter() - started
        calls = METER.snapshot() - before
        return PlannerRun(latency_ms, seconds, listing, calls, _queued(org, deployment.queue_urls["SweepQueue"]))


def _share_one_workload_each(org: SimulatedOrganization, accounts: list[str]) -> None:
    with wa_backend.LOCK:
        for account in accounts:
            if account == org.reviews:
                continue
            backend = wa_backend.get_backend(account, HOME_REGION)
            params = WORKLOAD_TEMPLATE | {"WorkloadName": "planner-bench", "AwsRegions": [HOME_REGION]}
            workload = backend.create_workload(params)["WorkloadId"]
            backend.create_workload_share(workload, org.reviews, "READONLY", f"seed-{workload}")


def _time_listing(org: SimulatedOrganization) -> float:
    client: Any = org.client(org.automation, "organizations")
    started, token = time.perf_counter(), None
    while True:
        page = client.list_accounts(MaxResults=LIST_ACCOUNTS_PAGE, **({"NextToken": token} if token else {}))
        if not (token := page.get("NextToken")):
            return time.perf_counter() - started


def _queued(org: SimulatedOrganization, queue_url: str) -> int:
    sqs: Any = org.client(org.automation, "sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def print_planner(accounts: int, runs: list[PlannerRun]) -> None:
    print(f"\n### Planner: {accounts} accounts (ListAccounts paged by 20, SendMessageBatch by 10)\n")
    print("| latency/call | planner wall s | moto alone answering the ListAccounts pages, s | AWS calls | queued |")
    print("|---:|---:|---:|---|---:|")
    for run in runs:
        counts = ", ".join(f"{operation} {count}" for operation, count in sorted(run.calls.items()))
        print(f"| {run.latency_ms:g} ms | {run.seconds:.1f} | {run.listing_seconds:.1f} | {counts} | {run.queued} |")
