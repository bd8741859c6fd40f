"""Session policies: a role session issued with AssumeRole's Policy holds only what both the role's policies
and the session policy allow (a function narrowing the member role to what it calls)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.fixtures import REGIONS
from wa_share_sandbox.deployment import Deployment
from wa_share_sandbox.organization import SimulatedOrganization, boto3_session, create_workload

LIST_ONLY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "wellarchitected:ListWorkloads", "Resource": "*"}],
}


def _member_session(org: SimulatedOrganization, deployment: Deployment, policy: Mapping[str, Any] | None) -> Any:
    sts = boto3_session(deployment.function_credentials["share"]).client("sts")
    role = f"arn:aws:iam::{org.members[0]}:role/wa-share-member"
    if policy is None:
        issued = sts.assume_role(RoleArn=role, RoleSessionName="narrowed")["Credentials"]
    else:
        issued = sts.assume_role(RoleArn=role, RoleSessionName="narrowed", Policy=json.dumps(policy))["Credentials"]
    keys = {
        "aws_access_key_id": issued["AccessKeyId"],
        "aws_secret_access_key": issued["SecretAccessKey"],
        "aws_session_token": issued["SessionToken"],
    }
    return boto3_session(keys, REGIONS[0]).client("wellarchitected")


def test_a_session_policy_narrows_the_role_to_the_intersection(
    org: SimulatedOrganization, deployment: Deployment
) -> None:
    workload = create_workload(org, org.members[0], REGIONS[0], "session-policy")
    narrowed = _member_session(org, deployment, LIST_ONLY)
    assert [item["WorkloadId"] for item in narrowed.list_workloads()["WorkloadSummaries"]] == [workload]
    with pytest.raises(ClientError) as denied:
        narrowed.list_workload_shares(WorkloadId=workload)
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    assert denied.value.response["Error"]["Message"].endswith(
        "because no session policy allows the wellarchitected:ListWorkloadShares action"
    )
    # Without a session policy the role's own grant applies.
    whole = _member_session(org, deployment, None)
    assert whole.list_workload_shares(WorkloadId=workload)["WorkloadShareSummaries"] == []


def test_a_session_policy_never_adds_to_the_role(org: SimulatedOrganization, deployment: Deployment) -> None:
    workload = create_workload(org, org.members[0], REGIONS[0], "session-policy-wider")
    wider: dict[str, Any] = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "wellarchitected:*", "Resource": "*"}],
    }
    with pytest.raises(ClientError) as denied:
        _member_session(org, deployment, wider).delete_workload(WorkloadId=workload, ClientRequestToken="t")
    assert denied.value.response["Error"]["Message"].endswith(
        "because no identity-based policy allows the wellarchitected:DeleteWorkload action"
    )
