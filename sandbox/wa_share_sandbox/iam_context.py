"""The condition keys present for one request, valued from the request and the simulator's state.

Global keys: aws:PrincipalArn (the role, not its session), aws:PrincipalAccount, aws:PrincipalOrgID,
aws:RequestedRegion, aws:ResourceOrgID (the organization of the resource's account). Tags: aws:RequestTag/*
and aws:TagKeys from the request's Tags; aws:ResourceTag/* of a Well-Architected workload from the
simulator's backend (the only resource our grants condition on tags). Service keys: iam:AWSServiceName,
events:source and events:detail-type. A key left out is absent, as IAM treats a key the request lacks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from wa_share_sandbox.iam_caller import org_of
from wa_share_sandbox.iam_policy import Values
from wa_share_sandbox.iam_requests import ApiRequest, account_of, service_of_linked_role

_WORKLOAD = re.compile(r"arn:aws:wellarchitected:([^:]+):(\d{12}):workload/(\w+)")


def request_tags(params: Mapping[str, Any]) -> dict[str, str]:
    """Tags as a map (Well-Architected) or as a list of Key/Value pairs (most other services)."""
    tags = params.get("Tags") or {}
    if isinstance(tags, list):
        return {str(tag["Key"]): str(tag.get("Value", "")) for tag in tags if isinstance(tag, dict)}
    return {str(key): str(value) for key, value in dict(tags).items()}


def resource_tags(resource: str) -> dict[str, str]:
    """A workload's tags, read from the sandbox WA backend (deleted workloads too: IAM saw them before)."""
    from wa_share_sandbox import wellarchitected as backend  # noqa: PLC0415 - the backend imports moto's world

    match = _WORKLOAD.fullmatch(resource)
    if match is None:
        return {}
    state = backend.get_backend(match[2], match[1])
    with backend.LOCK:
        workload = state.workloads.get(match[3]) or state.deleted.get(match[3])
    tags = dict(workload.params.get("Tags") or {}) if workload is not None else {}
    return {str(key): str(value) for key, value in tags.items()}


def _principal_keys(role_arn: str) -> dict[str, Values]:
    account = account_of(role_arn)
    keys: dict[str, Values] = {"aws:principalarn": (role_arn,), "aws:principalaccount": (account,)}
    organization = org_of(account)
    if organization is not None:
        keys["aws:principalorgid"] = (organization,)
    return keys


def _tag_keys(request: ApiRequest, resource: str) -> dict[str, Values]:
    keys: dict[str, Values] = {}
    tags = request_tags(request.params)
    if tags:
        keys |= {f"aws:requesttag/{key.lower()}": (value,) for key, value in tags.items()}
        keys["aws:tagkeys"] = tuple(tags)
    keys |= {f"aws:resourcetag/{key.lower()}": (value,) for key, value in resource_tags(resource).items()}
    return keys


def _service_keys(request: ApiRequest, action: str, resource: str) -> dict[str, Values]:
    if action == "iam:CreateServiceLinkedRole":
        service = request.params.get("AWSServiceName") or service_of_linked_role(resource)
        return {"iam:awsservicename": (str(service),)} if service else {}
    if action == "events:PutEvents":
        entries = [entry for entry in request.params.get("Entries", []) if isinstance(entry, dict)]
        sources = tuple(sorted({str(entry.get("Source")) for entry in entries}))
        detail_types = tuple(sorted({str(entry.get("DetailType")) for entry in entries}))
        return {"events:source": sources, "events:detail-type": detail_types}
    return {}


def condition_context(request: ApiRequest, action: str, resource: str, role_arn: str) -> dict[str, Values]:
    """Every key this simulator values for `role_arn` calling `action` on `resource`."""
    keys = _principal_keys(role_arn) | {"aws:requestedregion": (request.region,)}
    resource_account = account_of(resource)
    organization = org_of(resource_account) if resource_account.isdigit() else None
    if organization is not None:
        keys["aws:resourceorgid"] = (organization,)
    return keys | _tag_keys(request, resource) | _service_keys(request, action, resource)
