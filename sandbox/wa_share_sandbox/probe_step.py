"""The story's probe: the hourly probe's run, its event through the real-time path, its latency as recorded.

The latency is the one the share function recorded (its `probe shared` log line carries the ProbeLatency
value it put in the EMF metric, unrounded).
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from wa_share_sandbox.runner import FunctionRunner
from wa_share_sandbox.summary import read_log


def run_probe_once(runner: FunctionRunner, log: TextIO, log_path: Path, log_offset: int) -> tuple[str, float | None]:
    """A note for the phase, and the probe's latency in seconds (None when it was not shared)."""
    run = runner.run_probe()
    runner.deliver_share_events()
    log.flush()
    shared = [record for record in read_log(log_path, log_offset) if record.get("message") == "probe shared"]
    if run.error is not None or not shared:
        return f"probe NOT shared: {run.error or 'its event never reached the share function'}", None
    latency = float(shared[-1]["latency_seconds"])
    note = (
        f"probe {run.result['created']}: shared {latency * 1000:.0f} ms after creation (ProbeLatency);"
        " the next hourly run deletes it"
    )
    return note, latency
