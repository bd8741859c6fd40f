"""Forwarders whose events the central bus refuses: the story's undeliverable events.

A forwarder stack deployed with a ForwardingRoleName the central stack does not name (docs,
Troubleshooting) puts its events on the central bus as a role the bus policy does not admit. EventBridge
gives such an event up at once and puts it, whole, on the forwarder's dead-letter queue (bus_policy.py
plays that part); nothing reaches the share function, the nightly sweep shares the workload, and reads
the queue's depth into the one central metric and alarm (wa_share/sweep/forwarder_dead_letters.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wa_share.sweep.forwarder_dead_letters import FORWARDER_DEAD_LETTER_QUEUE, FOUND_LOG
from wa_share_cli.operations.doctor_member import FORWARDER_RULE_NAME
from wa_share_sandbox.organization import SimulatedOrganization

MISNAMED_ROLE = "wa-share-forwarder-misnamed"


@dataclass
class MisnamedForwarders:
    """The forwarding rules of `places` (account, region) aimed through a misnamed role until `restore()`."""

    org: SimulatedOrganization
    places: tuple[tuple[str, str], ...]
    _targets: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)

    def apply(self) -> None:
        rule = FORWARDER_RULE_NAME
        for account, region in self.places:
            events = self.org.client(account, "events", region)
            targets = events.list_targets_by_rule(Rule=rule)["Targets"]
            self._targets[(account, region)] = targets
            misnamed = [target | {"RoleArn": _renamed(str(target["RoleArn"]))} for target in targets]
            events.put_targets(Rule=rule, Targets=misnamed)

    def restore(self) -> None:
        """The operator's fix (the right ForwardingRoleName); the dead letters stay until someone purges them."""
        rule = FORWARDER_RULE_NAME
        for (account, region), targets in self._targets.items():
            self.org.client(account, "events", region).put_targets(Rule=rule, Targets=targets)
        self._targets.clear()

    def dead_letters(self) -> dict[tuple[str, str], int]:
        """Each place's forwarder dead-letter queue depth, as the account's administrator sees it."""
        depths = {}
        for account, region in self.places:
            sqs = self.org.client(account, "sqs", region)
            url = sqs.get_queue_url(QueueName=FORWARDER_DEAD_LETTER_QUEUE)["QueueUrl"]
            names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
            depths[(account, region)] = sum(int(attributes.get(name, 0)) for name in names)
        return depths


def _renamed(role_arn: str) -> str:
    return f"{role_arn.rsplit('/', 1)[0]}/{MISNAMED_ROLE}"


def misname_forwarders(org: SimulatedOrganization, accounts: tuple[str, ...], region: str) -> MisnamedForwarders:
    forwarders = MisnamedForwarders(org, tuple((account, region) for account in accounts))
    forwarders.apply()
    return forwarders


def undelivered_note(forwarders: MisnamedForwarders, names: dict[str, str]) -> tuple[dict[str, int], str]:
    """Phase 2's dead letters by account name and region, and the story's line about them."""
    depths = {f"{names[account]} {region}": depth for (account, region), depth in forwarders.dead_letters().items()}
    if not depths:
        return depths, "every forwarder delivered (no forwarder misnamed)"
    where = ", ".join(f"{place}: {depth}" for place, depth in depths.items())
    return depths, f"refused by the central bus (forwarding role {MISNAMED_ROLE}) → forwarder dead letters: {where}"


def dead_letters_found(records: list[dict[str, Any]], names: dict[str, str]) -> tuple[dict[str, int], str]:
    """What the sweep's log lines say it found in the forwarders' dead-letter queues."""
    found = {
        f"{names.get(str(line['account_id']), line['account_id'])} {line['region']}": int(line["messages"])
        for line in records
        if line.get("message") == FOUND_LOG
    }
    if not found:
        return found, "ForwarderDeadLetters = 0: every forwarder delivered"
    where = ", ".join(f"{place}: {count}" for place, count in found.items())
    note = f"ForwarderDeadLetters (read by the sweep): {where} → alarm forwarder-dead-letters, `wa-share doctor`"
    return found, note
