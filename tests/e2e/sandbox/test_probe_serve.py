"""`wa-share probe` against `wa-share sandbox --serve`: an operator's terminal, a running system, real time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.served import profile_environment
from wa_share.probe.rule import PROBE_PREFIX
from wa_share_sandbox import wellarchitected as wab
from wa_share_sandbox.story import Story


def wa_share(folder: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = profile_environment(folder, "sandbox-automation")
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
