"""IAM policy evaluation for the simulator: identity policies and session policies, strictly.

AWS's order for one request: an explicit Deny in any policy denies; otherwise the identity policies must
allow, and with a session policy (AssumeRole's Policy) that policy must allow too (effective permissions
are the intersection). Statements: Effect, Action/NotAction, Resource/NotResource, Condition. Resources
and ArnLike/ArnEquals match each of an ARN's six fields on its own with `*` and `?` (the last field may
hold ':'). Condition operators: String(Not)Equals, String(Not)Like, Arn(Not)Equals, Arn(Not)Like, Bool,
Null, with the ForAllValues:/ForAnyValue: qualifiers and the IfExists suffix.

Strict on purpose: a condition key or operator this module does not know, a policy variable, or a
Principal in an identity policy makes an Allow statement allow nothing and a Deny statement deny, so a
test can never pass on a grant the simulator did not understand.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

Values = tuple[str, ...]

# The condition keys the simulator can supply (iam_context.py); a key outside this list is unknown.
KNOWN_KEYS = (
    "aws:resourcetag/",
    "aws:requesttag/",
    "aws:tagkeys",
    "aws:principalorgid",
    "aws:principalarn",
    "aws:principalaccount",
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:resourceorgid",
    "aws:requestedregion",
    "iam:awsservicename",
    "events:source",
    "events:detail-type",
)
# Keys that may hold several values: only a ForAllValues:/ForAnyValue: test reads them.
MULTIVALUED_KEYS = frozenset({"aws:tagkeys", "events:source", "events:detail-type"})


@dataclass(frozen=True)
class Request:
    """What IAM evaluates: an action on one resource, with the condition keys present for the request."""

    action: str
    resource: str
    context: Mapping[str, Values] = field(default_factory=dict)  # lower-case key -> values; absent: not present


@dataclass(frozen=True)
class Policy:
    name: str  # e.g. "role/wa-share-member/share-own-workloads", "session"
    document: Mapping[str, Any]

    @staticmethod
    def parse(name: str, document: str | Mapping[str, Any]) -> Policy:
        return Policy(name, json.loads(document) if isinstance(document, str) else document)


@dataclass(frozen=True)
class Grant:
    """One statement of one policy, as a decision names it."""

    policy: str
    index: int
    sid: str


@dataclass(frozen=True)
class Decision:
    allowed: bool
    # Why not, in AWS's words: "because no identity-based policy allows the <action> action", ...
    reason: str = ""
    allowing: tuple[Grant, ...] = ()  # the identity statements that allow the request


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def statements(policy: Policy) -> list[tuple[Grant, Mapping[str, Any]]]:
    """The policy's statements (moto's CloudFormation leaves AWS::NoValue as null in lists: skipped)."""
    found: list[tuple[Grant, Mapping[str, Any]]] = []
    for index, raw in enumerate(_listed(policy.document.get("Statement", []))):
        if isinstance(raw, dict):
            found.append((Grant(policy.name, index, str(raw.get("Sid", ""))), raw))
    return found


@cache
def _pattern(text: str, *, ignore_case: bool) -> re.Pattern[str]:
    """IAM's wildcards: `*` any run of characters, `?` one character, nothing else special."""
    body = "".join(".*" if char == "*" else "." if char == "?" else re.escape(char) for char in text)
    return re.compile(body, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def like(value: str, pattern: str, *, ignore_case: bool = False) -> bool:
    return _pattern(pattern, ignore_case=ignore_case).fullmatch(value) is not None


def arn_like(arn: str, pattern: str) -> bool:
    """Field by field: a wildcard never spans the ':' between the first five fields."""
    if pattern == "*":
        return True
    left, right = pattern.split(":", 5), arn.split(":", 5)
    return len(left) == len(right) == 6 and all(like(r, p) for p, r in zip(left, right, strict=True))  # noqa: PLR2004


def _any_matches(patterns: Any, value: str, matcher: Any) -> bool | None:
    listed = [str(item) for item in _listed(patterns)]
    if any("${" in pattern for pattern in listed):
        return None  # a policy variable: not evaluated
    return any(matcher(value, pattern) for pattern in listed)


def _target_holds(statement: Mapping[str, Any], request: Request) -> bool | None:
    """Action and resource elements (None: something not understood)."""
    if "Principal" in statement or "NotPrincipal" in statement:
        return None
    action_like = lambda value, pattern: like(value, pattern, ignore_case=True)  # noqa: E731
    if "Action" in statement:
        action = _any_matches(statement["Action"], request.action, action_like)
    else:
        negated = _any_matches(statement.get("NotAction", []), request.action, action_like)
        action = None if negated is None else not negated
    if "Resource" in statement:
        resource = _any_matches(statement["Resource"], request.resource, arn_like)
    else:
        negated = _any_matches(statement.get("NotResource", []), request.resource, arn_like)
        resource = None if negated is None else not negated
    if action is False or resource is False:
        return False
    return None if action is None or resource is None else True


def _compare(base: str) -> Any:
    return {
        "StringEquals": lambda value, expected: value == expected,
        "StringEqualsIgnoreCase": lambda value, expected: value.lower() == expected.lower(),
        "StringLike": like,
        "ArnEquals": arn_like,
        "ArnLike": arn_like,
        "Bool": lambda value, expected: value.lower() == expected.lower(),
    }.get(base)


_NEGATED = {"StringNotEquals": "StringEquals", "StringNotLike": "StringLike"}
_NEGATED |= {"ArnNotEquals": "ArnEquals", "ArnNotLike": "ArnLike"}


def _known_key(key: str) -> bool:
    lowered = key.lower()
    return any(lowered == known or (known.endswith("/") and lowered.startswith(known)) for known in KNOWN_KEYS)


def condition_test(operator: str, key: str, expected: Values, context: Mapping[str, Values]) -> bool | None:
    """One key of one condition operator; None when the operator or the key is not understood."""
    qualifier, _, base = operator.rpartition(":")
    if qualifier not in {"", "ForAllValues", "ForAnyValue"} or not _known_key(key):
        return None
    if_exists = base.endswith("IfExists") and base != "Null"
    base = base.removesuffix("IfExists") if if_exists else base
    actual = context.get(key.lower())
    if base == "Null":
        return None if qualifier else (actual is None) == (expected[0].lower() == "true")
    negated = base in _NEGATED
    compare = _compare(_NEGATED.get(base, base))
    if compare is None or (negated and qualifier):
        return None
    if actual is None:
        return if_exists or negated or qualifier == "ForAllValues"
    if not qualifier and (len(actual) != 1 or key.lower() in MULTIVALUED_KEYS):
        return None
    hits = [any(compare(value, wanted) for wanted in expected) for value in actual]
    if qualifier == "ForAllValues":
        return all(hits)
    held = any(hits)
    return not held if negated else held


def conditions_hold(conditions: Mapping[str, Any], context: Mapping[str, Values]) -> bool | None:
    """All conditions of a statement: False if one fails, None if one is not understood."""
    results = [
        condition_test(operator, key, tuple(str(item) for item in _listed(expected)), context)
        for operator, tests in conditions.items()
        for key, expected in (tests.items() if isinstance(tests, dict) else [("", "")])
    ]
    if None in results:
        return None
    return all(results)


def _applies(statement: Mapping[str, Any], request: Request) -> bool | None:
    target = _target_holds(statement, request)
    if target is False:
        return False
    held = conditions_hold(statement.get("Condition", {}), request.context)
    if held is False:
        return False
    return None if target is None or held is None else True


def _effect(statement: Mapping[str, Any]) -> str:
    effect = statement.get("Effect")
    if effect not in {"Allow", "Deny"}:
        raise ValueError(f"a statement's Effect must be Allow or Deny, not {effect!r}")
    return str(effect)


def _denies(policies: Sequence[Policy], request: Request) -> bool:
    """An explicit Deny applies, or might (not understood): either way, deny."""
    return any(
        _effect(raw) == "Deny" and _applies(raw, request) is not False
        for policy in policies
        for _, raw in statements(policy)
    )


def allowing(policies: Sequence[Policy], request: Request) -> tuple[Grant, ...]:
    return tuple(
        grant
        for policy in policies
        for grant, raw in statements(policy)
        if _effect(raw) == "Allow" and _applies(raw, request) is True
    )


def evaluate(identity: Sequence[Policy], session: Policy | None, request: Request) -> Decision:
    """AWS's decision for a role session: identity policies, then the session policy if there is one."""
    action = request.action
    if _denies(identity, request):
        return Decision(False, "with an explicit deny in an identity-based policy")
    granted = allowing(identity, request)
    if not granted:
        return Decision(False, f"because no identity-based policy allows the {action} action")
    if session is not None:
        if _denies([session], request):
            return Decision(False, "with an explicit deny in a session policy")
        if not allowing([session], request):
            return Decision(False, f"because no session policy allows the {action} action")
    return Decision(True, allowing=granted)
