"""Identity policies for the simulator: moto answers every call, real AWS asks the caller's policies first.

With `install_identity_checks()` (install_trust_checks() turns it on with the trust and bus checks), every
call made with a session of a governed role (the roles the sandbox deploys from our templates: `govern`)
is evaluated before moto serves it: the IAM action, each resource ARN built from the request
(iam_requests.py), the condition keys (iam_context.py), the role's inline and attached policies as the
simulated account holds them, and the session policy the session was issued with (AssumeRole's Policy).
A call not allowed fails with the service's access-denied error (iam_denial.py); so does a call whose
parameters cannot be read. Calls with any other credentials (the harness, an operator) are not evaluated.

Tag-on-create (whether CreateWorkload with Tags also needs wellarchitected:TagResource) is not settled by
AWS's documentation: `Authorization` switches it, and the tests that depend on it run under each answer.
Listeners (tests) see every check with its decision and the statements that allowed it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, fields, replace
from typing import Any

from moto.core.responses import BaseResponse
from moto.core.utils import get_service_model
from moto.iam.models import iam_backends
from moto.sts.models import sts_backends
from werkzeug.exceptions import HTTPException

from wa_share_sandbox.iam_context import condition_context
from wa_share_sandbox.iam_denial import denial_message, denial_response
from wa_share_sandbox.iam_policy import Decision, Policy, Request, evaluate
from wa_share_sandbox.iam_request_params import MotoRequest, parsed_request
from wa_share_sandbox.iam_requests import (
    NO_PERMISSION_NEEDED,
    ApiRequest,
    account_of,
    iam_action,
    implied_checks,
    resources_of,
)


@dataclass(frozen=True)
class Authorization:
    # CreateWorkload with Tags is also authorized as wellarchitected:TagResource on the new workload (as many
    # AWS services do for tag-on-create); else the CreateWorkload grant and its tag conditions alone decide.
    tag_on_create_needs_tag_resource: bool = True

    def label(self) -> str:
        return "tag-on-create-needs-TagResource" if self.tag_on_create_needs_tag_resource else "create-alone"


_current = [Authorization()]


def current_authorization() -> Authorization:
    return _current[0]


def configure_authorization(authorization: Authorization | None = None, **switches: bool) -> Authorization:
    _current[0] = replace(authorization or _current[0], **switches)
    return _current[0]


def reset_authorization() -> None:
    _current[0] = Authorization()


def every_authorization() -> list[Authorization]:
    """Both answers of every switch (one switch today)."""
    names = [f.name for f in fields(Authorization)]
    return [Authorization(**dict.fromkeys(names, value)) for value in (False, True)]


@dataclass(frozen=True)
class Caller:
    """A session of a role: the role, the session's ARN (what AWS names in a denial), its session policy."""

    role_arn: str
    session_arn: str
    session_policy: Policy | None = None


@dataclass(frozen=True)
class Check:
    """One authorization: `role_arn` (through session `caller_arn`) asked for `action` on `resource`."""

    role_arn: str
    caller_arn: str
    action: str
    resource: str
    decision: Decision
    implied: bool = False  # checked on the caller's behalf inside another call


_GOVERNED: set[str] = set()  # IAM's unique IDs of the governed roles: a recreated role (or moto reset) is new
_LISTENERS: list[Callable[[Check], None]] = []
_ORIGINAL: dict[str, Callable[..., Any]] = {}
_ENABLED = [False]


def _role(role_arn: str) -> Any:
    name = role_arn.rsplit("/", 1)[-1]
    iam = iam_backends[account_of(role_arn)]["global"]
    return next((role for role in list(iam.roles.values()) if role.name == name), None)


def govern(role_arn: str) -> None:
    """Evaluate the policies of every session of this role from now on (a role our templates deploy)."""
    role = _role(role_arn)
    if role is None:
        raise ValueError(f"{role_arn}: no such role to govern")
    _GOVERNED.add(str(role.id))


def is_governed(role_arn: str) -> bool:
    role = _role(role_arn)
    return role is not None and str(role.id) in _GOVERNED


@contextmanager
def listening(listener: Callable[[Check], None]) -> Iterator[None]:
    _LISTENERS.append(listener)
    try:
        yield
    finally:
        _LISTENERS.remove(listener)


def role_policies(role_arn: str) -> list[Policy]:
    """The role's inline and attached policies, as the simulated account holds them."""
    role = _role(role_arn)
    if role is None:
        return []
    policies = [Policy.parse(f"{role.name}/{key}", document) for key, document in role.policies.items()]
    for arn, managed in role.managed_policies.items():
        default = next(version for version in managed.versions if version.is_default_version)
        policies.append(Policy.parse(arn, default.document))
    return policies


def authorize_role(caller: Caller, action: str, resources: list[str], request: ApiRequest) -> list[Check]:
    """Evaluate `action` on each resource for a session of a role."""
    identity = role_policies(caller.role_arn)
    checks = []
    for resource in resources:
        context = condition_context(request, action, resource, caller.role_arn)
        decision = evaluate(identity, caller.session_policy, Request(action, resource, context))
        checks.append(Check(caller.role_arn, caller.session_arn, action, resource, decision))
    return checks


def _session(access_key: str, account: str) -> Any:
    for backend in sts_backends[account].values():
        assumed = backend.get_assumed_role_from_access_key(access_key)
        if assumed is not None:
            return assumed
    return None


def checks_of(request: MotoRequest, access_key: str, account: str) -> list[Check]:
    """Every check a call needs (none for an ungoverned caller)."""
    session = _session(access_key, account)
    if session is None or not is_governed(str(session.role_arn)):
        return []
    session_policy = Policy.parse("session", session.policy) if session.policy else None
    caller = Caller(str(session.role_arn), str(session.arn), session_policy)
    action = iam_action(request.service, request.operation)
    if action in NO_PERMISSION_NEEDED:
        return []
    resources = resources_of(request, action, account) if request.readable else None
    if resources is None:
        reason = "(the sandbox cannot build this request's resource: teach iam_requests.resources_of)"
        return [Check(caller.role_arn, caller.session_arn, action, "?", Decision(False, reason))]
    checks = authorize_role(caller, action, resources, request)
    tag_on_create = current_authorization().tag_on_create_needs_tag_resource
    for implied, resource in implied_checks(request, action, account, tag_on_create=tag_on_create):
        found = authorize_role(caller, implied, [resource], request)
        checks.extend(replace(check, implied=True) for check in found)
    return checks


def announce(checks: list[Check]) -> None:
    for listener in list(_LISTENERS):
        for check in checks:
            listener(check)


class _Denied(HTTPException):
    """moto's call_action answers an HTTPException raised by its authorization hook with this body and status."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(description=body)
        self.code = status


def _authorize(self: BaseResponse, resource: str = "*") -> None:
    access_key, account = self.get_access_key(), self.get_current_account()
    if _ENABLED[0] and _session(access_key, account) is not None:
        checks = checks_of(parsed_request(self), access_key, account)
        announce(checks)
        denied = next((check for check in checks if not check.decision.allowed), None)
        if denied is not None:
            raise _denied(self, denied)
    _ORIGINAL["authorize"](self, resource)


def _denied(self: BaseResponse, check: Check) -> _Denied:
    model = get_service_model(self.boto3_service_name)
    message = denial_message(check.caller_arn, check.action, check.resource, check.decision.reason)
    query_compatible = "awsQueryCompatible" in model.metadata
    protocol = "json"
    with suppress(Exception):
        protocol = self.determine_response_protocol(model)
    status, _headers, body = denial_response(
        check.action.split(":")[0], protocol, message, query_compatible=query_compatible
    )
    return _Denied(status, body)


def install_identity_checks() -> None:
    """Turn the checks on. moto's authorization hook (BaseResponse._authenticate_and_authorize_normal_action,
    which every call_action runs first) is wrapped once and stays wrapped behind an on/off flag."""
    if "authorize" not in _ORIGINAL:
        _ORIGINAL["authorize"] = BaseResponse._authenticate_and_authorize_normal_action
        BaseResponse._authenticate_and_authorize_normal_action = _authorize  # type: ignore[assignment]
    _ENABLED[0] = True


def uninstall_identity_checks() -> None:
    _ENABLED[0] = False
