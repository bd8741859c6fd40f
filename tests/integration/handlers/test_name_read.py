"""Reading a workload's name never fails its share (issue 18).

The share function reads the name (GetWorkload) after sharing: in the probe account, to tell a probe from a
workload, and for an announcement. Whatever that read answers (denied, as on a deployment path without the
grant; throttled past botocore's retries; the workload deleted meanwhile), the share is made, reported as
shared and proven by its row; the failure is logged with its reason and counted (WorkloadNameUnavailable);
the invocation succeeds, so Lambda neither retries it nor puts it on the failure queue.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from tests.support.emf import log_lines, metric_sums
from tests.support.fixtures import REGIONS
from wa_share.followup.after_share import NAME_UNAVAILABLE_LOG
from wa_share.observability import Metric
from wa_share_sandbox import wellarchitected as wab
from wa_share_sandbox.deployment import Deployment, deploy
from wa_share_sandbox.iam_trust import install_trust_checks
from wa_share_sandbox.organization import SimulatedOrganization, create_workload
from wa_share_sandbox.runner import FunctionRunner, Invocation

REGION = "us-east-1"
# What GetWorkload answers, every attempt: botocore's retries (standard mode) end in the same code.
NAME_READ_FAILURES = ["AccessDeniedException", "ThrottlingException", "ResourceNotFoundException"]


def _name_read_fails(code: str) -> Callable[[str, str, str], str | None]:
    return lambda operation, account, region: code if operation == "GetWorkload" else None


def _assert_shared_and_reported(
    org: SimulatedOrganization, runner: FunctionRunner, logs: io.StringIO, *, account: str, workload: str, code: str
) -> Invocation:
    [invocation] = runner.deliver_share_events()
    assert invocation.error is None, invocation.error
    assert [item["outcome"] for item in invocation.result["results"]] == ["created"]
    rows = wab.get_backend(account, REGION).list_all_shares(workload)
    assert [(row.shared_with, row.status) for row in rows] == [(org.reviews, "PENDING")]
    assert runner.queue_depth("ShareFailureQueue") == 0
    sums = metric_sums(logs.getvalue())
    assert sums[Metric.WORKLOAD_NAME_UNAVAILABLE] == 1
    assert sums["SharesCreated"] == 1
    assert "Failed" not in sums
    [line] = log_lines(logs.getvalue(), NAME_UNAVAILABLE_LOG)
    assert (line["workload_id"], line["error_code"]) == (workload, code)
    return invocation


@pytest.mark.parametrize("code", NAME_READ_FAILURES)
def test_in_the_probe_account_a_name_read_failure_leaves_the_share_reported_and_counted(
    code: str, org: SimulatedOrganization, probed: Deployment, logs: io.StringIO
) -> None:
    runner = FunctionRunner(probed, log_stream=logs)
    workload = create_workload(org, org.automation, REGION, "made-by-a-person-in-the-automation-account")
    wab.configure_faults(fault=_name_read_fails(code))
    invocation = _assert_shared_and_reported(org, runner, logs, account=org.automation, workload=workload, code=code)
    assert invocation.result["status"] == "done"


@pytest.mark.parametrize("code", NAME_READ_FAILURES)
def test_a_probe_whose_name_cannot_be_read_is_shared_and_its_missing_latency_left_to_the_probe_alarm(
    code: str, org: SimulatedOrganization, probed: Deployment, logs: io.StringIO
) -> None:
    runner = FunctionRunner(probed, log_stream=logs)
    created = runner.run_probe().result
    wab.configure_faults(fault=_name_read_fails(code))
    _assert_shared_and_reported(org, runner, logs, account=org.automation, workload=created["workload_id"], code=code)
    assert "ProbeShared" not in metric_sums(logs.getvalue())  # unrecognised: the probe alarm's missing data breaches


@pytest.mark.parametrize("code", NAME_READ_FAILURES)
def test_an_announcement_whose_name_cannot_be_read_goes_out_under_the_workload_id(
    code: str, org: SimulatedOrganization, logs: io.StringIO
) -> None:
    # Announcements deployed with the stack: their grants (GetWorkload, PutEvents) are in the roles, which the
    # sandbox enforces; only the bus announcement is turned on.
    deployment = deploy(org, REGIONS, overrides={"Announcements": "true"})
    install_trust_checks()
    deployment.function_env |= {"ANNOUNCE_TOPIC_ARN": "", "ANNOUNCE_BUS_NAME": deployment.bus_name}
    runner = FunctionRunner(deployment, log_stream=logs)
    member = org.members[0]
    workload = create_workload(org, member, REGION, "announced")
    wab.configure_faults(fault=_name_read_fails(code))
    _assert_shared_and_reported(org, runner, logs, account=member, workload=workload, code=code)
    assert "AnnouncementsFailed" not in metric_sums(logs.getvalue())
