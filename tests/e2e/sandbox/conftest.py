"""The served sandbox, for every test here that talks to a running system (the probe's and the guard's)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.served import served_sandbox
from wa_share_sandbox.story import Story


@pytest.fixture
def serving(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Story]:
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    with served_sandbox(tmp_path) as story:
        yield story
