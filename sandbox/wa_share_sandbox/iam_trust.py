"""Role trust for the simulator: moto's AssumeRole accepts any role ARN, real AWS checks two things.

With `install_trust_checks()`, AssumeRole into a role that does not exist, or whose trust policy does
not admit the caller, fails with AccessDenied, as in AWS. Only the trust-policy features our templates
and harness use are evaluated (AWS principals; ArnEquals/ArnLike on aws:PrincipalArn; StringEquals on
aws:PrincipalOrgID); a condition key this module does not know denies, so a test can never pass on a
policy the simulator did not understand. The same switch enforces event bus policies (bus_policy.py) and the
identity and session policies of the roles our templates deploy (iam_identity.py): trust on AssumeRole, on
cross-account events and what each role may call go on and off together.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable
from typing import Any

from moto.core.exceptions import ServiceException
from moto.iam.models import iam_backends
from moto.sts.responses import TokenResponse

from wa_share_sandbox.bus_policy import install_bus_policy_checks, uninstall_bus_policy_checks
from wa_share_sandbox.iam_caller import caller_of, org_of
from wa_share_sandbox.iam_identity import install_identity_checks, uninstall_identity_checks

_ORIGINAL: dict[str, Callable[..., Any]] = {}


class _AccessDenied(ServiceException):
    code = "AccessDenied"


def install_trust_checks() -> None:
    install_bus_policy_checks()
    install_identity_checks()
    if "assume_role" in _ORIGINAL:
        return
    _ORIGINAL["assume_role"] = TokenResponse.assume_role

    def assume_role(self: TokenResponse) -> Any:
        role_arn = str(self._get_param("RoleArn"))
        caller_arn, caller_account = caller_of(self)
        _check(role_arn, caller_arn, caller_account)
        return _ORIGINAL["assume_role"](self)

    TokenResponse.assume_role = assume_role  # type: ignore[method-assign]


def uninstall_trust_checks() -> None:
    uninstall_bus_policy_checks()
    uninstall_identity_checks()
    original = _ORIGINAL.pop("assume_role", None)
    if original is not None:
        TokenResponse.assume_role = original  # type: ignore[method-assign]


def _deny(role_arn: str, caller_arn: str, why: str) -> _AccessDenied:
    return _AccessDenied(
        f"User: {caller_arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn} ({why})"
    )


def _check(role_arn: str, caller_arn: str, caller_account: str) -> None:
    parts = role_arn.split(":")
    if len(parts) != 6 or not parts[5].startswith("role/"):  # noqa: PLR2004
        raise _deny(role_arn, caller_arn, "not a role ARN")
    account, name = parts[4], parts[5].rsplit("/", 1)[-1]
    roles = [role for role in iam_backends[account]["global"].get_roles() if role.name == name]
    if not roles:
        raise _deny(role_arn, caller_arn, "no such role")
    policy = json.loads(roles[0].assume_role_policy_document)
    statements = policy.get("Statement", [])
    statements = statements if isinstance(statements, list) else [statements]
    if not any(_admits(statement, caller_arn, caller_account) for statement in statements):
        raise _deny(role_arn, caller_arn, "the role's trust policy does not admit the caller")


def _listed(value: Any) -> list[str]:
    return [str(item) for item in (value if isinstance(value, list) else [value])]


def _admits(statement: Any, caller_arn: str, caller_account: str) -> bool:
    if not isinstance(statement, dict):  # moto's CloudFormation leaves AWS::NoValue as null in lists
        return False
    if statement.get("Effect") != "Allow" or "sts:AssumeRole" not in _listed(statement.get("Action", [])):
        return False
    principals = _listed((statement.get("Principal") or {}).get("AWS", []))
    names = {caller_arn, caller_account, f"arn:aws:iam::{caller_account}:root"}
    if not names.intersection(principals):
        return False
    return all(
        _condition_holds(op, tests, caller_arn, caller_account) for op, tests in statement.get("Condition", {}).items()
    )


def _condition_holds(operator: str, tests: dict[str, Any], caller_arn: str, caller_account: str) -> bool:
    for key, expected in tests.items():
        values = _listed(expected)
        if operator in {"ArnEquals", "ArnLike", "StringLike"} and key == "aws:PrincipalArn":
            if not any(fnmatch.fnmatchcase(caller_arn, pattern) for pattern in values):
                return False
        elif operator == "StringEquals" and key == "aws:PrincipalOrgID":
            if org_of(caller_account) not in values:
                return False
        else:
            return False
    return True
