"""`make bench` still runs: a very small size, no latency (the real figures come from `make bench`)."""

from __future__ import annotations

import os

import pytest

from wa_share_cli import bench


def test_the_benchmark_runs_and_compares_equal_work(capsys: pytest.CaptureFixture[str]) -> None:
    amis = os.environ.get("MOTO_EC2_LOAD_DEFAULT_AMIS")
    sizes = ["--accounts", "1", "--regions", "2", "--workloads", "1", "--planner-accounts", "25"]
    code = bench.main([*sizes, "--latency-ms", "0", "--concurrency", "1"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "| original (sequential) | 0 ms |" in out
    assert "| sweep (concurrency 1) | 0 ms |" in out
    rows = [line for line in out.splitlines() if line.startswith(("| original", "| sweep"))]
    assert len(rows) == 3
    assert all(row.endswith("| 2 |") for row in rows)  # every run left both workloads shared
    assert "organizations:ListAccounts 2, sqs:SendMessageBatch 3 | 25 |" in out
    assert os.environ.get("MOTO_EC2_LOAD_DEFAULT_AMIS") == amis  # the simulator is put back as it was
