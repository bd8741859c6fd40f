"""How Lambda enters every function: traced (when Tracing=Active), its log lines carrying the invocation's
context (state cleared each time), its metrics flushed as one EMF document per invocation; and what every
function builds once per execution environment: its settings from env, and the sessions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from wa_share.aws.access import BOTO_CONFIG, Sessions
from wa_share.observability import logger, metrics
from wa_share.runtime.tracing import traced
from wa_share.settings import FunctionSettings, MemberSettings

if TYPE_CHECKING:
    from botocore.config import Config


def build_runtime[S: FunctionSettings](model: type[S], config: Config = BOTO_CONFIG) -> tuple[S, Sessions]:
    """The function's settings (`model`, read from os.environ) and its sessions; a function whose settings
    name no member role (the probe) gets sessions that cannot assume one."""
    settings = model.from_env()
    role = settings.member_role_name if isinstance(settings, MemberSettings) else None
    return settings, Sessions(member_role_name=role, home_region=settings.home_region, config=config)


def lambda_handler[Handler: Callable[..., Any]](handler: Handler) -> Handler:
    """The entry module's handler, wrapped the one way all four functions are."""
    with_metrics = metrics.log_metrics(handler)
    with_context = logger.inject_lambda_context(with_metrics, clear_state=True)
    return traced(cast("Handler", with_context))
