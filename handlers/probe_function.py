"""Probe function: on its schedule, judge and delete the earlier probe workloads and create the next one.

The real-time path then shares the new probe like any other workload, and the share function records its
latency (ProbeShared, ProbeLatency); a probe never shared is counted (ProbeNotShared) by the next run.
AWS failures raise: Lambda retries, and the probe alarm fires when no probe gets shared.
"""

from __future__ import annotations

from functools import cache, partial
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from wa_share.probe.run import run_scheduled_probe
from wa_share.runtime.entry import build_runtime, lambda_handler
from wa_share.runtime.schedule import parse_schedule
from wa_share.settings import ProbeSettings

# Built once per execution environment (cached).
SETTINGS = ProbeSettings  # the variables it reads (template.yaml gives it exactly these)
runtime = cache(partial(build_runtime, SETTINGS))


@lambda_handler
def handler(event: Any, context: LambdaContext) -> dict[str, Any]:
    settings, sessions = runtime()
    return run_scheduled_probe(parse_schedule(event, function="probe"), settings, sessions).as_dict()
