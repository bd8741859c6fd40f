"""Tracing=Active as Lambda runs it: each invocation is a `## handler` subsegment of the trace Lambda started,
each AWS call the function makes is a subsegment of that trace, the results and errors are exactly those of
the untraced handlers, and no credential reaches a trace document.

The traced run happens in a fresh interpreter (traced_invocations.py) with Lambda's environment: the X-Ray
SDK and the Tracer decide at import, and patch botocore for the whole process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from wa_share_sandbox.cfn_templates import load_template, repo_root
from wa_share_sandbox.organization import SimulatedOrganization, create_workload
from wa_share_sandbox.runner import FunctionRunner, Invocation

ROOT = repo_root()
TRACE_ID = "1-5759e988-bd862e3fe1be46a994272793"
FUNCTION_SEGMENT = "53995c3f42cd8ad8"  # the segment Lambda records for the invocation: the header's Parent
# A real-time share and its own share event coming back, a sweep, a refused schedule event.
FUNCTIONS = ["share", "share", "planner", "worker", "planner"]


def lambda_environment(daemon_free: dict[str, str]) -> dict[str, str]:
    """What Lambda sets before it imports a traced function (the daemon's address is the script's to set)."""
    service = load_template(ROOT / "template.yaml")["Globals"]["Function"]["Environment"]["Variables"]
    return daemon_free | {
        "LAMBDA_TASK_ROOT": str(ROOT / "handlers"),
        "_X_AMZN_TRACE_ID": f"Root={TRACE_ID};Parent={FUNCTION_SEGMENT};Sampled=1",
        "POWERTOOLS_TRACE_DISABLED": "false",
        "POWERTOOLS_SERVICE_NAME": service["POWERTOOLS_SERVICE_NAME"],
        # This process's path: the code roots pytest adds (pyproject's pythonpath), the repo root for tests.
        "PYTHONPATH": os.pathsep.join([str(ROOT), *(path for path in sys.path if path)]),
    }


@pytest.fixture(scope="module")
def traced(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    output = tmp_path_factory.mktemp("traced") / "traced.json"
    sandbox_environment = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
    }
    done = subprocess.run(  # noqa: S603 - this interpreter, a module of this package
        [sys.executable, "-m", f"{__package__}.traced_invocations", str(output)],
        env=lambda_environment(sandbox_environment),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    result: dict[str, Any] = json.loads(Path(output).read_text())
    return result


def handler_subsegments(traced: dict[str, Any]) -> list[dict[str, Any]]:
    return [document for document in traced["documents"] if document["name"] == "## handler"]


def aws_calls_within(traced: dict[str, Any], handler: dict[str, Any]) -> list[dict[str, Any]]:
    """The AWS-call subsegments recorded while this handler ran."""
    return [
        document
        for document in traced["documents"]
        if document.get("namespace") == "aws" and handler["start_time"] <= document["start_time"] <= handler["end_time"]
    ]


def test_each_invocation_is_a_handler_subsegment_of_the_trace_lambda_started(traced: dict[str, Any]) -> None:
    handlers = handler_subsegments(traced)
    assert [invocation["function"] for invocation in traced["invocations"]] == FUNCTIONS
    assert len(handlers) == len(FUNCTIONS)
    assert {(h["trace_id"], h["parent_id"], h["type"]) for h in handlers} == {
        (TRACE_ID, FUNCTION_SEGMENT, "subsegment")
    }
    assert [h["annotations"]["ColdStart"] for h in handlers] == [True, False, False, False, False]
    assert {h["annotations"]["Service"] for h in handlers} == {"wa-share"}
    assert not [h for h in handlers if "handler response" in json.dumps(h)]  # results stay out of traces


def test_every_aws_call_of_an_invocation_is_in_its_trace(traced: dict[str, Any]) -> None:
    for invocation, handler in zip(traced["invocations"], handler_subsegments(traced), strict=True):
        calls = aws_calls_within(traced, handler)
        assert len(calls) == invocation["calls"], invocation["function"]
        # Under `## handler`, or under the function's segment for the worker's region threads, which X-Ray's
        # thread-local context does not follow (docs/tracing.md).
        assert {call["parent_id"] for call in calls} <= {handler["id"], FUNCTION_SEGMENT}, invocation["function"]
        assert all(call["trace_id"] == TRACE_ID for call in calls)
    share_calls = aws_calls_within(traced, handler_subsegments(traced)[0])
    assert [(call["name"], call["aws"]["operation"]) for call in share_calls] == [
        ("sts", "AssumeRole"),
        ("wellarchitected", "CreateWorkloadShare"),
    ]
    assert {call["parent_id"] for call in share_calls} == {handler_subsegments(traced)[0]["id"]}


def test_an_error_is_raised_as_untraced_and_recorded_as_the_invocations_fault(traced: dict[str, Any]) -> None:
    refused = traced["invocations"][-1]
    assert refused["error"].startswith("InvalidScheduleEvent: not a scheduled event")
    handler = handler_subsegments(traced)[-1]
    assert handler["fault"] is True
    [exception] = handler["cause"]["exceptions"]
    assert exception["type"] == "InvalidScheduleEvent"
    assert exception["message"] == refused["error"].removeprefix("InvalidScheduleEvent: ")


def outcome(invocation: dict[str, Any] | Invocation) -> Any:
    """What must not depend on tracing: outcomes, counts and errors (IDs and times differ run to run)."""
    function, result, error = (
        (invocation["function"], invocation["result"], invocation["error"])
        if isinstance(invocation, dict)
        else (invocation.function, invocation.result, invocation.error)
    )
    if error is not None or function == "worker":
        return function, result, error
    if function == "share":
        return function, [(item["outcome"], item["reason"]) for item in result["results"]]
    return function, result["accounts"], result["enqueued"], result["full_sweep"]


def test_results_are_those_of_the_untraced_handlers(
    traced: dict[str, Any], org: SimulatedOrganization, runner: FunctionRunner
) -> None:
    create_workload(org, org.members[0], "eu-west-1", "traced")  # the same run, untraced, in this process
    shared = runner.deliver_share_events()
    untraced = [*shared, *runner.own_calls, *runner.run_sweep(), runner.invoke("planner", {})]
    assert [outcome(invocation) for invocation in untraced] == [outcome(i) for i in traced["invocations"]]


def test_no_credential_reaches_a_trace(traced: dict[str, Any]) -> None:
    assume_role = [d for d in traced["documents"] if d.get("aws", {}).get("operation") == "AssumeRole"]
    assert assume_role  # the calls whose responses carry credentials were traced, and scanned
    assert traced["credential_findings"] == []
