"""The story's probe: the hourly probe's run, its event through the real-time path, its latency from EMF."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from wa_share_cli.sandbox.runner import FunctionRunner
from wa_share_cli.sandbox.summary import emf_totals, read_log


def run_probe_once(runner: FunctionRunner, log: TextIO, log_path: Path, log_offset: int) -> tuple[str, float | None]:
    """A note for the phase, and the probe's latency in seconds (None when it was not shared)."""
    run = runner.run_probe()
    runner.deliver_share_events()
    log.flush()
    metrics = emf_totals(read_log(log_path, log_offset))
    if run.error is not None or not metrics["ProbeShared"]:
        return f"probe NOT shared: {run.error or 'its event never reached the share function'}", None
    latency = float(metrics["ProbeLatency"])
    note = (
        f"probe {run.result['created']}: shared {latency:.2f} s after creation (ProbeLatency);"
        " the next hourly run deletes it"
    )
    return note, latency
