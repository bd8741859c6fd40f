"""The sweep planner: every active account of the organization becomes one small work item on the queue."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from wa_share.aws import Sessions, aws_call
from wa_share.observability import count, logger
from wa_share.queues import send_batches
from wa_share.settings import Settings, SettingsError
from wa_share.work_items import WorkItem

if TYPE_CHECKING:
    from mypy_boto3_organizations import OrganizationsClient

LIST_ACCOUNTS_PAGE = 20  # ListAccounts' maximum


class InvalidScheduleEvent(ValueError):
    """The planner was invoked with something other than its schedule's event."""


class _ScheduledEvent(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str = Field(min_length=1, max_length=128)
    source: Literal["aws.events", "aws.scheduler"]
    detail_type: Literal["Scheduled Event"] = Field(alias="detail-type")


def sweep_id_of(event: Any) -> str:
    try:
        return _ScheduledEvent.model_validate(event).id
    except ValidationError as error:
        fields = ", ".join(".".join(str(part) for part in item["loc"]) or "event" for item in error.errors())
        raise InvalidScheduleEvent(
            f"not a scheduled event (fields: {fields}): the planner runs on its schedule"
        ) from None


def active_accounts(organizations: OrganizationsClient) -> list[str]:
    """Every ACTIVE account, the management account included; pages can be empty while NextToken is set."""
    accounts: list[str] = []
    token: str | None = None
    while True:
        kwargs = {"MaxResults": LIST_ACCOUNTS_PAGE} | ({"NextToken": token} if token else {})
        with aws_call("organizations:ListAccounts", "organization"):
            page = organizations.list_accounts(**kwargs)  # type: ignore[arg-type]
        # Account.Status was retired in 2026 for Account.State; read State, fall back to Status.
        accounts.extend(
            account["Id"]
            for account in page.get("Accounts", [])
            if account.get("State", account.get("Status")) == "ACTIVE"
        )
        token = page.get("NextToken")
        if not token:
            return accounts


def plan_sweep(
    sweep_id: str, accounts: list[str], *, dry_run: bool = False, regions: tuple[str, ...] | None = None
) -> list[WorkItem]:
    return [
        WorkItem(account_id=account, sweep_id=sweep_id, dry_run=dry_run, regions=regions)
        for account in dict.fromkeys(accounts)
    ]


def run_planner(event: Any, settings: Settings, sessions: Sessions) -> dict[str, Any]:
    sweep_id = sweep_id_of(event)
    if settings.sweep_queue_url is None:
        raise SettingsError("environment variable SWEEP_QUEUE_URL is required by the planner but not set")
    logger.append_keys(sweep_id=sweep_id)
    accounts = active_accounts(sessions.central.organizations(settings.home_region))
    items = plan_sweep(sweep_id, accounts)
    sent = send_batches(
        sessions.central.sqs(settings.home_region), settings.sweep_queue_url, [item.to_message() for item in items]
    )
    count("SweepAccountsPlanned", sent)
    logger.info("sweep planned", extra={"accounts": len(accounts), "enqueued": sent})
    return {"sweep_id": sweep_id, "accounts": len(accounts), "enqueued": sent}
