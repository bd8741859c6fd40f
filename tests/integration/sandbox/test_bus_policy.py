"""The simulator's bus policy evaluation: what it understands it decides as AWS does; what it does not
understand denies, so no test passes on a policy the simulator misread."""

from __future__ import annotations

from typing import Any

from wa_share_sandbox.bus_policy import Delivery, admits

BUS = "arn:aws:events:us-east-1:222222222222:event-bus/wa-share-central"
FORWARDED = Delivery("arn:aws:iam::333333333333:role/wa-share-forwarder", "333333333333", "aws.wellarchitected", "x")


def policy(condition: dict[str, Any], principal: Any = "*") -> dict[str, Any]:
    statement = {"Effect": "Allow", "Principal": principal, "Action": "events:PutEvents", "Resource": BUS}
    return {"Statement": [statement | ({"Condition": condition} if condition else {})]}


def test_no_policy_admits_nobody_from_another_account() -> None:
    assert not admits(None, BUS, FORWARDED)
    assert not admits({"Statement": []}, BUS, FORWARDED)


def test_an_unknown_condition_denies() -> None:
    assert not admits(policy({"StringEquals": {"aws:SourceVpc": "vpc-1"}}), BUS, FORWARDED)
    assert not admits(policy({"StringLike": {"events:source": "aws.*"}}), BUS, FORWARDED)


def test_principal_resource_and_event_conditions() -> None:
    assert admits(policy({}), BUS, FORWARDED)
    assert admits(policy({}, {"AWS": "arn:aws:iam::333333333333:root"}), BUS, FORWARDED)
    assert not admits(policy({}, {"AWS": "arn:aws:iam::444444444444:root"}), BUS, FORWARDED)
    assert not admits(policy({}), BUS.replace("central", "other"), FORWARDED)
    pinned = {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/wa-share-forwarder"}}
    assert admits(policy(pinned), BUS, FORWARDED)
    assert not admits(policy(pinned), BUS, Delivery("arn:aws:iam::333333333333:role/x", "333333333333", "a", "x"))
    sources = {"ForAllValues:StringEquals": {"events:source": ["aws.wellarchitected"]}}
    assert admits(policy(sources), BUS, FORWARDED)
    assert not admits(policy(sources), BUS, Delivery(FORWARDED.principal_arn, "333333333333", "wa-share", "x"))
