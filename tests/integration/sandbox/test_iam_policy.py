"""The simulator's IAM evaluator: AWS's order of evaluation, the operators our templates use, and strictness
(what it does not understand never allows)."""

from __future__ import annotations

from typing import Any

import pytest

from wa_share_sandbox.iam_policy import Policy, Request, evaluate

WORKLOAD = "arn:aws:wellarchitected:us-east-1:111122223333:workload/abc"
ORG = {"aws:principalorgid": ("o-a1b2c3d4e5",)}


def _policy(*statements: dict[str, Any]) -> Policy:
    return Policy("role/policy", {"Version": "2012-10-17", "Statement": list(statements)})


def _allow(action: str = "wellarchitected:GetWorkload", resource: str = "*", **condition: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Sid": "S", "Effect": "Allow", "Action": action, "Resource": resource}
    return statement | ({"Condition": condition} if condition else {})


def _decide(statement: dict[str, Any], context: dict[str, tuple[str, ...]] | None = None) -> bool:
    request = Request("wellarchitected:GetWorkload", WORKLOAD, context or {})
    return evaluate([_policy(statement)], None, request).allowed


def test_nothing_granted_is_denied_in_aws_words() -> None:
    decision = evaluate([], None, Request("wellarchitected:GetWorkload", WORKLOAD))
    assert not decision.allowed
    assert decision.reason == "because no identity-based policy allows the wellarchitected:GetWorkload action"


def test_resources_match_field_by_field() -> None:
    assert _decide(_allow(resource="arn:aws:wellarchitected:*:111122223333:workload/*"))
    assert not _decide(_allow(resource="arn:aws:wellarchitected:*:999999999999:workload/*"))
    assert not _decide(_allow(resource="arn:aws:wellarchitected:*"))  # a wildcard never spans fields


def test_explicit_deny_wins_and_session_policy_intersects() -> None:
    deny = {"Effect": "Deny", "Action": "wellarchitected:*", "Resource": "*"}
    request = Request("wellarchitected:GetWorkload", WORKLOAD)
    assert not evaluate([_policy(_allow(), deny)], None, request).allowed
    session = Policy("session", {"Statement": [_allow("wellarchitected:List*")]})
    decision = evaluate([_policy(_allow())], session, request)
    assert (decision.allowed, decision.reason) == (
        False,
        "because no session policy allows the wellarchitected:GetWorkload action",
    )
    assert evaluate([_policy(_allow())], Policy("session", {"Statement": [_allow()]}), request).allowed


@pytest.mark.parametrize(
    ("condition", "context", "allowed"),
    [
        ({"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}, ORG, True),
        ({"StringEquals": {"aws:PrincipalOrgID": "o-other"}}, ORG, False),
        (
            {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/wa-*"}},
            {"aws:principalarn": ("arn:aws:iam::1:role/wa-x",)},
            True,
        ),
        (
            {"ArnLike": {"aws:SourceArn": "arn:aws:events:*:1:rule/r"}},
            {"aws:sourcearn": ("arn:aws:events:eu-west-1:1:rule/r",)},
            True,
        ),
        ({"ForAllValues:StringEquals": {"aws:TagKeys": ["a"]}}, {"aws:tagkeys": ("a", "b")}, False),
        ({"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}}, {"aws:tagkeys": ("a", "b")}, True),
        ({"ForAnyValue:StringEquals": {"aws:TagKeys": ["b"]}}, {"aws:tagkeys": ("a", "b")}, True),
        ({"StringEquals": {"aws:TagKeys": "a"}}, {"aws:tagkeys": ("a",)}, False),  # multivalued without qualifier
        ({"Null": {"aws:ResourceTag/team": "true"}}, {}, True),
        ({"Null": {"aws:ResourceTag/team": "false"}}, {}, False),
        ({"StringEquals": {"aws:ResourceTag/team": "x"}}, {}, False),  # absent key
        ({"StringNotEquals": {"aws:ResourceTag/team": "x"}}, {"aws:resourcetag/team": ("y",)}, True),
        ({"Bool": {"aws:SecureTransport": "true"}}, {}, False),  # a key the simulator does not know
        ({"NumericLessThan": {"aws:RequestTag/n": "3"}}, {"aws:requesttag/n": ("1",)}, False),  # unknown operator
    ],
)
def test_conditions(condition: dict[str, Any], context: dict[str, tuple[str, ...]], allowed: bool) -> None:
    assert _decide(_allow(**condition), context) is allowed


def test_what_is_not_understood_denies_in_a_deny_statement_too() -> None:
    deny = {
        "Effect": "Deny",
        "Action": "*",
        "Resource": "*",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}},
    }
    assert not evaluate([_policy(_allow(), deny)], None, Request("wellarchitected:GetWorkload", WORKLOAD)).allowed
    assert not _decide(_allow(resource="arn:aws:wellarchitected:*:${aws:PrincipalAccount}:workload/*"))
