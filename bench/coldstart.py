"""`python -m bench.coldstart`: each function module's cold-start import, tracing off and on, beside bare boto3.

Each import runs in a fresh interpreter, as Lambda imports the handler: the folder measured is the task root
(LAMBDA_TASK_ROOT, so the X-Ray SDK takes its Lambda set-up), POWERTOOLS_TRACE_DISABLED as the template sets
it for Tracing=Disabled ("true") or Active ("false"), and no bytecode is written (Lambda's /var/task is
read-only). Measure a built artifact (`sam build`, then `--handlers .aws-sam/build/ShareFunction`) to see
what Lambda pays; the default, handlers/, imports with the checkout's own bytecode.

Two figures per import: `-X importtime`'s cumulative time for the module (wall clock, what the issue
measures) and the process's CPU time for the same import (which the other load of a shared machine disturbs
far less). `import boto3` is measured in every round, so each figure is also a ratio to it, and the ratios
travel between machines. Rounds are interleaved (every module and mode once per round); medians reported.
The Lambda runtime has neither awscrt nor pyOpenSSL, which botocore imports when installed (as in the dev
venv): both sides of each ratio carry them here. Not a test: nothing here asserts speed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

HANDLERS = Path(__file__).resolve().parent.parent / "handlers"
FUNCTIONS = ("share_function", "sweep_planner", "sweep_worker", "probe_function")
BASELINE = "boto3"
TRACING = {"off": "true", "on": "false"}  # POWERTOOLS_TRACE_DISABLED for Tracing=Disabled / Active
_IMPORT = "import time; cpu = time.process_time(); import {module}; print(time.process_time() - cpu)"

Figures = tuple[float, float]  # (wall ms from -X importtime, CPU ms)


def import_ms(module: str, trace_disabled: str, handlers: Path = HANDLERS) -> Figures:
    """`import module` in a fresh interpreter: its cumulative -X importtime line, and the CPU it took."""
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "LAMBDA_TASK_ROOT": str(handlers),
        "POWERTOOLS_TRACE_DISABLED": trace_disabled,
        "POWERTOOLS_SERVICE_NAME": "wa-share",
        "AWS_DEFAULT_REGION": "us-east-1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    done = subprocess.run(  # noqa: S603 - this interpreter, a module name of ours
        [sys.executable, "-X", "importtime", "-c", _IMPORT.format(module=module)],
        cwd=handlers,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    cpu_ms = float(done.stdout.split()[-1]) * 1000
    for line in reversed(done.stderr.splitlines()):
        fields = line.removeprefix("import time:").split("|")
        if line.startswith("import time:") and len(fields) == 3 and fields[2].strip() == module:  # noqa: PLR2004
            return int(fields[1]) / 1000, cpu_ms
    raise RuntimeError(f"no import time reported for {module}")


def measure(runs: int, handlers: Path) -> dict[tuple[str, str], list[Figures]]:
    """(module, tracing) -> one figure per round; every round imports everything once, boto3 first."""
    figures: dict[tuple[str, str], list[Figures]] = defaultdict(list)
    for _round in range(runs):
        for module in (BASELINE, *FUNCTIONS):
            for mode, value in TRACING.items():
                figures[module, mode].append(import_ms(module, value, handlers))
    return figures


def _cell(figures: dict[tuple[str, str], list[Figures]], module: str, mode: str) -> str:
    rounds = list(zip(figures[module, mode], figures[BASELINE, mode], strict=True))
    wall = statistics.median(own[0] for own, _ in rounds)
    wall_ratio = statistics.median(own[0] / boto3[0] for own, boto3 in rounds)
    cpu = statistics.median(own[1] for own, _ in rounds)
    cpu_ratio = statistics.median(own[1] / boto3[1] for own, boto3 in rounds)
    return f"{wall:.0f} ms ({wall_ratio:.2f}) | {cpu:.0f} ms ({cpu_ratio:.2f})"


def table(runs: int, handlers: Path = HANDLERS) -> list[str]:
    """Markdown rows: per module, tracing off and on; in brackets the median ratio to boto3's round."""
    figures = measure(runs, handlers)
    lines = [
        f"| module (median of {runs}; ratio to `import boto3`) | off: -X importtime | off: CPU "
        "| on: -X importtime | on: CPU |",
        "|---|---:|---:|---:|---:|",
    ]
    for module in (BASELINE, *FUNCTIONS):
        lines.append(f"| `{module}` | {_cell(figures, module, 'off')} | {_cell(figures, module, 'on')} |")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.coldstart", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="rounds, each a fresh interpreter per figure (default 5)")
    parser.add_argument(
        "--handlers",
        type=Path,
        default=HANDLERS,
        help="the handlers/ folder to measure (another checkout's, e.g. `git archive` of an earlier commit)",
    )
    arguments = parser.parse_args(argv)
    print("\n".join(table(arguments.runs, arguments.handlers.resolve())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
