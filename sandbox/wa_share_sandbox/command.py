"""`wa-share sandbox`: the whole system on a simulated organization, no AWS account needed.

The story runs in-process on moto (see `story.py`); `--serve` then keeps the organization up behind a
local moto server for the AWS CLI and the other `wa-share` commands. Exit codes: 0 when every eligible
workload ends up shared exactly once, 1 otherwise, 2 for a bad scenario or argument.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from moto import mock_aws
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from wa_share_sandbox import wellarchitected as wellarchitected_backend
from wa_share_sandbox.iam_trust import uninstall_trust_checks
from wa_share_sandbox.scenario import ScenarioError, build_scenario, load_scenario
from wa_share_sandbox.serve import serve
from wa_share_sandbox.story import Story, StoryResult
from wa_share_sandbox.summary import PhaseResult, QuietReporter, Reporter, render_table, render_verdict
from wa_share_sandbox.summary import Progress as PhaseProgress

LOG_NAME = "functions.log"


def run(args: argparse.Namespace) -> int:
    try:
        data = load_scenario(args.scenario) if args.scenario else {}
        scenario = build_scenario(data, _overrides(args))
    except ScenarioError as error:
        sys.stderr.write(f"wa-share sandbox: {error}\n")
        return 2
    folder = args.log_dir or Path(tempfile.mkdtemp(prefix="wa-share-sandbox-"))
    folder.mkdir(parents=True, exist_ok=True)
    console = Console(file=sys.stdout)  # bound now: the functions' stdout is redirected while they run
    reporter: Reporter = QuietReporter() if args.output == "json" else RichReporter(console)
    if args.output != "json":
        console.print(
            f"[bold]wa-share sandbox[/]: {scenario.accounts} member accounts, {len(scenario.regions)} regions, "
            f"seed {scenario.seed}"
        )
        console.print(f"function logs: {folder / LOG_NAME}", highlight=False, soft_wrap=True)
    # Each simulated account's EC2 backend would otherwise build moto's default AMI catalogue (~0.3 s
    # apiece); the sweep only asks EC2 for regions.
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    wellarchitected_backend.install()
    with mock_aws():
        story = Story(scenario, folder / LOG_NAME, reporter)
        try:
            result = story.run()
            _print(console, result, as_json=args.output == "json")
            if args.serve:
                serve(story, port=args.port, console=console, folder=folder)
        except ScenarioError as error:
            sys.stderr.write(f"wa-share sandbox: {error}\n")
            return 2
        finally:
            story.close()
            uninstall_trust_checks()
    return 0 if result.coverage.complete else 1


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "accounts": args.accounts,
        "regions": args.regions,
        "workloads": args.workloads,
        "seed": args.seed,
        "member_path": args.member_path,
        "drop_rate": args.drop_rate,
        "throttle_rate": args.throttle_rate,
        "latency_ms": args.latency_ms,
    }


def _print(console: Console, result: StoryResult, *, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(result.as_dict(), indent=2) + "\n")
        return
    render_table(console, result.phases, result.coverage)
    render_verdict(console, result.coverage)


class RichReporter:
    """A progress bar per phase, then the phase's findings, one line each."""

    def __init__(self, console: Console) -> None:
        self.console = console

    @contextmanager
    def phase(self, number: int, title: str) -> Iterator[PhaseProgress]:
        columns = (
            TextColumn(f"{number}. {title:<38}"),
            BarColumn(bar_width=20),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=self.console) as progress:
            yield _Bar(progress, progress.add_task(title, total=0))

    def finished(self, result: PhaseResult) -> None:
        for note in result.notes:
            self.console.print(f"   [dim]{note}[/]", highlight=False)


class _Bar:
    def __init__(self, progress: Progress, task: Any) -> None:
        self._progress, self._task = progress, task
        self._total = 0

    def grow(self, amount: int) -> None:
        self._total += amount
        self._progress.update(self._task, total=self._total)

    def advance(self, amount: int = 1) -> None:
        self._progress.advance(self._task, amount)
