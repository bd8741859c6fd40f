"""`wa-share sandbox --serve` inside the test process: a running system that other processes reach through
the AWS SDK, with the profiles the server writes (one per simulated account)."""

from __future__ import annotations

import io
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from moto import mock_aws
from rich.console import Console

from wa_share_sandbox import wellarchitected as wab
from wa_share_sandbox.iam_trust import uninstall_trust_checks
from wa_share_sandbox.scenario import build_scenario
from wa_share_sandbox.serve import serve
from wa_share_sandbox.story import Story


@contextmanager
def served_sandbox(folder: Path) -> Iterator[Story]:
    """One member account in us-east-1, no workloads, served until the block ends; its profiles in `folder`."""
    wab.install()
    with mock_aws():
        story = Story(build_scenario({"accounts": 1, "regions": "us-east-1", "workloads": 0}, {}), folder / "log")
        story.build()
        stop = threading.Event()
        console = Console(file=io.StringIO())
        thread = threading.Thread(
            target=serve, args=(story,), kwargs={"port": 0, "console": console, "folder": folder, "stop": stop}
        )
        thread.start()
        try:
            while not (folder / "aws-credentials").exists():
                time.sleep(0.05)
            yield story
        finally:
            stop.set()
            thread.join()
            story.close()
    uninstall_trust_checks()


def profile_environment(folder: Path, profile: str) -> dict[str, str]:
    """This process's environment with nothing of AWS or wa-share but the served sandbox's profile."""
    kept = {name: value for name, value in os.environ.items() if not name.startswith(("AWS_", "WA_SHARE_"))}
    return kept | {
        "AWS_CONFIG_FILE": str(folder / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(folder / "aws-credentials"),
        "AWS_PROFILE": profile,
    }
