"""Least privilege, measured: which IAM action each recorded request needed, on which resource, and who
made it.

- The action and the resource: as the sandbox's identity-policy checks build them
  (wa_share_sandbox.iam_requests), from the request as the client signed it.
- The caller: moto's STS keeps every session it issued, so an access key ID leads to the role (and the
  session name); the request log's issuers lead from a member-role session to the function role that
  assumed it.
Sandbox only: it reads moto's state.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from moto.iam.models import iam_backends
from moto.sts.models import sts_backends

from tests.support.request_log import Recording, SignedRequest
from wa_share_sandbox.iam_context import request_tags
from wa_share_sandbox.iam_context import resource_tags as workload_tags
from wa_share_sandbox.iam_identity import current_authorization
from wa_share_sandbox.iam_requests import (
    NO_PERMISSION_NEEDED,
    UNSCOPABLE_ACTIONS,
    account_of,
    iam_action,
    implied_checks,
    resources_of,
)

__all__ = ["UNSCOPABLE_ACTIONS", "account_of", "iam_action"]

# ---------------------------------------------------------------- who


@dataclass(frozen=True)
class IssuedSession:
    """A session moto's STS issued: the role, and the three strings that must never be at rest."""

    role_arn: str
    session_name: str
    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str = field(repr=False)


def issued_sessions() -> list[IssuedSession]:
    """Every role session issued so far in this moto process, in every account."""
    sessions: list[IssuedSession] = []
    for account in list(sts_backends):
        for backend in list(sts_backends[account].values()):
            sessions.extend(
                IssuedSession(
                    role.role_arn, role.session_name, role.access_key_id, role.secret_access_key, role.session_token
                )
                for role in backend.assumed_roles
            )
    return sessions


def identity_of(access_key_id: str) -> str:
    """The IAM identity behind an access key: a role ARN, a user ARN, or "unknown"."""
    for session in issued_sessions():
        if session.access_key_id == access_key_id:
            return session.role_arn
    for account in list(iam_backends):
        for backend in list(iam_backends[account].values()):
            user = backend.get_user_from_access_key_id(access_key_id)
            if user is not None:
                return str(user.arn)
    return "unknown"


Tags = tuple[tuple[str, str], ...]


def implied_uses(request: SignedRequest, action: str, account: str) -> list[tuple[str, str]]:
    """(action, resource) pairs the request makes AWS check on the caller's behalf, under the current switch."""
    tag_on_create = current_authorization().tag_on_create_needs_tag_resource
    return implied_checks(request, action, account, tag_on_create=tag_on_create)


@dataclass(frozen=True)
class Use:
    """One permission exercised: `identity` (a role ARN) used `action` on `resource`, with the request's
    region and tags and the resource's tags (what tag and region conditions are evaluated against)."""

    identity: str
    action: str
    resource: str
    via: str | None  # the role whose session assumed `identity`'s session, for chained roles
    unknown_resource: bool = False
    region: str = ""
    request_tags: Tags = ()
    resource_tags: Tags = ()


def _request_tags(request: SignedRequest) -> Tags:
    return tuple(sorted(request_tags(request.params).items()))


def resource_tags(resource: str) -> Tags:
    """A workload's tags, read from the sandbox WA backend (deleted workloads too: IAM saw them before)."""
    return tuple(sorted(workload_tags(resource).items()))


def uses(recording: Recording) -> list[Use]:
    """The distinct permissions the recorded requests exercised, attributed to their callers."""
    identities = {key: identity_of(key) for key in {request.access_key_id for request in recording.requests}}
    found: dict[Use, None] = {}
    for request in recording.requests:
        action = iam_action(request.service, request.operation)
        if action in NO_PERMISSION_NEEDED:
            continue
        identity = identities[request.access_key_id]
        issuer = recording.issuers.get(request.access_key_id)
        via = identity_of(issuer) if issuer else None
        resources = resources_of(request, action, account_of(identity))
        for resource in resources if resources is not None else ["?"]:
            use = Use(
                identity,
                action,
                resource,
                via,
                unknown_resource=resources is None,
                region=request.region,
                request_tags=_request_tags(request),
                resource_tags=resource_tags(resource),
            )
            found[use] = None
        for implied, resource in implied_uses(request, action, account_of(identity)):
            found[Use(identity, implied, resource, via, region=request.region, request_tags=_request_tags(request))] = (
                None
            )
    return list(found)


def describe(found: Iterable[Use]) -> list[dict[str, Any]]:
    """Rows for a report: identity, action, resource, via."""
    return [
        {"identity": use.identity, "action": use.action, "resource": use.resource, "via": use.via or ""}
        for use in sorted(found, key=lambda use: (use.identity, use.action, use.resource))
    ]
