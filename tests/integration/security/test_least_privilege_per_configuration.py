"""Least privilege in each configuration alone: the member role's grants follow the central stack's
parameters (member_stackset/roles.yaml's conditions, passed by the StackSet), so each configuration is
deployed and worked out by itself, and must grant exactly what it uses: no grant that only another
configuration needs (test_least_privilege.py measures every feature on at once)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.security import workout
from tests.integration.security.conftest import sandbox
from tests.integration.security.policies import central_roles, compare, member_roles
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


@pytest.fixture(scope="module", params=sorted(workout.CONFIGURATIONS))
def configured_workout(request: pytest.FixtureRequest) -> Iterator[tuple[str, workout.Workout]]:
    name = str(request.param)
    with sandbox():
        org, deployment = workout.build(workout.CONFIGURATIONS[name])
        yield name, workout.run(org, deployment)


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
