"""How Lambda enters every function: traced (when Tracing=Active), its log lines carrying the invocation's
context (state cleared each time), its metrics flushed as one EMF document per invocation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from wa_share.observability import logger, metrics
from wa_share.runtime.tracing import traced


def lambda_handler[Handler: Callable[..., Any]](handler: Handler) -> Handler:
    """The entry module's handler, wrapped the one way all four functions are."""
    with_metrics = metrics.log_metrics(handler)
    with_context = logger.inject_lambda_context(with_metrics, clear_state=True)
    return traced(cast("Handler", with_context))
