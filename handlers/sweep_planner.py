"""Sweep planner: on its schedule, enqueue one work item per active account of the organization."""

from __future__ import annotations

from functools import cache, partial
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from wa_share.runtime.entry import build_runtime, lambda_handler
from wa_share.settings import PlannerSettings
from wa_share.sweep.planner import run_planner

# Built once per execution environment (cached), so warm invocations reuse the member sessions.
SETTINGS = PlannerSettings  # the variables it reads (template.yaml gives it exactly these)
runtime = cache(partial(build_runtime, SETTINGS))


@lambda_handler
def handler(event: Any, context: LambdaContext) -> dict[str, Any]:
    settings, sessions = runtime()
    return run_planner(event, settings, sessions)
