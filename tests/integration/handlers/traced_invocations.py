"""The real handlers traced as Lambda traces them with Tracing=Active, in a fresh interpreter of their own.

Run by test_tracing.py as `python -m <this module>`: the X-Ray SDK decides at import whether it runs in
Lambda (LAMBDA_TASK_ROOT) and where its daemon is (AWS_XRAY_DAEMON_ADDRESS), and Powertools' Tracer
patches botocore for the whole process, so nothing of this may leak into the test process. The test sets
Lambda's environment; this module listens where the daemon would, on loopback, runs a real-time share, a
sweep and a refused planner event on the sandbox, and writes one JSON document to the path it is given:
each invocation's result or error, every trace document the SDK sent, and any credential found in them
(the secrets stay in this process).
"""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path
from typing import Any

REGIONS = ("us-east-1", "eu-west-1")


def listen() -> socket.socket:
    """The X-Ray daemon's UDP port, on loopback; the SDK reads its address when it is imported."""
    daemon = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    daemon.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 * 1024 * 1024)
    daemon.bind(("127.0.0.1", 0))
    host, port = daemon.getsockname()
    os.environ["AWS_XRAY_DAEMON_ADDRESS"] = f"{host}:{port}"
    return daemon


def received(daemon: socket.socket) -> list[dict[str, Any]]:
    """Every document sent so far: each datagram is a JSON header line, then the segment document."""
    daemon.settimeout(0.5)
    documents: list[dict[str, Any]] = []
    while True:
        try:
            datagram = daemon.recv(65536)
        except TimeoutError:
            return documents
        header, _, body = datagram.decode().partition("\n")
        assert json.loads(header) == {"format": "json", "version": 1}, header
        documents.append(json.loads(body))


def run() -> dict[str, Any]:
    daemon = listen()  # before the handlers (and with them the X-Ray SDK) are imported
    from moto import mock_aws

    from tests.integration.security.credential_scan import scan
    from tests.support.iam_actions import issued_sessions
    from wa_share_sandbox import wellarchitected as wellarchitected_backend
    from wa_share_sandbox.deployment import deploy
    from wa_share_sandbox.iam_trust import install_trust_checks
    from wa_share_sandbox.organization import build_organization, create_workload
    from wa_share_sandbox.runner import FunctionRunner

    wellarchitected_backend.install()
    with mock_aws():
        org = build_organization(members=2)
        deployment = deploy(org, REGIONS, overrides={"Tracing": "Active"})
        install_trust_checks()
        runner = FunctionRunner(deployment)
        create_workload(org, org.members[0], "eu-west-1", "traced")
        shared = runner.deliver_share_events()  # the share, then its own CreateWorkloadShare event, left alone
        invocations = [*shared, *runner.own_calls, *runner.run_sweep(), runner.invoke("planner", {})]
        secrets = [
            pair
            for issued in issued_sessions()
            for pair in (("secret access key", issued.secret_access_key), ("session token", issued.session_token))
        ]
    documents = received(daemon)
    findings = [str(finding) for document in documents for finding in scan("trace", json.dumps(document), secrets)]
    return {
        "invocations": [
            {"function": i.function, "result": i.result, "error": i.error, "calls": i.calls} for i in invocations
        ],
        "documents": documents,
        "credential_findings": findings,
    }


if __name__ == "__main__":
    # A file, not stdout: the functions' log lines go to stdout, as in Lambda.
    Path(sys.argv[1]).write_text(json.dumps(run()))
