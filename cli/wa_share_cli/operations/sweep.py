"""Sweep on demand: targeted work items for the deployed worker, or the same sweep run in-process."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from wa_share.aws.access import AwsError, Sessions
from wa_share.aws.sqs import send_batches
from wa_share.settings import SweepSettings
from wa_share.sweep.account import AccountSweep, sweep_account
from wa_share.sweep.work_items import WorkItem
from wa_share_cli.operations.fan_out import for_each_account

LOCAL_ACCOUNT_CONCURRENCY = 4  # each account already sweeps its regions concurrently, and writes shares


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


def enqueue(sessions: Sessions, region: str, queue_url: str, items: Sequence[WorkItem]) -> int:
    return send_batches(sessions.central.sqs(region), queue_url, [item.to_message() for item in items])


def sweep_locally(
    items: Sequence[WorkItem],
    settings: SweepSettings,
    sessions: Sessions,
    *,
    on_done: Callable[[str], None] | None = None,
) -> list[AccountSweep | AccountFailure]:
    """The worker's own sweep, with the operator's credentials; a failing account does not stop the others."""

    by_account = {item.account_id: item for item in items}

    def one(account: str) -> AccountSweep | AccountFailure:
        try:
            return sweep_account(by_account[account], settings, sessions)
        except AwsError as error:
            return AccountFailure(account, error)

    return for_each_account(
        list(by_account), one, name="account", on_done=on_done, concurrency=LOCAL_ACCOUNT_CONCURRENCY
    )
