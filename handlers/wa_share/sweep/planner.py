"""The sweep planner: every active account of the organization becomes one small work item on the queue.

Before queueing, it reads the reviews side once (reviews_side.py) and gives each work item its account's
slice of it (bounded, see work_items.py), so that the workers need no call for workloads already shared.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wa_share.aws.access import Sessions
from wa_share.aws.organizations import list_accounts
from wa_share.aws.sqs import send_batches
from wa_share.observability import Metric, count, logger
from wa_share.runtime.schedule import ScheduledEvent, parse_schedule
from wa_share.settings import PlannerSettings
from wa_share.sweep.reviews_side import read_reviews_side, slices_wanted
from wa_share.sweep.work_items import work_items_for

if TYPE_CHECKING:
    from mypy_boto3_organizations import OrganizationsClient

LIST_ACCOUNTS_PAGE = 20  # ListAccounts' maximum


def sweep_id_of(event: Any) -> str:
    return _schedule(event).id


def _schedule(event: Any) -> ScheduledEvent:
    return parse_schedule(event, function="planner")


def active_accounts(organizations: OrganizationsClient) -> list[str]:
    """Every ACTIVE account, the management account included."""
    listed = list_accounts(organizations, page_size=LIST_ACCOUNTS_PAGE)
    # Account.Status was retired in 2026 for Account.State; read State, fall back to Status.
    return [account["Id"] for account in listed if account.get("State", account.get("Status")) == "ACTIVE"]


def run_planner(event: Any, settings: PlannerSettings, sessions: Sessions) -> dict[str, Any]:
    schedule = _schedule(event)
    logger.append_keys(sweep_id=schedule.id)
    accounts = active_accounts(sessions.central.organizations(settings.home_region))
    full = not slices_wanted(settings, schedule.time)
    slices = None
    if not full and settings.wa_regions is not None:
        side = read_reviews_side(settings, sessions, settings.wa_regions)
        slices = {account: side.slice_for(account, settings.wa_regions, settings.principals) for account in accounts}
    items = work_items_for(accounts, sweep_id=schedule.id, slices=slices)
    sent = send_batches(
        sessions.central.sqs(settings.home_region), settings.sweep_queue_url, [item.to_message() for item in items]
    )
    sliced = sum(1 for item in items if item.known_live)
    count(Metric.SWEEP_ACCOUNTS_PLANNED, sent)
    logger.info(
        "sweep planned", extra={"accounts": len(accounts), "enqueued": sent, "full_sweep": full, "with_slice": sliced}
    )
    return {"sweep_id": schedule.id, "accounts": len(accounts), "enqueued": sent, "full_sweep": full}
