"""Least privilege, measured: every permission each role grants is used, and every use is granted.

The real functions run a workout on the sandbox, and the operators run their commands (workout.py,
cli_workout.py), while every signed request is recorded with the access key that signed it. Each request
becomes an IAM action on a resource, attributed to the role behind the key (and, for a member-role
session, to the role that assumed it). The roles' policies come from the templates, resolved as the
sandbox deployed them: central roles from template.yaml, member-side roles from member_stackset/*.yaml.
"""

from __future__ import annotations

from collections import defaultdict

from tests.integration.security import cli_workout
from tests.integration.security.policies import (
    USED_BY_AWS,
    RolePolicy,
    Statement,
    central_roles,
    compare,
    declared_grants,
    member_roles,
)
from tests.integration.security.workout import OUTSIDE_PRINCIPALS, Workout
from tests.support.iam_actions import UNSCOPABLE_ACTIONS, Use, describe, uses


def _table(found: list[Use]) -> str:
    rows = describe(found)
    lines = [f"  {row['identity']:<52} {row['action']:<38} {row['resource']}" for row in rows]
    return "\n".join(lines)


def _roles(done: Workout) -> list[RolePolicy]:
    return central_roles(done.deployment) + member_roles(done.deployment)


def test_the_workout_took_every_path(recorded_workout: Workout) -> None:
    done = recorded_workout
    assert {"created", "updated"} <= set(done.outcomes("share"))
    summaries = [record for record in done.log_records() if record.get("message") == "sweep summary"]
    assert sum(int(record["shares_created"]) for record in summaries) >= 1
    assert sum(int(record["shares_updated"]) for record in summaries) >= 1
    assert sum(int(record["shares_reshared"]) for record in summaries) >= 1
    for name in ("realtime", "drifted", "missed", "missed-drifted", "announced", "expired"):
        rows = done.shares(name)
        [(principal, permission, status)] = [row for row in rows if row[0] not in OUTSIDE_PRINCIPALS]
        assert (principal, permission) == (done.org.reviews, "READONLY"), name
        assert status in ("PENDING", "ACCEPTED"), name
    for name in ("realtime", "missed"):  # shared outside the organization: flagged, never deleted
        assert {row[0] for row in done.shares(name)} >= set(OUTSIDE_PRINCIPALS), name
    flagged = [record for record in done.log_records() if record.get("message") == "share outside the organization"]
    assert {record["found_by"] for record in flagged} == {"realtime", "sweep"}
    assert done.shares("no-role") == []
    ran = {run.argv: run for run in done.cli_runs}
    assert all(run.code in (None, 0, 1) for run in ran.values()), [(r.argv, r.code, r.err) for r in ran.values()]
    assert all("Traceback" not in run.err for run in ran.values())


def test_each_role_grants_exactly_what_is_used(recorded_workout: Workout) -> None:
    done = recorded_workout
    found = uses(done.recording)
    print("\nAWS permissions exercised (identity, action, resource):\n" + _table(found))
    skipped = [" ".join(run.argv) for run in done.cli_runs if run.code is None]
    print(f"CLI commands not registered, so not measured: {skipped or 'none'}")

    findings = compare(_roles(done), found, lambda account: done.org.org_id if account in done.org.accounts else None)

    assert not findings.problems(), "\n".join(["least privilege is broken:", *findings.problems()])


def test_member_sessions_come_only_from_roles_the_member_role_trusts(recorded_workout: Workout) -> None:
    done = recorded_workout
    roles = _roles(done)
    central = {role.logical_id: role.arn for role in roles if role.template == "template.yaml"}
    member_arns = {role.arn for role in roles if role.logical_id == "MemberRole"}
    assumers: dict[str, set[str | None]] = defaultdict(set)
    for use in uses(done.recording):
        if use.identity in member_arns:
            assumers["MemberRole"].add(use.via)
    functions = {central["ShareFunctionRole"], central["SweepWorkerRole"]}
    planner, operator = central["SweepPlannerRole"], cli_workout.operator_arn(done.org)
    assert functions <= assumers["MemberRole"] <= functions | {planner, operator}
    # The planner reads the reviews side only where the configuration wants slices (drift policy report).
    env = done.deployment.function_env
    reads = env["PERMISSION_DRIFT_POLICY"] == "report" and not env.get("SHARE_WITH")
    assert (planner in assumers["MemberRole"]) == reads


def test_operator_permissions_are_listed(recorded_workout: Workout) -> None:
    """What an operator's own identity needs for the commands (the member role covers the rest)."""
    done = recorded_workout
    operator = cli_workout.operator_arn(done.org)
    mine = sorted({(use.action, use.resource) for use in uses(done.recording) if use.identity == operator})
    print("\nOperator (wa-share CLI) permissions used with its own identity:")
    print("\n".join(f"  {action:<40} {resource}" for action, resource in mine))
    if any(run.code is not None for run in done.cli_runs):
        assert mine, "the CLI ran but made no call with the operator's identity"


def test_exceptions_name_declared_grants() -> None:
    """The permissions AWS uses on a role's behalf must not rot: each names a live grant, with a reason."""
    assert set(USED_BY_AWS) <= declared_grants(), set(USED_BY_AWS) - declared_grants()
    assert all(reason.strip() for reason in USED_BY_AWS.values())


def test_resource_star_is_reserved_for_actions_iam_cannot_scope() -> None:
    assert all(reason.strip() for reason in UNSCOPABLE_ACTIONS.values())
    assert all(":" in action and "*" not in action for action in UNSCOPABLE_ACTIONS)
    # The comparison flags what this rule forbids: a scopable action on "*", and any wildcard action.
    scopable = next(action for _, action in sorted(declared_grants()) if action not in UNSCOPABLE_ACTIONS)
    unscopable = sorted(UNSCOPABLE_ACTIONS)[0]
    statement = Statement("Example", (scopable, unscopable, "sqs:*"), ("*",), {})
    role = RolePolicy("template.yaml", "ExampleRole", "arn:aws:iam::111122223333:role/example", (statement,), ())
    findings = compare([role], [], lambda account: None)
    assert sorted(findings.wildcards) == sorted(
        [
            f"ExampleRole: {scopable} on Resource '*' although IAM can scope it",
            "ExampleRole: wildcard action sqs:*",
            "ExampleRole: sqs:* on Resource '*' although IAM can scope it",
        ]
    )
