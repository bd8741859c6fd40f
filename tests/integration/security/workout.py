"""A workout of the real functions on the sandbox that takes every path making an AWS call.

Real time: a new workload (CreateWorkloadShare, its invitation accepted, the share announced), one whose
live share has the wrong permission (UpdateWorkloadShare, drift policy "enforce"), one in an account
without the member role (AssumeRole denied, then the on-failure queue), an invalid event (SendMessage to
the failure queue), one more with no acceptor role (the announcement reads the name with GetWorkload), three
at once in one account and region under a one-call rate limit (the throttled ones sent back to the share queue).
Probe (Probe=scheduled): a probe created, shared by the real-time path, then judged and deleted by the next
run. Sweep: the planner lists the accounts and enqueues them; the worker shares the workloads whose events were
lost (one of them drifted; one whose share expired, whose dead row DeleteWorkloadShare removes), and
dead-letters the account without the role and an invalid work item; then one more account with
WaRegions=auto (the region list read from SSM). Share guard: people share two workloads outside the
organization (an account, an OU of another organization): the share function flags them (ListAccounts,
ListRoots), and the sweep lists them again from the shares it reads. Everything the functions print is kept.
By default every optional feature is on (acceptance by the reviews account's acceptor role, announcements on SNS and the
central bus, drift policy "enforce"), so every conditional grant is in effect; `CONFIGURATIONS` names the
others (defaults, organization sharing mode), each deployed and measured alone.

A feature that adds a permission adds its path here: the least-privilege test fails on a grant no path uses.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.integration.security import cli_workout
from tests.support.acceptor import deploy_acceptor
from tests.support.factories import create_workload_event, scheduled_event, scripted_clock, sqs_record
from tests.support.request_log import REQUESTS, Recording, install_request_log
from wa_share_sandbox import wellarchitected as wellarchitected_backend
from wa_share_sandbox.deployment import Deployment, deploy
from wa_share_sandbox.iam_trust import install_trust_checks
from wa_share_sandbox.organization import SimulatedOrganization, build_organization, create_workload
from wa_share_sandbox.runner import FunctionRunner, Invocation
from wa_share_sandbox.throttle import RateLimits, configure_rate_limits, exempt, reset_rate_limits

REGIONS = ("us-east-1", "eu-west-1")
ACCEPTOR_ROLE = "wa-share-acceptor"
# Every optional feature on, so that every conditional grant is in effect and measured (each configuration
# alone is measured too: test_least_privilege_per_configuration.py).
OVERRIDES: dict[str, Any] = {
    "PermissionDriftPolicy": "enforce",
    "Announcements": "true",
    "AcceptorRoleName": ACCEPTOR_ROLE,
    "Probe": "scheduled",
    "Tracing": "Active",
}
INVALID_WORK_ITEM = json.dumps({"account_id": "not-an-account", "sweep_id": "workout"})


@dataclass
class Workout:
    org: SimulatedOrganization
    deployment: Deployment
    recording: Recording
    logs: str
    invocations: list[Invocation]
    cli_runs: list[cli_workout.CliRun]
    workloads: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # name -> (account, region, id)

    @property
    def without_role(self) -> str:
        return self.org.members[2]

    def log_records(self) -> list[dict[str, Any]]:
        """The functions' JSON log lines (Powertools), EMF metric blobs excluded."""
        records = []
        for line in self.logs.splitlines():
            if line.startswith("{") and '"_aws"' not in line:
                records.append(json.loads(line))
        return records

    def shares(self, name: str) -> list[tuple[str, str, str]]:
        """(shared with, permission, status) of every share row of a workout workload."""
        account, region, workload = self.workloads[name]
        client = self.org.client(account, "wellarchitected", region)
        rows = client.list_workload_shares(WorkloadId=workload)["WorkloadShareSummaries"]
        return [(row["SharedWith"], row["PermissionType"], row["Status"]) for row in rows]

    def outcomes(self, function: str) -> list[str]:
        found: list[str] = []
        for invocation in (event for run in self.invocations for event in [run, *run.records]):
            if invocation.function == function and isinstance(invocation.result, dict):
                found.extend(str(result["outcome"]) for result in invocation.result.get("results", []))
        return found


ORGANIZATION = "<organization ID>"  # replaced by the simulated organization's ID when deploying
# The configurations whose grants differ (member_stackset/roles.yaml's conditions): each is measured alone.
CONFIGURATIONS: dict[str, dict[str, Any]] = {
    "every feature": OVERRIDES,
    "defaults": {},
    "organization sharing": {"ShareWithOrganizationUnits": [ORGANIZATION]},
    "probe alone": {"Probe": "scheduled"},
}


def build(overrides: dict[str, Any] | None = None) -> tuple[SimulatedOrganization, Deployment]:
    """Three members, the third without the member role, and an operator; call inside a moto mock."""
    install_request_log()  # before any session the functions create
    org = build_organization(members=3)
    chosen = OVERRIDES if overrides is None else overrides
    chosen = {name: _placed(value, org) for name, value in chosen.items()}
    chosen |= {"OperatorPrincipalArns": [cli_workout.operator_arn(org)]}
    deployment = deploy(org, REGIONS, overrides=chosen, accounts_without_role=frozenset({org.members[2]}))
    cli_workout.create_logging_trail(org, org.members[0])
    if chosen.get("AcceptorRoleName"):
        deploy_acceptor(org, str(chosen["AcceptorRoleName"]))
    install_trust_checks()
    return org, deployment


def _placed(value: Any, org: SimulatedOrganization) -> Any:
    if isinstance(value, list):
        return [org.org_id if item == ORGANIZATION else item for item in value]
    return value


def run(org: SimulatedOrganization, deployment: Deployment, *, cli: bool = True) -> Workout:
    """The functions' paths, then (with `cli`) the operators' commands, all recorded."""
    logs = io.StringIO()
    runner = FunctionRunner(deployment, log_stream=logs)
    operator = cli_workout.create_operator(org) if cli else {}
    with REQUESTS.recording() as recording:
        principal = (deployment.function_env.get("SHARE_WITH") or org.reviews).split(",")[0]
        workloads = _create_workloads(org, principal=principal)
        runner.deliver_share_events()
        _share_outside(org, workloads)
        runner.deliver_share_events()
        if deployment.function_env.get("ANNOUNCE_TOPIC_ARN"):
            workloads |= _announce_without_acceptance(org, deployment, runner)
        runner.invoke("share", create_workload_event(workload_id="not-a-workload-id"))
        _throttled_at_once(org, runner)
        if deployment.parameters.get("Probe") == "scheduled":
            _probe_twice(runner)
        org.client(org.automation, "sqs").send_message(
            QueueUrl=deployment.queue_urls["SweepQueue"], MessageBody=INVALID_WORK_ITEM
        )
        runner.run_sweep()
        _sweep_with_regions_from_ssm(deployment, runner)
        _sweep_with_reviews_side(deployment, runner)
        cli_runs = cli_workout.run_commands(operator) if cli else []
    return Workout(org, deployment, recording, logs.getvalue(), runner.invocations, cli_runs, workloads)


OUTSIDE_PRINCIPALS = ("210987654321", "ou-zzzz-zzzzzzzz")  # an account and an OU of no simulated organization


def _share_outside(org: SimulatedOrganization, workloads: dict[str, tuple[str, str, str]]) -> None:
    """People share two workloads outside the organization: one the real-time path shared, one it missed
    (which the sweep lists)."""
    for name in ("realtime", "missed"):
        account, region, workload = workloads[name]
        client = org.client(account, "wellarchitected", region)
        client.update_global_settings(OrganizationSharingStatus="ENABLED")  # for the OU
        for principal in OUTSIDE_PRINCIPALS:
            client.create_workload_share(
                WorkloadId=workload, SharedWith=principal, PermissionType="READONLY", ClientRequestToken=principal
            )


def _throttled_at_once(org: SimulatedOrganization, runner: FunctionRunner) -> None:
    """Three workloads at once where Well-Architected takes one call and then one every two seconds: the
    throttled events are sent back to the share queue, and shared when they return."""
    configure_rate_limits(RateLimits("workout", wa_rate=0.5, wa_burst=1))
    try:
        with exempt():
            for index in range(3):
                create_workload(org, org.members[1], REGIONS[0], f"throttled-{index}")
        runner.deliver_share_events()
    finally:
        reset_rate_limits()


def _probe_twice(runner: FunctionRunner) -> None:
    """The scheduled probe: a probe created and shared, then judged and deleted by the next run."""
    runner.run_probe()
    runner.deliver_share_events()
    runner.run_probe(datetime.now(UTC) + timedelta(hours=1))


def _announce_without_acceptance(
    org: SimulatedOrganization, deployment: Deployment, runner: FunctionRunner
) -> dict[str, tuple[str, str, str]]:
    """Announcements with no acceptor role: the workload's name then comes from GetWorkload."""
    acceptor = deployment.function_env.get("ACCEPTOR_ROLE_NAME", "")
    deployment.function_env["ACCEPTOR_ROLE_NAME"] = ""
    try:
        announced = FunctionRunner(deployment, log_stream=runner.log_stream)
        workload = create_workload(org, org.members[1], "eu-west-1", "announced")
        announced.deliver_share_events()
        runner.invocations.extend(announced.invocations)
    finally:
        deployment.function_env["ACCEPTOR_ROLE_NAME"] = acceptor
        FunctionRunner(deployment)  # clears the functions' cached settings again
    return {"announced": (org.members[1], "eu-west-1", workload)}


def _sweep_with_regions_from_ssm(deployment: Deployment, runner: FunctionRunner) -> None:
    """WaRegions=auto for one account (every WA region is a botocore client: keep it to one account)."""
    deployment.function_env["WA_REGIONS"] = "auto"
    try:
        auto = FunctionRunner(deployment, log_stream=runner.log_stream)
        body = json.dumps({"account_id": deployment.org.reviews, "sweep_id": "workout-auto"})
        auto.invoke("worker", {"Records": [sqs_record(body, deployment.queue_urls["SweepQueue"])]})
        runner.invocations.extend(auto.invocations)
    finally:
        deployment.function_env["WA_REGIONS"] = ",".join(deployment.regions)
        FunctionRunner(deployment)  # clears the functions' cached settings again


def _sweep_with_reviews_side(deployment: Deployment, runner: FunctionRunner) -> None:
    """A night other than the full sweep's: where the configuration reads the reviews side (drift policy
    `report`, accounts, explicit regions) the planner reads it through the reviews account's member role;
    in every configuration the first worker invocation's time runs out at once, so its first account
    continues in a new work item and the rest of its batch is handed back."""
    sliced = FunctionRunner(deployment, log_stream=runner.log_stream)
    sliced.invoke("planner", WEDNESDAY_SCHEDULE)
    clocks = iter([scripted_clock(900_000, then=1_000)])
    sliced.drain_sweep_queue(remaining=lambda: next(clocks, None))
    runner.invocations.extend(sliced.invocations)


WEDNESDAY_SCHEDULE = scheduled_event(event_id="workout-reviews-side", time="2026-01-07T03:00:00Z")


def _create_workloads(org: SimulatedOrganization, *, principal: str) -> dict[str, tuple[str, str, str]]:
    member, other, without_role = org.members
    plan = [
        ("realtime", member, "us-east-1", False, False),
        ("drifted", member, "eu-west-1", False, True),
        ("missed", other, "us-east-1", True, False),
        ("missed-drifted", other, "eu-west-1", True, True),
        ("no-role", without_role, "us-east-1", False, False),
        # the automation account's own: the share function reads its name (GetWorkload) to rule out a probe
        ("automation", org.automation, "us-east-1", False, False),
    ]
    workloads = {}
    try:
        for name, account, region, lost, drifted in plan:
            wellarchitected_backend.set_cloudtrail_filter((lambda _record: False) if lost else None)
            workload = create_workload(org, account, region, name)
            if drifted:  # someone shared it by hand, with more than the policy allows
                org.client(account, "wellarchitected", region).create_workload_share(
                    WorkloadId=workload, SharedWith=org.reviews, PermissionType="CONTRIBUTOR", ClientRequestToken=name
                )
            workloads[name] = (account, region, workload)
        workloads["expired"] = _dead_share(org, other, "us-east-1", principal)
    finally:
        wellarchitected_backend.set_cloudtrail_filter(None)
    return workloads


def _dead_share(org: SimulatedOrganization, account: str, region: str, principal: str) -> tuple[str, str, str]:
    """A workload whose share died (event lost): an invitation that expired unaccepted, or an organization
    share that FAILED. The sweep deletes the dead row, then shares again."""
    wellarchitected_backend.set_cloudtrail_filter(lambda _record: False)
    workload = create_workload(org, account, region, "expired")
    client = org.client(account, "wellarchitected", region)
    if principal != org.reviews:  # organization sharing mode: the owner turned it on before that share
        client.update_global_settings(OrganizationSharingStatus="ENABLED")
    share = client.create_workload_share(
        WorkloadId=workload, SharedWith=principal, PermissionType="READONLY", ClientRequestToken="expired"
    )["ShareId"]
    status = "EXPIRED" if principal == org.reviews else "FAILED"
    wellarchitected_backend.get_backend(account, region).set_share_status(workload, share, status)
    return account, region, workload
