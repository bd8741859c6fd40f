"""Chaos on the sandbox: the promise holds under faults, for several seeds.

After the real-time path and one sweep (with the runner's retry rounds), under the faults of scenario.py:
every eligible workload is shared exactly once with the reviews account, nothing else is shared, no
call goes to a region an account has not enabled, and every failure is visible: a dead-letter or
failure-queue message with its reason, or an error log line naming the account. The figures of each
seed are printed (pytest -s) and summarised at the end of the run (conftest.py).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.chaos import scenario
from tests.e2e.chaos.scenario import ChaosRun
from tests.support import opt_in_regions, session_expiry

SEEDS = (2, 3, 9)  # three seeds keep CI cheap; each must lose at least one event (asserted)


@pytest.fixture
def chaos_sandbox(moto_aws: None) -> Iterator[None]:
    opt_in_regions.install()
    session_expiry.install()
    try:
        yield
    finally:
        opt_in_regions.reset()
        session_expiry.reset()
        opt_in_regions.uninstall()
        session_expiry.uninstall()


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::UserWarning")  # moto: injected error codes have no shape in the models
@pytest.mark.parametrize("seed", SEEDS)
def test_every_eligible_workload_is_shared_once_and_every_failure_is_visible(
    seed: int, chaos_sandbox: None, monkeypatch: pytest.MonkeyPatch, record_property: Any
) -> None:
    started = time.perf_counter()
    run = scenario.execute(scenario.build(seed), monkeypatch)
    dead_letters = scenario.queue_messages(run, "SweepDeadLetterQueue")
    failure_records = [json.loads(m["Body"]) for m in scenario.queue_messages(run, "ShareFailureQueue")]
    figures = _figures(run, dead_letters, failure_records, time.perf_counter() - started)
    print(f"\nchaos seed {seed}: " + ", ".join(f"{key} {value}" for key, value in figures.items()))
    record_property("chaos", figures)

    _assert_the_faults_happened(run)
    _assert_shared_exactly_once(run)
    _assert_no_call_to_a_disabled_region(run)
    _assert_the_account_without_role_is_visible(run, dead_letters, failure_records)
    _assert_every_failure_is_visible(run, dead_letters, failure_records)


def _figures(
    run: ChaosRun, dead_letters: list[dict[str, Any]], failure_records: list[dict[str, Any]], seconds: float
) -> dict[str, Any]:
    eligible = [workload for workload in run.workloads if workload.eligible]
    shared_once = sum(1 for workload in eligible if len(scenario.shares_to_reviews(run, workload)) == 1)
    summaries = [record for record in scenario.log_records(run) if record.get("message") == "sweep summary"]
    faults = run.faults.figures
    return {
        "workloads": len(run.workloads),
        "eligible": len(eligible),
        "in_opt_in_region": sum(1 for workload in run.workloads if workload.region == scenario.OPT_IN),
        "events_lost": faults.events_lost,
        "realtime_shared": sum(1 for i in run.realtime if i.error is None and "created" in _outcomes(i)),
        "realtime_failed": sum(1 for invocation in run.realtime if invocation.error is not None),
        "wa_calls": faults.wa_calls,
        "throttled": faults.throttled,
        "server_errors": faults.server_errors,
        "sessions_expired": faults.sessions_expired,
        "expired_rejections": run.expired_rejections,
        "worker_died_after_records": run.worker_deaths[0] if run.worker_deaths else None,
        "worker_invocations": sum(1 for invocation in run.sweep if invocation.function == "worker"),
        "sweep_shared": sum(int(record.get("shares_created", 0)) for record in summaries),
        "regions_skipped": sum(len(record.get("regions_skipped", [])) for record in summaries),
        "dead_letters": len(dead_letters),
        "failure_queue": len(failure_records),
        "shared_exactly_once": f"{shared_once}/{len(eligible)}",
        "seconds": round(seconds, 1),
    }


def _outcomes(invocation: Any) -> list[str]:
    result = invocation.result if isinstance(invocation.result, dict) else {}
    return [str(item["outcome"]) for item in result.get("results", [])]


def _assert_the_faults_happened(run: ChaosRun) -> None:
    faults = run.faults.figures
    assert faults.throttled, faults
    assert faults.server_errors, faults
    assert faults.events_lost, faults
    assert run.worker_deaths == [scenario.DIE_AFTER_RECORDS]
    assert faults.sessions_expired >= 1, "no session expired mid-sweep"
    assert run.expired_rejections >= 1, "no request met the expired session"
    assert any("worker died" in (invocation.error or "") for invocation in run.sweep)


def _assert_shared_exactly_once(run: ChaosRun) -> None:
    counts = {workload: len(scenario.shares_to_reviews(run, workload)) for workload in run.workloads}
    wrong = {w: n for w, n in counts.items() if n != (1 if w.eligible else 0)}
    assert not wrong, f"shares per workload (want 1 if eligible, else 0): {wrong}"


def _assert_no_call_to_a_disabled_region(run: ChaosRun) -> None:
    disabled = {(account, scenario.OPT_IN) for account in run.org.accounts if account not in run.opted_in}
    assert not run.faults.figures.touched & disabled
    assert any(region == scenario.OPT_IN for _, region in run.faults.figures.touched)


def _reason(message: dict[str, Any]) -> str:
    return str(message.get("MessageAttributes", {}).get("wa_share_error", {}).get("StringValue", ""))


def _assert_the_account_without_role_is_visible(
    run: ChaosRun, dead_letters: list[dict[str, Any]], failure_records: list[dict[str, Any]]
) -> None:
    role = f"arn:aws:iam::{run.without_role}:role/"
    mine = [m for m in dead_letters if json.loads(m["Body"]).get("account_id") == run.without_role]
    assert mine, "the account without the role is not on the dead-letter queue"
    assert all(role in _reason(m) for m in mine), mine
    assert all("AccessDenied" in _reason(m) for m in mine), mine
    failed_ids = {
        record["requestPayload"]["detail"]["responseElements"]["WorkloadId"]
        for record in failure_records
        if record["requestPayload"]["detail"]["recipientAccountId"] == run.without_role
    }
    delivered = {_workload_of(invocation) for invocation in run.realtime} - {None}
    without_role = {w.workload_id for w in run.workloads if w.account == run.without_role}
    assert failed_ids == without_role & delivered
    errors = [
        r for r in scenario.log_records(run) if r.get("level") == "ERROR" and r.get("account_id") == run.without_role
    ]
    assert len(errors) >= len(failed_ids)


def _workload_of(invocation: Any) -> str | None:
    detail = (invocation.event or {}).get("detail", {})
    return (detail.get("responseElements") or {}).get("WorkloadId")


def _assert_every_failure_is_visible(
    run: ChaosRun, dead_letters: list[dict[str, Any]], failure_records: list[dict[str, Any]]
) -> None:
    assert all(_reason(message) for message in dead_letters), "a dead letter without its reason"
    kept = [record["requestPayload"] for record in failure_records]
    for invocation in run.realtime:
        if invocation.error is not None:
            assert invocation.event in kept, f"failed event not kept: {invocation.error}"
    assert all(record["responsePayload"].get("errorMessage") for record in failure_records)
    logged = _accounts_with_logged_failures(run)
    for invocation in run.sweep:
        for item in _failed_items(invocation):
            account = json.loads(item["body"]).get("account_id")
            assert account in logged or invocation.error, f"sweep failure of {account} left no trace"


def _failed_items(invocation: Any) -> list[dict[str, Any]]:
    records = {record["messageId"]: record for record in (invocation.event or {}).get("Records", [])}
    if invocation.error is not None:
        return list(records.values())
    failures = invocation.result.get("batchItemFailures", []) if isinstance(invocation.result, dict) else []
    return [records[item["itemIdentifier"]] for item in failures]


def _accounts_with_logged_failures(run: ChaosRun) -> set[str]:
    return {
        str(record.get("account_id"))
        for record in scenario.log_records(run)
        if record.get("level") in ("ERROR", "WARNING") or record.get("failures")
    }
