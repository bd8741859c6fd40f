"""The story's share-guard phase: a person deletes the reviews team's share, and it is made again at once;
a person shares a workload outside the organization, and it is flagged at once (reported, never deleted).

Both through the owner's own API calls, so CloudTrail records them and the member rule forwards them, as
AWS would; the latency is the wall time from the owner's call returning to the share function's answer.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from wa_share.observability import Metric
from wa_share_sandbox import wellarchitected as wab
from wa_share_sandbox.chaos import remove_faults
from wa_share_sandbox.runner import Invocation
from wa_share_sandbox.summary import PhaseResult

if TYPE_CHECKING:
    from wa_share_sandbox.story import Story

# An account no simulated organization has (moto draws member IDs at random; this one is fixed and checked).
OUTSIDE_ACCOUNT = "210987654321"


def guard_phase(story: Story) -> PhaseResult:
    remove_faults()  # this phase rehearses the guard: the owners' calls and the function's go through
    story.runner.deliver_share_events()  # the sweep's own share calls, still queued: not this phase's to time
    result = PhaseResult(6, "share guard: deleted share restored, outside share flagged", "guard")
    mark = story._mark()  # the story's own helpers: this phase lives in its own module for size
    region = story.scenario.regions[0]
    found = _a_reviews_share(story, region)
    with story.reporter.phase(result.number, result.title) as progress:
        progress.grow(2)
        if found is None:
            result.notes.append("no workload with a live reviews share: nothing for a person to delete")
            return story._done(result)
        member, workload, share_id = found
        owner = story.org.client(member, "wellarchitected", region)
        own_before = len(story.runner.own_calls)
        started = time.perf_counter()
        owner.delete_workload_share(WorkloadId=workload, ShareId=share_id, ClientRequestToken=f"person-{share_id}")
        restored = _settled(story, started)
        progress.advance()
        started = time.perf_counter()
        owner.create_workload_share(
            WorkloadId=workload, SharedWith=OUTSIDE_ACCOUNT, PermissionType="READONLY", ClientRequestToken="outside"
        )
        flagged = _settled(story, started)
        progress.advance()
    story._measure(result, mark, [restored[0], flagged[0]])
    own_calls = len(story.runner.own_calls) - own_before
    _notes(story, result, member, region, restored=restored, flagged=flagged, own_calls=own_calls)
    return story._done(result)


def _notes(
    story: Story,
    result: PhaseResult,
    member: str,
    region: str,
    *,
    restored: tuple[Invocation, float],
    flagged: tuple[Invocation, float],
    own_calls: int,
) -> None:
    name = story.names[member]
    outcome = ", ".join(item["outcome"] for item in restored[0].result.get("results", []))
    result.notes.append(
        f"{name} deleted the reviews share of a workload ({region}): {outcome} in {restored[1] * 1000:.0f} ms, "
        f"{restored[0].calls} calls; the restore's own share event recognised ({own_calls} own-call "
        "event(s)), no loop"
    )
    [external] = flagged[0].result.get("external", [{"reason": "not flagged", "shared_with": None}])
    result.notes.append(
        f"{name} shared it with {OUTSIDE_ACCOUNT} ({external['reason']}): flagged in {flagged[1] * 1000:.0f} ms, "
        f"{flagged[0].calls} calls; logged, ExternalSharesFlagged = {result.metrics[Metric.EXTERNAL_SHARES_FLAGGED]}, "
        "the share left in place"
    )
    result.details |= {
        "restore_seconds": round(restored[1], 3),
        "restore_calls": restored[0].calls,
        "restore_outcomes": outcome,
        "flag_seconds": round(flagged[1], 3),
        "flag_calls": flagged[0].calls,
        "flagged": external["shared_with"],
        "own_call_events": own_calls,
    }


def _a_reviews_share(story: Story, region: str) -> tuple[str, str, str] | None:
    """A healthy member's workload with a live share to the reviews account, read from the simulator's state
    (the owner would see it in the console)."""
    for member in story._healthy_members:
        backend = wab.get_backend(member, region)
        with wab.LOCK:
            workloads = list(backend.workloads.values())
        for workload in workloads:
            for share in backend.list_all_shares(workload.workload_id):
                if share.shared_with == story.org.reviews and share.status in wab.LIVE_STATUSES:
                    return member, workload.workload_id, share.share_id
    return None


def _settled(story: Story, started: float) -> tuple[Invocation, float]:
    """The one event the owner's call caused, handed to the share function; seconds from the call to its answer
    (the own-call event a restore causes in turn is handled after, and not timed)."""
    answered: list[float] = []
    [invocation] = story.runner.deliver_share_events(on_event=lambda _done: answered.append(time.perf_counter()))
    return invocation, answered[0] - started
