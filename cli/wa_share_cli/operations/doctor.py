"""`wa-share doctor`'s checklist: the central account first, then every account, concurrently."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from wa_share.aws import Sessions
from wa_share_cli.operations.checks import Check
from wa_share_cli.operations.doctor_alarms import check_alarms
from wa_share_cli.operations.doctor_central import (
    check_bus_policy,
    check_dead_letters,
    deploy_forwarder_command,
    management_account,
    organization_id,
)
from wa_share_cli.operations.doctor_member import check_account
from wa_share_cli.operations.doctor_probe import check_probe_alarm
from wa_share_cli.operations.stack import StackOutputs

ACCOUNT_CONCURRENCY = 8


def diagnose(
    sessions: Sessions,
    outputs: StackOutputs,
    accounts: Sequence[str],
    regions: Sequence[str],
    *,
    on_account: Callable[[str], None] | None = None,
) -> list[Check]:
    home = outputs.region
    central = sessions.central
    checks = [check_bus_policy(central.events(home), outputs, organization_id(central.organizations(home)))]
    checks.extend(check_dead_letters(central.sqs(home), outputs))
    checks.extend(check_alarms(central.client("cloudwatch", home), outputs))
    if outputs.outputs.get("ProbeAlarmName"):  # Probe=scheduled
        checks.append(check_probe_alarm(central.client("cloudwatch", home), outputs))

    management = management_account(central.organizations(home))

    def one(account: str) -> list[Check]:
        fix = partial(deploy_forwarder_command, outputs, management=management)
        found = check_account(sessions, account, regions, outputs["CentralEventBusArn"], home, deploy_forwarder=fix)
        if on_account is not None:
            on_account(account)
        return found

    with ThreadPoolExecutor(max_workers=ACCOUNT_CONCURRENCY, thread_name_prefix="doctor") as pool:
        for account_checks in pool.map(one, accounts):
            checks.extend(account_checks)
    return checks
