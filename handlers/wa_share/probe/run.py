"""The probe's runs: the scheduled one (clean up earlier probes, judge them, create the next) and the
share path's hook (a probe the share function shared records its latency instead of counting as a share).

Which workloads are probes is decided in `wa_share.probe.rule.ProbeRule` alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from wa_share.aws.access import AwsError, ErrorKind, Sessions
from wa_share.aws.wellarchitected import Share, WellArchitected, Workload
from wa_share.observability import Metric, add_seconds, count, logger
from wa_share.probe.rule import PROBE_PREFIX, PROBE_TAG_KEY, PROBE_TAG_VALUE, ProbeRule, created_at, probe_name
from wa_share.rules.sharing import ShareResult, besides_owner
from wa_share.runtime.schedule import ScheduledEvent
from wa_share.settings import ProbeSettings

# A younger probe may still be on its way (an operator's `wa-share probe`, a slow path): judged next run.
JUDGE_AFTER = timedelta(minutes=10)
ACCESS_DENIED = frozenset({"AccessDeniedException", "AccessDenied"})
_TOKENS = uuid.UUID("0e7f7d4c-5a53-4c1e-9d0b-6a8f0b1c2d3e")
WHAT_TO_CHECK = (
    "the trail logging in the probe account, its forwarding rule in the probe region, the central bus policy,"
    " the share function's errors and the share failure queue"
)


@dataclass
class ProbeRun:
    created: str = ""
    workload_id: str = ""
    cleaned: list[str] = field(default_factory=list)
    never_shared: list[str] = field(default_factory=list)
    in_flight: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # probe-named, but IAM says not tagged as ours

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def probe_workloads(wa: WellArchitected, rule: ProbeRule) -> list[Workload]:
    """The probes in this account and region: the name prefix narrows the list, the rule decides."""
    return [w for w in wa.owned_workloads(PROBE_PREFIX) if rule.is_probe(w.owner, w.name)]


def is_shared(shares: Sequence[Share], principals: Sequence[str]) -> bool:
    return all(any(s.live and s.shared_with == principal for s in shares) for principal in principals)


def create_probe(wa: WellArchitected, name: str, *, token: str) -> str:
    """Create one probe workload (no logging: `wa-share probe` prints its own output)."""
    description = "wa-share probe of the real-time path; deleted by the next probe run"
    return wa.create_workload(name=name, description=description, tags={PROBE_TAG_KEY: PROBE_TAG_VALUE}, token=token)


def delete_probe(wa: WellArchitected, workload_id: str) -> None:
    """Delete one probe; one already gone counts as deleted."""
    try:
        wa.delete_workload(workload_id, token=str(uuid.uuid5(_TOKENS, f"delete|{workload_id}")))
    except AwsError as error:
        if error.kind is not ErrorKind.NOT_FOUND:
            raise


def run_scheduled_probe(event: ScheduledEvent, settings: ProbeSettings, sessions: Sessions) -> ProbeRun:
    """Judge and delete the earlier probes, then create this run's; raises on an AWS failure (retried).

    `event`: the schedule's (schedule.parse_schedule); its `time` is in the probe's name.
    """
    account = settings.probe_account_id
    region = settings.probe_region
    wa = WellArchitected(sessions.central.wellarchitected(region), account_id=account, region=region)
    now = max(event.time, datetime.now(UTC))  # the name carries the real creation time, to the millisecond
    nonce = event.id.replace("-", "")[:8]
    run, mine = ProbeRun(), None
    principals = besides_owner(account, settings.principals)
    for probe in probe_workloads(wa, settings.probes):
        if probe.name.endswith(f"-{nonce}"):
            mine = probe  # Lambda retried this run after the probe was created: keep it, create no other
            continue
        _judge_and_delete(wa, probe, principals, now, run)
    if mine is not None:
        run.created, run.workload_id = mine.name, mine.workload_id
        return run
    run.created = probe_name(now, nonce)
    run.workload_id = create_probe(wa, run.created, token=str(uuid.uuid5(_TOKENS, f"create|{event.id}")))
    count(Metric.PROBES_CREATED)
    logger.info("probe created", extra={"probe": run.created, "workload_id": run.workload_id})
    return run


def _judge_and_delete(
    wa: WellArchitected, probe: Workload, principals: Sequence[str], now: datetime, run: ProbeRun
) -> None:
    born = created_at(probe.name)
    if born is not None and now - born < JUDGE_AFTER:
        run.in_flight.append(probe.name)
        return
    try:
        shared = is_shared(wa.list_shares(probe.workload_id), principals)
    except AwsError as error:
        if error.kind is ErrorKind.NOT_FOUND:
            return  # deleted meanwhile (by `wa-share probe`, say)
        if error.code not in ACCESS_DENIED:
            raise
        # The role may touch only workloads tagged as probes: someone else's workload took a probe's name.
        logger.warning("probe-named workload without the probe tag left alone", extra={"probe": probe.name})
        run.refused.append(probe.name)
        return
    if not shared:
        count(Metric.PROBE_NOT_SHARED)
        logger.error(
            "probe never shared: the real-time path is broken",
            extra={"probe": probe.name, "workload_id": probe.workload_id, "check": WHAT_TO_CHECK},
        )
        run.never_shared.append(probe.name)
    delete_probe(wa, probe.workload_id)
    run.cleaned.append(probe.name)


def probe_name_shared(owner: str, name: str | None, probes: ProbeRule) -> str | None:
    """The probe's name when the share path just handled a probe. `name`: the workload's, read only in the
    probe account (None elsewhere, "" when it could not be read: then no probe is recognised, and a probe
    whose name stays unreadable leaves ProbeShared without a datapoint, which its alarm reports)."""
    if not name or not probes.is_probe(owner, name):
        return None
    return name


def record_probe_shared(name: str, results: Sequence[ShareResult], now: datetime) -> float | None:
    """The probe's latency metric, once per probe: only the delivery that created the share records it."""
    if not any(result.outcome.meaning.new_share and not result.dry_run for result in results):
        logger.info("probe already shared", extra={"probe": name})
        return None
    born = created_at(name)
    if born is None:
        logger.warning("probe name carries no creation time", extra={"probe": name})
        return None
    latency = max(0.0, (now - born).total_seconds())
    count(Metric.PROBE_SHARED)
    add_seconds(Metric.PROBE_LATENCY, latency)
    logger.info("probe shared", extra={"probe": name, "latency_seconds": latency})
    return latency
