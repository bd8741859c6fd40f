"""Sweep on demand: targeted work items for the deployed worker, or the same sweep run in-process."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from wa_share.aws.access import AwsError, Sessions
from wa_share.aws.sqs import send_batches
from wa_share.settings import SweepSettings
from wa_share.sweep.account import AccountSweep, sweep_account
from wa_share.sweep.planner import active_accounts
from wa_share.sweep.work_items import WorkItem

LOCAL_ACCOUNT_CONCURRENCY = 4  # each account already sweeps its regions concurrently


@dataclass(frozen=True)
class AccountFailure:
    """An account the local sweep could not start (its member role cannot be assumed, say)."""

    account_id: str
    error: AwsError

    def summary(self) -> dict[str, Any]:
        return {"account_id": self.account_id, "failed": 1, "failures": [str(self.error)]}


def summary_of(result: AccountSweep | AccountFailure) -> dict[str, Any]:
    """One row per account, in the CLI's own stable terms (the worker's log line may change its names)."""
    if isinstance(result, AccountFailure):
        return result.summary()
    return {
        "account_id": result.account_id,
        "regions": list(result.regions),
        "regions_skipped": list(result.skipped_regions),
        "workloads_seen": result.workloads_seen,
        **result.totals(),
        "failed": len(result.failures),
        "failures": [f"{failure.scope}: {failure.message}" for failure in result.failures],
    }


def new_sweep_id(now: datetime | None = None) -> str:
    return f"cli-{(now or datetime.now(UTC)).strftime('%Y%m%dT%H%M%SZ')}-{uuid.uuid4().hex[:8]}"


def target_accounts(sessions: Sessions, region: str, accounts: Sequence[str]) -> list[str]:
    """The accounts asked for, or every active account of the organization (ListAccounts, delegated admin)."""
    if accounts:
        return list(dict.fromkeys(accounts))
    return active_accounts(sessions.central.organizations(region))


def enqueue(sessions: Sessions, region: str, queue_url: str, items: Sequence[WorkItem]) -> int:
    return send_batches(sessions.central.sqs(region), queue_url, [item.to_message() for item in items])


def sweep_locally(
    items: Sequence[WorkItem],
    settings: SweepSettings,
    sessions: Sessions,
    *,
    on_done: Callable[[AccountSweep | AccountFailure], None] | None = None,
) -> list[AccountSweep | AccountFailure]:
    """The worker's own sweep, with the operator's credentials; a failing account does not stop the others."""

    def one(item: WorkItem) -> AccountSweep | AccountFailure:
        try:
            result: AccountSweep | AccountFailure = sweep_account(item, settings, sessions)
        except AwsError as error:
            result = AccountFailure(item.account_id, error)
        if on_done is not None:
            on_done(result)
        return result

    with ThreadPoolExecutor(max_workers=LOCAL_ACCOUNT_CONCURRENCY, thread_name_prefix="account") as pool:
        return list(pool.map(one, items))
