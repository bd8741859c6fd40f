"""`make bench` still runs: a very small size, no latency (the real figures come from `make bench`)."""

from __future__ import annotations

import os

import pytest

from bench import run as bench


def test_the_benchmark_runs_and_compares_equal_work(capsys: pytest.CaptureFixture[str]) -> None:
    amis = os.environ.get("MOTO_EC2_LOAD_DEFAULT_AMIS")
    sizes = ["--accounts", "1", "--regions", "2", "--workloads", "1", "--planner-accounts", "25"]
    huge = ["--huge-workloads", "2", "--huge-latency-ms", "0"]
    code = bench.main([*sizes, *huge, "--latency-ms", "0", "--concurrency", "1"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.count("| original (sequential) | 0 ms |") == 2  # new organization, steady state
    assert out.count("| sweep (concurrency 1) | 0 ms |") == 2
    rows = [line for line in out.splitlines() if line.startswith(("| original", "| sweep"))]
    assert len(rows) == 6
    assert all(row.endswith("| 2 |") for row in rows)  # every run left both workloads shared
    assert "| 900 s | 1 | 0 |" in out  # the huge account's table: one invocation, no split
    assert out.rstrip().splitlines()[-1].startswith("load average")
    reviews_side = "sts:AssumeRole 1, wellarchitected:ListWorkloads 1"
    assert f"ec2:DescribeRegions 1, organizations:ListAccounts 2, sqs:SendMessageBatch 3, {reviews_side} | 25 |" in out
    assert "| 4 of 4 |" in out
    assert os.environ.get("MOTO_EC2_LOAD_DEFAULT_AMIS") == amis  # the simulator is put back as it was
