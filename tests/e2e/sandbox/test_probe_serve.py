"""`wa-share probe` against `wa-share sandbox --serve`: an operator's terminal, a running system, real time."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from moto import mock_aws
from rich.console import Console

from wa_share.probe.rule import PROBE_PREFIX
from wa_share_sandbox import wellarchitected as wab
from wa_share_sandbox.iam_trust import uninstall_trust_checks
from wa_share_sandbox.scenario import build_scenario
from wa_share_sandbox.serve import serve
from wa_share_sandbox.story import Story


@pytest.fixture
def serving(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Story]:
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    wab.install()
    with mock_aws():
        story = Story(build_scenario({"accounts": 1, "regions": "us-east-1", "workloads": 0}, {}), tmp_path / "log")
        story.build()
        stop = threading.Event()
        console = Console(file=io.StringIO())
        thread = threading.Thread(
            target=serve, args=(story,), kwargs={"port": 0, "console": console, "folder": tmp_path, "stop": stop}
        )
        thread.start()
        try:
            while not (tmp_path / "aws-credentials").exists():
                time.sleep(0.05)
            yield story
        finally:
            stop.set()
            thread.join()
            story.close()
    uninstall_trust_checks()


def wa_share(folder: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "WA_SHARE_"))} | {
        "AWS_CONFIG_FILE": str(folder / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(folder / "aws-credentials"),
        "AWS_PROFILE": "sandbox-automation",
    }
    command = [sys.executable, "-m", "wa_share_cli.main", "--stack-name", "wa-share", *argv]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=120)  # noqa: S603


@pytest.mark.slow
def test_the_probe_is_shared_by_the_running_system_and_deleted(serving: Story, tmp_path: Path) -> None:
    done = wa_share(tmp_path, "probe", "--timeout", "30", "--interval", "1")
    assert done.returncode == 0, done.stderr
    assert [line.split()[0] for line in done.stdout.splitlines()[1:]] == ["created", "shared", "deleted"], done.stdout
    automation = serving.ids["automation"]
    with wab.LOCK:
        left = [w.name for w in wab.get_backend(automation, "us-east-1").workloads.values()]
    assert not [name for name in left if name.startswith(PROBE_PREFIX)]


@pytest.mark.slow
def test_a_usage_error_exits_2(serving: Story, tmp_path: Path) -> None:
    done = wa_share(tmp_path, "probe", "--timeout", "0")
    assert done.returncode == 2
