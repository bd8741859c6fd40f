"""The sweep's coverage metrics, end to end on moto: every eligible workload left unshared reaches the
`CoverageUnshared` metric (the alarm's) with its reason, and a log line names it."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support.emf import emf_documents, metric_sums
from tests.support.fixtures import REGIONS
from wa_share.observability import SHARES_METRIC_OF_PATH, Metric, logger, metrics
from wa_share.rules.sharing import UnitCoverage
from wa_share.sweep.coverage import (
    UNSHARED_LOG,
    UNSHARED_METRIC_OF_REASON,
)
from wa_share_sandbox import wellarchitected as wellarchitected_backend
from wa_share_sandbox.cfn_templates import load_template, templates_root
from wa_share_sandbox.deployment import deploy
from wa_share_sandbox.iam_trust import install_trust_checks
from wa_share_sandbox.organization import SimulatedOrganization, create_workload
from wa_share_sandbox.runner import FunctionRunner

Fault = Callable[[str, str, str], str | None]
SHARE_QUOTA = 20


@pytest.fixture(autouse=True)
def _no_metrics_left_over() -> None:
    """Tests that call the domain without a handler leave metrics behind; the next flush would emit them."""
    metrics.clear_metrics()


@pytest.fixture
def faults() -> Iterator[Callable[[Fault], None]]:
    yield lambda fault: wellarchitected_backend.configure_faults(fault=fault)
    wellarchitected_backend.reset_faults()


@pytest.fixture
def misses() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """The "left unshared by the sweep" log lines, as the Powertools JSON formatter writes them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logging.getLogger(logger.name).addHandler(handler)

    def lines() -> list[dict[str, Any]]:
        parsed = [json.loads(line) for line in stream.getvalue().splitlines()]
        return [line for line in parsed if line["message"] == UNSHARED_LOG]

    yield lines
    logging.getLogger(logger.name).removeHandler(handler)


def emitted(capsys: pytest.CaptureFixture[str]) -> dict[str, float]:
    """Every EMF metric written to stdout, summed over the blobs (as CloudWatch's Sum statistic would)."""
    output = capsys.readouterr().out
    for document in emf_documents(output):
        for directive in document["_aws"]["CloudWatchMetrics"]:
            assert directive["Dimensions"] == [["service"]]  # the one dimension set the alarms name
    return metric_sums(output)


def test_a_healthy_sweep_reports_every_eligible_workload_shared_and_beats_the_heartbeat(
    org: SimulatedOrganization, runner: FunctionRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    for index, account in enumerate(org.members):
        create_workload(org, account, REGIONS[index % len(REGIONS)], f"fine-{index}")
    create_workload(org, org.reviews, "us-east-1", "reviews-own")  # not eligible: never shared with itself
    capsys.readouterr()

    runner.run_sweep()

    metrics = emitted(capsys)
    assert metrics[Metric.COVERAGE_ELIGIBLE] == metrics[Metric.COVERAGE_SHARED] == len(org.members)
    assert metrics[Metric.COVERAGE_UNSHARED] == 0
    assert all(metrics[name] == 0 for name in UNSHARED_METRIC_OF_REASON.values())
    assert metrics[Metric.SWEEP_ACCOUNTS_COMPLETED] == len(org.accounts)
    assert metrics[SHARES_METRIC_OF_PATH["sweep"]] == len(org.members)


def test_a_permanent_region_failure_reaches_the_alarm_metric_with_its_reason_and_is_not_retried(
    org: SimulatedOrganization,
    runner: FunctionRunner,
    faults: Callable[[Fault], None],
    misses: Callable[[], list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    # (An access-denied region is an SCP's: skipped by policy and counted apart, see test_sweep_scale.py.)
    denied, fine = org.members
    create_workload(org, denied, "eu-west-1", "refused")
    create_workload(org, fine, "us-east-1", "fine")
    faults(
        lambda operation, account, region: (
            "ValidationException" if (operation, account, region) == ("ListWorkloads", denied, "eu-west-1") else None
        )
    )
    capsys.readouterr()

    runs = runner.run_sweep()

    assert len([run for run in runs if run.function == "worker"]) == 1  # permanent: no retry
    metrics = emitted(capsys)
    assert metrics[Metric.COVERAGE_UNSHARED] == metrics[UNSHARED_METRIC_OF_REASON[UnitCoverage.PERMANENT_FAILURE]] == 1
    assert metrics[Metric.COVERAGE_SHARED] == 1
    [miss] = misses()
    assert miss["level"] == "ERROR"
    assert (miss["account_id"], miss["coverage_reason"], miss["error_code"]) == (
        denied,
        "permanent_failure",
        "ValidationException",
    )
    assert miss["scope"] == "region eu-west-1"
    assert "ListWorkloads" in miss["reason"]


def test_a_workload_at_the_share_quota_is_counted_unshared_by_quota(
    org: SimulatedOrganization,
    runner: FunctionRunner,
    misses: Callable[[], list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    owner = org.members[0]
    full = create_workload(org, owner, "us-east-1", "twenty-shares")
    wa = org.client(owner, "wellarchitected", "us-east-1")
    for index in range(SHARE_QUOTA):
        wa.create_workload_share(
            WorkloadId=full,
            SharedWith=f"{100000000000 + index}",
            PermissionType="READONLY",
            ClientRequestToken=f"t{index}",
        )
    capsys.readouterr()

    runner.run_sweep()

    metrics = emitted(capsys)
    assert metrics[Metric.COVERAGE_UNSHARED] == metrics[UNSHARED_METRIC_OF_REASON[UnitCoverage.QUOTA]] == 1
    [miss] = misses()
    assert (miss["coverage_reason"], miss["scope"]) == ("quota", f"workload {full} towards {org.reviews}")


def test_transient_failures_count_once_on_the_last_try_not_on_each_retry(
    org: SimulatedOrganization,
    runner: FunctionRunner,
    faults: Callable[[Fault], None],
    misses: Callable[[], list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    stormy = org.members[0]
    create_workload(org, stormy, "eu-west-1", "stormy")
    faults(
        lambda operation, account, region: "ThrottlingException" if (account, region) == (stormy, "eu-west-1") else None
    )
    capsys.readouterr()

    runs = runner.run_sweep()

    tries = int(
        load_template(templates_root() / "template.yaml")["Resources"]["SweepQueue"]["Properties"]["RedrivePolicy"][
            "maxReceiveCount"
        ]
    )
    assert len([run for run in runs if run.function == "worker"]) == tries  # retried, then dead-lettered
    metrics = emitted(capsys)
    assert metrics[Metric.COVERAGE_UNSHARED] == metrics[UNSHARED_METRIC_OF_REASON[UnitCoverage.RETRIES_EXHAUSTED]] == 1
    assert metrics[Metric.SWEEP_ACCOUNTS_COMPLETED] == len(org.accounts)  # the stormy account once, on its last try
    [miss] = misses()
    assert (miss["coverage_reason"], miss["error_code"]) == ("retries_exhausted", "ThrottlingException")


def test_an_account_without_the_member_role_counts_as_role_missing_and_does_not_beat_the_heartbeat(
    org: SimulatedOrganization, misses: Callable[[], list[dict[str, Any]]], capsys: pytest.CaptureFixture[str]
) -> None:
    orphan = org.members[0]
    deployment = deploy(org, REGIONS, accounts_without_role=frozenset({orphan}), forwarders=False)
    install_trust_checks()
    capsys.readouterr()

    FunctionRunner(deployment).run_sweep()

    metrics = emitted(capsys)
    assert metrics[Metric.COVERAGE_UNSHARED] == metrics[UNSHARED_METRIC_OF_REASON[UnitCoverage.ROLE_MISSING]] == 1
    assert metrics[Metric.SWEEP_ACCOUNTS_COMPLETED] == len(org.accounts) - 1
    [miss] = misses()
    assert (miss["account_id"], miss["scope"], miss["error_code"]) == (orphan, f"account {orphan}", "AccessDenied")
    assert f"arn:aws:iam::{orphan}:role/wa-share-member" in miss["reason"]
