"""Event bus policies for the simulator: moto delivers to another account's bus without asking it.

With `install_bus_policy_checks()`, an event that reaches a bus of another account, from a rule's target
(the principal is the target's role, or the rule's account without one) or from PutEvents (the caller),
is delivered only when the receiving bus's policy admits it, and the target's role (one our templates
deploy) allows events:PutEvents on that bus, as in AWS. A rule target that is refused
sends the event to its DeadLetterConfig queue, as EventBridge does once delivery fails for good. Only the
policy features our templates use are evaluated (StringEquals on aws:PrincipalOrgID; ArnLike/ArnEquals on
aws:PrincipalArn; StringEquals and ForAllValues:StringEquals on events:source and events:detail-type); a
condition this module does not know denies.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from moto.events.models import Rule, events_backends
from moto.events.responses import EventsHandler
from moto.events.utils import EventTemplateParser
from moto.sqs.models import sqs_backends

from wa_share_sandbox.iam_caller import caller_of, org_of
from wa_share_sandbox.iam_identity import Caller, announce, authorize_role, is_governed
from wa_share_sandbox.iam_request_params import MotoRequest

_ORIGINAL: dict[str, Callable[..., Any]] = {}


@dataclass(frozen=True)
class Delivery:
    """One event arriving at a bus: who puts it, and what the event says it is."""

    principal_arn: str
    principal_account: str
    source: str
    detail_type: str


def admits(policy: Mapping[str, Any] | None, bus_arn: str, delivery: Delivery) -> bool:
    """Whether a bus policy lets `delivery` onto the bus `bus_arn` (no policy: nobody from outside)."""
    statements = (policy or {}).get("Statement", [])
    statements = statements if isinstance(statements, list) else [statements]
    return any(_allows(statement, bus_arn, delivery) for statement in statements)


def _listed(value: Any) -> list[str]:
    return [str(item) for item in (value if isinstance(value, list) else [value])]


def _allows(statement: Mapping[str, Any], bus_arn: str, delivery: Delivery) -> bool:
    if statement.get("Effect") != "Allow" or "events:PutEvents" not in _listed(statement.get("Action", [])):
        return False
    if not any(fnmatch.fnmatchcase(bus_arn, pattern) for pattern in _listed(statement.get("Resource", []))):
        return False
    principal = statement.get("Principal")
    principals = ["*"] if principal == "*" else _listed((principal or {}).get("AWS", []))
    names = {"*", delivery.principal_arn, delivery.principal_account, f"arn:aws:iam::{delivery.principal_account}:root"}
    if not names.intersection(principals):
        return False
    return all(_holds(operator, tests, delivery) for operator, tests in statement.get("Condition", {}).items())


def _holds(operator: str, tests: Mapping[str, Any], delivery: Delivery) -> bool:
    event_keys = {"events:source": delivery.source, "events:detail-type": delivery.detail_type}
    for key, expected in tests.items():
        values = _listed(expected)
        if operator in {"ArnLike", "ArnEquals"} and key == "aws:PrincipalArn":
            holds = any(fnmatch.fnmatchcase(delivery.principal_arn, pattern) for pattern in values)
        elif operator == "StringEquals" and key == "aws:PrincipalOrgID":
            holds = org_of(delivery.principal_account) in values
        elif operator in {"StringEquals", "ForAllValues:StringEquals"} and key in event_keys:
            holds = event_keys[key] in values
        else:
            return False
        if not holds:
            return False
    return True


def _bus_policy(account: str, region: str, bus_name: str) -> tuple[str, dict[str, Any] | None]:
    bus = events_backends[account][region].describe_event_bus(bus_name)
    return str(bus.arn), (json.loads(bus.policy) if bus.policy else None)


def _admitted_at(bus: tuple[str, str, str], delivery: Delivery) -> bool:
    bus_arn, policy = _bus_policy(*bus)
    return admits(policy, bus_arn, delivery)


def _foreign_bus(arn: str, account: str) -> tuple[str, str, str] | None:
    """(account, region, bus name) of an event bus ARN in another account than `account`."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "events" or not parts[5].startswith("event-bus/") or parts[4] == account:  # noqa: PLR2004
        return None
    return parts[4], parts[3], parts[5].split("/", 1)[1]


def deliver_whole_envelopes() -> None:
    """A target without an InputTransformer gets the whole event in AWS; moto's default template leaves
    out the envelope's `account`, which Powertools' EventBridgeModel (and so the share function) requires."""
    template = EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE
    if '"account"' not in template:
        whole = template.replace('"version": "0", ', '"version": "0", "account": "<account>", ', 1)
        EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE = whole


def install_bus_policy_checks() -> None:
    if "send_to_targets" in _ORIGINAL:
        return
    _ORIGINAL["send_to_targets"] = Rule.send_to_targets
    _ORIGINAL["put_events"] = EventsHandler.put_events
    Rule.send_to_targets = _send_to_targets  # type: ignore[method-assign]
    EventsHandler.put_events = _put_events  # type: ignore[method-assign]


def uninstall_bus_policy_checks() -> None:
    if "send_to_targets" in _ORIGINAL:
        Rule.send_to_targets = _ORIGINAL.pop("send_to_targets")  # type: ignore[method-assign]
        EventsHandler.put_events = _ORIGINAL.pop("put_events")  # type: ignore[method-assign]


def _send_to_targets(self: Rule, original_event: Any, transform_input: bool = True) -> None:
    if not self.event_pattern.matches_event(original_event):
        return
    admitted = []
    for target in self.targets:
        foreign = _foreign_bus(str(target["Arn"]), self.account_id)
        role = str(target.get("RoleArn") or f"arn:aws:iam::{self.account_id}:root")
        delivery = Delivery(role, self.account_id, str(original_event["source"]), str(original_event["detail-type"]))
        if foreign is None or (_admitted_at(foreign, delivery) and _role_may_put(delivery, str(target["Arn"]))):
            admitted.append(target)
        else:
            _dead_letter(self, target, original_event)
    kept, self.targets = self.targets, admitted
    try:
        _ORIGINAL["send_to_targets"](self, original_event, transform_input)
    finally:
        self.targets = kept


def _role_may_put(delivery: Delivery, bus_arn: str) -> bool:
    """The target's role (a governed one: our forwarder's) must allow events:PutEvents on the bus too."""
    if not is_governed(delivery.principal_arn):
        return True
    entry = {"Source": delivery.source, "DetailType": delivery.detail_type, "EventBusName": bus_arn}
    request = MotoRequest("events", bus_arn.split(":")[3], "PutEvents", {"Entries": [entry]})
    session = f"arn:aws:sts::{delivery.principal_account}:assumed-role/{delivery.principal_arn.rsplit('/', 1)[-1]}"
    checks = authorize_role(Caller(delivery.principal_arn, session), "events:PutEvents", [bus_arn], request)
    announce(checks)
    return all(check.decision.allowed for check in checks)


def _dead_letter(rule: Rule, target: Mapping[str, Any], event: Any) -> None:
    """EventBridge's dead-letter queue message: the event, with the reason as message attributes."""
    queue_arn = (target.get("DeadLetterConfig") or {}).get("Arn")
    if not queue_arn:
        return  # dropped, as EventBridge drops an undeliverable event without a dead-letter queue
    parts = str(queue_arn).split(":", 5)
    account, region, name = parts[4], parts[3], parts[5]
    attributes = {
        "ERROR_CODE": {"DataType": "String", "StringValue": "NO_PERMISSIONS"},
        "RULE_ARN": {"DataType": "String", "StringValue": str(rule.arn)},
        "TARGET_ARN": {"DataType": "String", "StringValue": str(target["Arn"])},
    }
    sqs_backends[account][region].send_message(name, json.dumps(event, default=str), message_attributes=attributes)


def _put_events(self: EventsHandler) -> str:
    """PutEvents to another account's bus (by ARN): the bus policy decides, the caller is the principal."""
    entries = self._get_param("Entries")
    caller_arn, caller_account = caller_of(self)
    results: list[dict[str, Any]] = []
    for entry in entries:
        foreign = _foreign_bus(str(entry.get("EventBusName") or ""), caller_account)
        if foreign is None:
            results.extend(self.events_backend.put_events([entry]))
            continue
        delivery = Delivery(caller_arn, caller_account, str(entry.get("Source")), str(entry.get("DetailType")))
        if not _admitted_at(foreign, delivery):
            bus_arn = f"arn:aws:events:{foreign[1]}:{foreign[0]}:event-bus/{foreign[2]}"
            message = f"User: {caller_arn} is not authorized to perform: events:PutEvents on resource: {bus_arn}"
            results.append({"ErrorCode": "AccessDeniedException", "ErrorMessage": message})
            continue
        results.extend(events_backends[foreign[0]][foreign[1]].put_events([entry | {"EventBusName": foreign[2]}]))
    failed = sum(1 for result in results if "ErrorCode" in result)
    return json.dumps({"FailedEntryCount": failed, "Entries": results})
