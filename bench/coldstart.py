"""`python -m bench.coldstart`: each function module's cold-start import, tracing off and on, beside bare boto3.

Each import runs in a fresh interpreter under `-X importtime`, as Lambda imports the handler: handlers/ is
the task root (LAMBDA_TASK_ROOT, so the X-Ray SDK takes its Lambda set-up), POWERTOOLS_TRACE_DISABLED as
the template sets it for Tracing=Disabled ("true") or Active ("false"). The figure is the module's
cumulative import time, median of the runs; `import boto3` in the same environment is the yardstick, so
the ratios travel between machines. The Lambda runtime has neither awscrt nor pyOpenSSL, which botocore
imports when they are installed (as in the dev venv): both sides of each ratio carry them here.
Not a test: nothing here asserts speed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

HANDLERS = Path(__file__).resolve().parent.parent / "handlers"
FUNCTIONS = ("share_function", "sweep_planner", "sweep_worker", "probe_function")
BASELINE = "boto3"
TRACING = {"off": "true", "on": "false"}  # POWERTOOLS_TRACE_DISABLED for Tracing=Disabled / Active


def import_ms(module: str, trace_disabled: str, handlers: Path = HANDLERS) -> float:
    """Milliseconds `import module` takes in a fresh interpreter (its cumulative -X importtime line)."""
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "LAMBDA_TASK_ROOT": str(handlers),
        "POWERTOOLS_TRACE_DISABLED": trace_disabled,
        "POWERTOOLS_SERVICE_NAME": "wa-share",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    done = subprocess.run(  # noqa: S603 - this interpreter, a module name of ours
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        cwd=handlers,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    for line in reversed(done.stderr.splitlines()):
        fields = line.removeprefix("import time:").split("|")
        if line.startswith("import time:") and len(fields) == 3 and fields[2].strip() == module:  # noqa: PLR2004
            return int(fields[1]) / 1000
    raise RuntimeError(f"no import time reported for {module}")


def median_ms(module: str, trace_disabled: str, runs: int, handlers: Path = HANDLERS) -> float:
    return statistics.median(import_ms(module, trace_disabled, handlers) for _ in range(runs))


def table(runs: int, handlers: Path = HANDLERS) -> list[str]:
    """Markdown rows: per function, tracing off and on, in ms and as multiples of bare boto3."""
    boto3 = {mode: median_ms(BASELINE, value, runs, handlers) for mode, value in TRACING.items()}
    lines = [
        f"| module (median of {runs}) | tracing off | ratio to boto3 | tracing on | ratio to boto3 | tracing's cost |",
        "|---|---:|---:|---:|---:|---:|",
        f"| `import boto3` (yardstick) | {boto3['off']:.0f} ms | 1.00 | {boto3['on']:.0f} ms | 1.00 | |",
    ]
    for module in FUNCTIONS:
        off, on = (median_ms(module, value, runs, handlers) for value in TRACING.values())
        lines.append(
            f"| `{module}` | {off:.0f} ms | {off / boto3['off']:.2f} | {on:.0f} ms | {on / boto3['on']:.2f} "
            f"| +{on - off:.0f} ms |"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.coldstart", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh interpreters per figure (default 5)")
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
