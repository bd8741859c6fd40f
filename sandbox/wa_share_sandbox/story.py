"""The sandbox story: wa-share's whole job on a simulated organization, phase by phase, with its figures.

1. workloads are created; the real-time path shares them;
2. what goes wrong: CloudTrail loses events, an account lacks the member role, calls are throttled;
3. the nightly sweep shares what the real-time path missed (MissedByRealtime);
4. the share function is down while workloads are created; a replay of the archive shares them;
5. weeks later: people delete shares, unaccepted invitations expire; the next sweep restores them all;
6. the share guard: a deleted share is made again in real time, a share outside the organization flagged;
7. coverage: every eligible workload carries exactly one live share with each reviews account.
Run it inside an active moto mock (the command does), one story per mock.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from wa_share.observability import Metric
from wa_share.probe.rule import ProbeRule
from wa_share.realtime.queue import PERMANENT_TRIES
from wa_share_cli.operations.replay import start_replay, wait_for_replay
from wa_share_sandbox.chaos import SeededFaults, remove_faults
from wa_share_sandbox.coverage import check_coverage, seed_existing
from wa_share_sandbox.deployment import Deployment, deploy
from wa_share_sandbox.forwarder_faults import dead_letters_found, misname_forwarders, undelivered_note
from wa_share_sandbox.guard_story import guard_phase
from wa_share_sandbox.iam_trust import install_trust_checks
from wa_share_sandbox.organization import (
    ACCESS_ROLE,
    HOME_REGION,
    SimulatedOrganization,
    build_organization,
    create_workload,
)
from wa_share_sandbox.organization_trail import create_organization_trail
from wa_share_sandbox.probe_step import run_probe_once
from wa_share_sandbox.runner import FunctionRunner, Invocation
from wa_share_sandbox.scenario import Scenario
from wa_share_sandbox.share_weeks import break_shares
from wa_share_sandbox.summary import CoverageCheck, PhaseResult, Progress, QuietReporter, Reporter, emf_totals, read_log

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient


@dataclass
class StoryResult:
    scenario: Scenario
    organization: dict[str, Any]
    log_file: Path
    phases: list[PhaseResult]
    coverage: CoverageCheck

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.coverage.complete,
            "scenario": self.scenario.model_dump(mode="json", by_alias=True),
            "organization": self.organization,
            "log_file": str(self.log_file),
            "phases": [phase.as_dict() for phase in self.phases],
            "coverage": self.coverage.as_dict(),
        }


@dataclass(frozen=True)
class _Mark:
    """Where a phase started: in the runner's invocations, the throttle count, and the log file."""

    invocations: int
    throttled: int
    dropped: int
    log_offset: int


class Story:
    def __init__(self, scenario: Scenario, log_path: Path, reporter: Reporter | None = None) -> None:
        self.scenario = scenario
        self.log_path = log_path
        self.reporter: Reporter = reporter or QuietReporter()
        self.log = log_path.open("a", encoding="utf-8")
        self.names: dict[str, str] = {}  # account ID -> name (member-01…)
        self.ids: dict[str, str] = {}  # name -> account ID
        self.org: SimulatedOrganization
        self.deployment: Deployment
        self.runner: FunctionRunner
        self.chaos: SeededFaults

    def run(self) -> StoryResult:
        """The whole story; the simulated organization stays up afterwards (for --serve) until `close()`."""
        try:
            self.build()
            phases = [self.realtime(), self.faults(), self.sweep(), self.outage(), self.lifecycle(), guard_phase(self)]
        finally:
            remove_faults()
        coverage = self.coverage()
        return StoryResult(self.scenario, self.organization(), self.log_path, phases, coverage)

    def close(self) -> None:
        self.log.close()

    def build(self) -> None:
        """The organization, the workloads that predate wa-share, then wa-share itself."""
        self.org = org = build_organization(members=self.scenario.accounts)
        self.names = {org.management: "management", org.automation: "automation", org.reviews: "reviews"}
        self.names |= {account: f"member-{index:02d}" for index, account in enumerate(org.members, start=1)}
        self.ids = {name: account for account, name in self.names.items()}
        create_organization_trail(org)  # the README's first prerequisite: CloudTrail sees CreateWorkload
        seed_existing(org, self.ids, self.scenario.existing)  # no forwarders yet: no event for these
        without = frozenset(self.ids[name] for name in self.scenario.accounts_without_role)
        # The operator (the automation account's admin role) may assume the member roles, as
        # OperatorPrincipalArns allows: `wa-share report` and `sweep --local` work against --serve.
        operator = f"arn:aws:iam::{org.automation}:role/{ACCESS_ROLE}"
        # The probe runs in the automation account, in the home region if the story covers it.
        probe_region = HOME_REGION if HOME_REGION in self.scenario.regions else self.scenario.regions[0]
        overrides = {"OperatorPrincipalArns": [operator], "Probe": "scheduled", "ProbeRegion": probe_region}
        self.deployment = deploy(
            org,
            self.scenario.regions,
            overrides=overrides,
            accounts_without_role=without,
            member_path=self.scenario.member_path,
        )
        install_trust_checks()
        self.runner = FunctionRunner(self.deployment, log_stream=self.log)
        self.chaos = SeededFaults(self.scenario.seed, self.names)

    def organization(self) -> dict[str, Any]:
        return {
            "id": self.org.org_id,
            "accounts": {name: account for account, name in self.names.items()},
            "without_role": list(self.scenario.accounts_without_role),
            "regions": list(self.scenario.regions),
            "member_path": self.scenario.member_path,
        }

    @property
    def _healthy_members(self) -> list[str]:
        return [account for account in self.org.members if account not in self.deployment.accounts_without_role]

    # --- phases ------------------------------------------------------------------------------------

    def realtime(self) -> PhaseResult:
        result, mark = PhaseResult(1, "real-time path shares new workloads", "real-time"), self._mark()
        with self.reporter.phase(result.number, result.title) as progress:
            result.workloads_created = self._create(self._healthy_members, self.scenario.workloads, "app", progress)
            delivered = self._deliver(progress)
        self._measure(result, mark, delivered)
        result.notes.append(
            f"{result.events} events via member rules → central bus → share function: "
            f"{result.shares_created} shares created"
        )
        self._probe(result)
        return self._done(result)

    def faults(self) -> PhaseResult:
        faults = self.scenario.faults
        self.chaos.apply(drop_rate=faults.drop_rate, throttle_rate=faults.throttle_rate, latency_ms=faults.latency_ms)
        misnamed = tuple(self.ids[name] for name in self.scenario.undeliverable_forwarders)
        refusing = misname_forwarders(self.org, misnamed, self.scenario.regions[0])
        result, mark = PhaseResult(2, "lost events, a missing role, throttling", "faults"), self._mark()
        with self.reporter.phase(result.number, result.title) as progress:
            result.workloads_created = self._create(self.org.members, self.scenario.workloads, "svc", progress)
            delivered = self._deliver(progress)
        self.chaos.drop_rate = 0.0  # CloudTrail's losses are this phase's lesson; throttling goes on
        result.details["undelivered_events"], undelivered = undelivered_note(refusing, self.names)
        refusing.restore()  # fixed; its dead letters stay for the sweep to find
        self._measure(result, mark, delivered)
        lost = self.chaos.dropped[mark.dropped :]
        coverable = sum(1 for account, _region in lost if account not in self.deployment.accounts_without_role)
        result.details |= {"lost_events": len(lost), "lost_where_the_role_exists": coverable}
        result.notes.append(
            f"{len(lost)} of {result.workloads_created} events lost by CloudTrail ({faults.drop_rate:.0%}), "
            f"{coverable} where the role exists"
        )
        result.notes.append(undelivered)
        result.notes.extend(self._failure_notes(result, delivered))
        result.notes.append(f"{result.throttled} WA calls throttled ({faults.throttle_rate:.0%}), retried by botocore")
        return self._done(result)

    def sweep(self) -> PhaseResult:
        result, mark = PhaseResult(3, "nightly sweep shares what was missed", "sweep"), self._mark()
        dead_letters = self.runner.queue_depth("SweepDeadLetterQueue")
        with self.reporter.phase(result.number, result.title) as progress:

            def track(invocation: Invocation) -> None:
                if invocation.function == "planner" and invocation.error is None:
                    progress.grow(int(invocation.result["enqueued"]))
                else:
                    progress.advance(invocation.items)

            rounds = 10 * (len(self.org.accounts) + 1)  # each account at most maxReceiveCount times
            runs = self.runner.run_sweep(max_rounds=rounds, on_invocation=track)
        records = self._measure(result, mark, [])
        self.runner.deliver_share_events()  # the sweep's share calls come back as events: the function leaves them
        planner, workers = runs[0], runs[1:]
        result.events = int(planner.result["enqueued"]) if planner.error is None else 0
        result.failures = self.runner.queue_depth("SweepDeadLetterQueue") - dead_letters  # work items given up
        summaries = {str(r.get("account_id")): r for r in records if r.get("message") == "sweep summary"}  # last try
        seen = sum(int(summary.get("workloads_seen", 0)) for summary in summaries.values())
        result.details |= {"accounts_swept": len(summaries), "workloads_seen": seen}
        result.notes.append(
            f"planner queued {result.events} accounts; {len(workers)} worker batches swept {len(summaries)}: "
            f"{seen} workloads seen"
        )
        result.notes.append(
            f"MissedByRealtime = {result.metrics[Metric.MISSED_BY_REALTIME]} (EMF): shares only the sweep made"
        )
        result.details["forwarder_dead_letters"], found = dead_letters_found(records, self.names)
        result.notes.append(found)
        for name in self.scenario.accounts_without_role:
            result.notes.append(f"{name}: AssumeRole denied → work item dead-lettered with the reason")
        return self._done(result)

    def outage(self) -> PhaseResult:
        result, mark = PhaseResult(4, "share function down, then replay", "replay"), self._mark()
        window_start = datetime.now(UTC) - timedelta(minutes=1)
        with self.reporter.phase(result.number, result.title) as progress:
            outage = self.scenario.faults.outage_workloads
            result.workloads_created = self._create(self.org.members, outage, "late", progress)
            expired = self.runner.discard_share_events()
            name, state = self._replay(window_start)
            delivered = self._deliver(progress)
        self._measure(result, mark, delivered)
        result.notes.append(f"function down past the queue's retention: {expired} queued events dropped unprocessed")
        result.notes.append(f"replay of the archive {state}: {result.events} events re-delivered")
        result.details |= {"expired_invocations": expired, "replay_name": name, "replay_state": state}
        result.notes.append(
            f"{result.shares_created} shares created, "
            f"{result.metrics[Metric.ALREADY_SHARED]} already shared (idempotent)"
        )
        result.notes.extend(self._failure_notes(result, delivered))
        return self._done(result)

    def lifecycle(self) -> PhaseResult:
        result, mark = PhaseResult(5, "deleted and expired shares restored", "lifecycle"), self._mark()
        with self.reporter.phase(result.number, result.title) as progress:
            deleted, expired = break_shares(self.org, self._healthy_members, self.scenario.regions)
            progress.grow(1 + len(self.org.accounts))  # the planner, then one work item per account
            rounds = 10 * (len(self.org.accounts) + 1)
            runs = self.runner.run_sweep(max_rounds=rounds, on_invocation=lambda run: progress.advance(run.items))
        records = self._measure(result, mark, [])
        result.events = int(runs[0].result["enqueued"]) if runs[0].error is None else 0
        summaries = [record for record in records if record.get("message") == "sweep summary"]
        created = sum(int(summary.get("shares_created", 0)) for summary in summaries)
        reshared = sum(int(summary.get("shares_reshared", 0)) for summary in summaries)
        result.details |= {"deleted": deleted, "expired": expired, "created": created, "reshared": reshared}
        result.notes.append(f"weeks later: {deleted} shares deleted by a person, {expired} expired unaccepted")
        result.notes.append(f"next sweep: {created} deleted ones made again (new token each night)")
        result.notes.append(f"{reshared} expired ones reshared, dead rows deleted first: one row each")
        return self._done(result)

    def coverage(self) -> CoverageCheck:
        with self.reporter.phase(7, "coverage: each workload shared once?") as progress:
            progress.grow(len(self.org.accounts) * len(self.scenario.regions))
            reviews = tuple(str(account) for account in self.deployment.parameters["ReviewsAccountIds"])
            return check_coverage(
                self.org,
                self.scenario.regions,
                reviews,
                self.names,
                without_role=self.deployment.accounts_without_role,
                on_checked=progress.advance,
                probes=ProbeRule(self.deployment.function_env.get("PROBE_ACCOUNT_ID") or None),
            )

    # --- helpers -----------------------------------------------------------------------------------

    def _probe(self, result: PhaseResult) -> None:
        mark = self._mark()
        note, latency = run_probe_once(self.runner, self.log, self.log_path, mark.log_offset)
        result.notes.append(note)
        if latency is not None:
            result.details["probe_latency_seconds"] = round(latency, 3)

    def _create(self, accounts: list[str], per_region: int, prefix: str, progress: Progress) -> int:
        """Workloads created by their owners, one CreateWorkload call each (CloudTrail reports it)."""
        progress.grow(len(accounts) * len(self.scenario.regions) * per_region)
        for account in accounts:
            for region in self.scenario.regions:
                for index in range(1, per_region + 1):
                    create_workload(self.org, account, region, f"{prefix}-{index:02d}")
                    progress.advance()
        return len(accounts) * len(self.scenario.regions) * per_region

    def _deliver(self, progress: Progress) -> list[Invocation]:
        progress.grow(self.runner.pending_share_events())
        return self.runner.deliver_share_events(on_event=lambda _invocation: progress.advance())

    def _replay(self, window_start: datetime) -> tuple[str, str]:
        events = cast("EventBridgeClient", self.org.client(self.org.automation, "events"))
        name = start_replay(
            events,
            archive_arn=self.deployment.archive_arn,
            bus_arn=self.deployment.bus_arn,
            rule_arn=self.deployment.share_rule_arn,
            start=window_start,
            end=datetime.now(UTC),
        )
        return name, wait_for_replay(events, name, poll_seconds=0.1, timeout_seconds=60)

    def _failure_notes(self, result: PhaseResult, delivered: list[Invocation]) -> list[str]:
        """Failures of the accounts without the role, apart from everyone else's."""
        without = self.deployment.accounts_without_role
        given_up = Counter(self.names.get(_event_account(i), "?") for i in delivered if i.error is not None)
        result.details["given_up"] = dict(sorted(given_up.items()))
        notes = []
        for name in self.scenario.accounts_without_role:
            mine = [i for i in delivered if i.error is not None and _event_account(i) == self.ids[name]]
            if mine:
                notes.append(
                    f"{name} (no member role): {len(mine)} events AccessDenied, {PERMANENT_TRIES} tries → failure queue"
                )
        others = [i for i in delivered if _event_account(i) not in without]
        failed = sum(1 for invocation in others if invocation.error is not None)
        notes.append(f"other accounts: {len(others) - failed} of {len(others)} events shared, {failed} given up")
        return notes

    def _mark(self) -> _Mark:
        self.log.flush()
        return _Mark(len(self.runner.invocations), self.chaos.throttled, len(self.chaos.dropped), self.log.tell())

    def _measure(self, result: PhaseResult, mark: _Mark, delivered: list[Invocation]) -> list[dict[str, Any]]:
        """The phase's figures from the runner, the fault counters and the functions' own EMF metrics."""
        invocations = self.runner.invocations[mark.invocations :]
        result.aws_calls = sum(invocation.calls for invocation in invocations)
        result.latencies = [invocation.seconds for invocation in invocations]
        result.throttled = self.chaos.throttled - mark.throttled
        self.log.flush()
        records = read_log(self.log_path, mark.log_offset)
        result.metrics = emf_totals(records)
        result.shares_created = result.metrics[Metric.SHARES_CREATED]
        if delivered:
            result.events = len(delivered)
            result.failures = sum(1 for invocation in delivered if invocation.error is not None)
        return records

    def _done(self, result: PhaseResult) -> PhaseResult:
        self.reporter.finished(result)
        return result


def _event_account(invocation: Invocation) -> str:
    """The workload owner named by the event's detail (not the envelope, which forwarding may rewrite)."""
    detail = invocation.event.get("detail", {}) if isinstance(invocation.event, dict) else {}
    return str(detail.get("recipientAccountId", ""))
