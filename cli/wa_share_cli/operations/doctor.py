"""`wa-share doctor`'s checklist: the central account first, then every account, concurrently."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from wa_share.aws.access import AwsError, Sessions
from wa_share.aws.regions import enabled_regions
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
from wa_share_cli.operations.doctor_parameters import check_plain_stacks, check_stack_sets
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
    checks.extend(check_stack_sets(central.client("cloudformation", home), outputs))
    if outputs.outputs.get("ProbeAlarmName"):  # Probe=scheduled
        checks.append(check_probe_alarm(central.client("cloudwatch", home), outputs))

    management = management_account(central.organizations(home))

    def one(account: str) -> list[Check]:
        fix = partial(deploy_forwarder_command, outputs, management=management)
        found = check_account(sessions, account, regions, outputs["CentralEventBusArn"], home, deploy_forwarder=fix)
        if account == management:  # StackSets never reach it: the README's plain stacks
            found.extend(_management_stacks(sessions, account, regions, outputs))
        if on_account is not None:
            on_account(account)
        return found

    with ThreadPoolExecutor(max_workers=ACCOUNT_CONCURRENCY, thread_name_prefix="doctor") as pool:
        for account_checks in pool.map(one, accounts):
            checks.extend(account_checks)
    return checks


def _management_stacks(sessions: Sessions, account: str, regions: Sequence[str], outputs: StackOutputs) -> list[Check]:
    """Its plain member stacks' parameters; nothing when its role is out of reach (check_account said so)."""
    try:
        session = sessions.member(account)
        enabled = enabled_regions(session.ec2(outputs.region), account)
    except AwsError:
        return []
    covered = [region for region in regions if region in enabled]
    return check_plain_stacks(session, account, covered, outputs.region, outputs)
