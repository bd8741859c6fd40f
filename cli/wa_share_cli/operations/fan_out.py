"""The per-account fan-out every organization-wide command shares (report, doctor, sweep --local):
which accounts, and each one's work run concurrently, bounded, in the order the accounts were given."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from wa_share.aws.access import Sessions
from wa_share.sweep.planner import active_accounts

# Each account already works through its regions concurrently: this bounds accounts x regions in flight.
ACCOUNT_CONCURRENCY = 8


def target_accounts(sessions: Sessions, region: str, accounts: Sequence[str]) -> list[str]:
    """The accounts asked for (once each), or every active account of the organization (ListAccounts)."""
    if accounts:
        return list(dict.fromkeys(accounts))
    return active_accounts(sessions.central.organizations(region))


def for_each_account[T](
    accounts: Sequence[str],
    work: Callable[[str], T],
    *,
    name: str,
    on_done: Callable[[str], None] | None = None,
    concurrency: int = ACCOUNT_CONCURRENCY,
) -> list[T]:
    """`work(account)` for every account, `concurrency` at a time; results in the accounts' order.

    `work` records its own per-account failures (a command reports every account, never stops at one);
    an exception it lets through is a bug and stops the command. `on_done` follows progress."""

    def one(account: str) -> T:
        result = work(account)
        if on_done is not None:
            on_done(account)
        return result

    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix=name) as pool:
        return list(pool.map(one, accounts))
