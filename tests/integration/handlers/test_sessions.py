"""Member sessions: assumed once per account, refreshed before expiry, failures named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from wa_share.aws.access import ErrorKind, MemberRoleUnavailable, Sessions
from wa_share_sandbox.deployment import Deployment
from wa_share_sandbox.metering import install_meter
from wa_share_sandbox.organization import SimulatedOrganization


def share_function_sessions(org: SimulatedOrganization, deployment: Deployment, **kwargs: object) -> Sessions:
    central = org.botocore_session(deployment.function_credentials["share"])
    return Sessions(member_role_name="wa-share-member", home_region="us-east-1", central=central, **kwargs)  # type: ignore[arg-type]


def assume_role_calls() -> int:
    return install_meter().snapshot()["sts:AssumeRole"]


def test_the_role_is_assumed_once_per_account_and_shared_by_regions(
    org: SimulatedOrganization, deployment: Deployment
) -> None:
    sessions = share_function_sessions(org, deployment)
    before = assume_role_calls()
    member = sessions.member(org.members[0])
    member.wellarchitected("us-east-1").list_workloads()
    member.wellarchitected("eu-west-1").list_workloads()
    assert sessions.member(org.members[0]) is member
    sessions.member(org.members[1]).wellarchitected("us-east-1").list_workloads()
    assert assume_role_calls() - before == 2


def test_credentials_are_renewed_before_they_expire(org: SimulatedOrganization, deployment: Deployment) -> None:
    now = [datetime.now(UTC)]
    sessions = share_function_sessions(org, deployment, clock=lambda: now[0])
    client = sessions.member(org.members[0]).wellarchitected("us-east-1")
    before = assume_role_calls()
    client.list_workloads()
    assert assume_role_calls() == before  # fresh: no refresh
    now[0] += timedelta(minutes=55)  # within botocore's mandatory refresh window of a one-hour session
    client.list_workloads()
    assert assume_role_calls() == before + 1


def test_forget_makes_the_next_use_assume_again(org: SimulatedOrganization, deployment: Deployment) -> None:
    sessions = share_function_sessions(org, deployment)
    first = sessions.member(org.members[0])
    sessions.forget(org.members[0])
    assert sessions.member(org.members[0]) is not first


def test_a_missing_role_is_a_permanent_error_naming_account_and_role(
    org: SimulatedOrganization, deployment: Deployment
) -> None:
    iam = org.client(org.members[1], "iam")
    iam.delete_role_policy(RoleName="wa-share-member", PolicyName="share-own-workloads")
    iam.delete_role(RoleName="wa-share-member")
    sessions = share_function_sessions(org, deployment)
    with pytest.raises(MemberRoleUnavailable) as raised:
        sessions.member(org.members[1])
    assert raised.value.kind is ErrorKind.PERMANENT
    assert raised.value.code == "AccessDenied"
    assert org.members[1] in str(raised.value)
    assert f"arn:aws:iam::{org.members[1]}:role/wa-share-member" in str(raised.value)


def test_a_session_shows_nothing_but_its_account(org: SimulatedOrganization, deployment: Deployment) -> None:
    session = share_function_sessions(org, deployment).member(org.members[0])
    assert repr(session) == f"AccountSession(account_id={org.members[0]!r})"
