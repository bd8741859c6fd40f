"""Least privilege in each configuration alone: the member role's grants follow the central stack's
parameters (member_stackset/roles.yaml's conditions, passed by the StackSet), so each configuration is
deployed and worked out by itself, and must grant exactly what it uses: no grant that only another
configuration needs (test_least_privilege.py measures every feature on at once)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.security import workout
from tests.integration.security.policies import USED_BY_AWS, central_roles, compare, member_roles
from tests.support.fixtures import sandbox_environment
from tests.support.grant_support import CheckLog, recorded_checks, table
from tests.support.iam_actions import uses

# The member role's statements that exist only with a feature on, by configuration.
CONDITIONAL = {"EnforceSharePermission", "ReadWorkloadNames", "EnableOrganizationSharing"}
CONDITIONAL |= {"CreateWellArchitectedServiceLinkedRole"}
EXPECTED = {
    "every feature": {"EnforceSharePermission", "ReadWorkloadNames"},
    # In every configuration the share function reads the names of the automation account's new workloads
    # (is it a probe?): GetWorkload in that account's member role.
    "defaults": {"ReadWorkloadNames"},
    "organization sharing": {
        "EnableOrganizationSharing",
        "CreateWellArchitectedServiceLinkedRole",
        "ReadWorkloadNames",
    },
    "probe alone": {"ReadWorkloadNames"},
}


_CHECKS: dict[str, CheckLog] = {}  # configuration -> the identity-policy checks its workout made


@pytest.fixture(scope="module", params=sorted(workout.CONFIGURATIONS))
def configured_workout(request: pytest.FixtureRequest) -> Iterator[tuple[str, workout.Workout]]:
    name = str(request.param)
    with sandbox_environment():
        org, deployment = workout.build(workout.CONFIGURATIONS[name])
        with recorded_checks() as log:
            done = workout.run(org, deployment)
        _CHECKS[name] = log
        yield name, done


def test_each_configuration_grants_exactly_what_it_uses(configured_workout: tuple[str, workout.Workout]) -> None:
    name, done = configured_workout
    roles = central_roles(done.deployment) + member_roles(done.deployment)
    org_of = lambda account: done.org.org_id if account in done.org.accounts else None  # noqa: E731
    findings = compare(roles, uses(done.recording), org_of)
    assert not findings.problems(), "\n".join([f"least privilege is broken with {name}:", *findings.problems()])
    member = {statement.sid for role in roles if role.logical_id == "MemberRole" for statement in role.statements}
    assert member & CONDITIONAL == EXPECTED[name]
    principal = done.org.org_id if name == "organization sharing" else done.org.reviews
    for workload in ("realtime", "missed"):  # the workout did share, with the configured principal
        assert principal in [shared_with for shared_with, _, _ in done.shares(workload)], workload


# Grants AWS exercises with the role where the sandbox runs nothing: Lambda's log writer, the X-Ray daemon,
# and the event source mapping's GetQueueAttributes (it receives and deletes with the worker's role here).
_UNOBSERVABLE = {
    key: reason
    for key, reason in USED_BY_AWS.items()
    if key[1].startswith(("logs:", "xray:", "sqs:GetQueueAttributes"))
}


def test_every_grant_is_the_only_support_of_some_call(configured_workout: tuple[str, workout.Workout]) -> None:
    """Under enforcement nothing is denied, and every grant of the configuration is the only statement
    allowing at least one call: removing it from its template denies that call, failing this workout."""
    name, done = configured_workout
    log = _CHECKS[name]
    roles = central_roles(done.deployment) + member_roles(done.deployment)
    logical_ids = {role.arn: role.logical_id for role in roles}
    declared = {
        (role.logical_id, statement.sid, action)
        for role in roles
        for statement in role.statements
        for action in statement.actions
    }
    supports = log.sole_supports(logical_ids)
    print(f"\n{name}: {len(log.checks)} checks, {len(log.denied())} denied; calls resting on each grant alone:")
    print(table(declared, supports, _UNOBSERVABLE))
    assert log.denied() == [], [(c.role_arn, c.action, c.resource, c.decision.reason) for c in log.denied()]
    unnoticed = sorted(
        grant for grant in declared if supports[grant] == 0 and (grant[0], grant[2]) not in _UNOBSERVABLE
    )
    print(f"{name}: grants whose removal no test notices: {len(unnoticed)}")
    assert unnoticed == [], unnoticed
