"""X-Ray tracing of the functions, switched by the stack's Tracing parameter (template.yaml).

Tracing=Active: Powertools' Tracer records each invocation as a `## handler` subsegment (annotated with
ColdStart and Service) and, through botocore patched, every AWS call as a subsegment of its own (STS,
WellArchitected, SQS...). Tracing=Disabled: the template sets POWERTOOLS_TRACE_DISABLED=true and the
handler is returned untouched, so the X-Ray SDK is never imported. Powertools' Tracer imports it even
when disabled, and its recorder costs a cold start about 0.07 x `import boto3` in Lambda (several times
that outside, where it builds two botocore clients for centralized sampling): `python -m bench.coldstart`.

Outside Lambda (tests, `wa-share sandbox`, `sam local`) Powertools turns the Tracer off by itself: no
X-Ray daemon listens there. The handler then runs inside a no-op subsegment, with the same result.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, cast

from aws_lambda_powertools import Tracer
from aws_lambda_powertools.shared.functions import strtobool

SWITCH = "POWERTOOLS_TRACE_DISABLED"
# botocore only: every AWS call goes through it (wa_share/aws/access.py); patching httplib as well would record
# each call twice, once as the AWS operation and once as its HTTP request.
PATCHED_MODULES = ("botocore",)


def tracing_switched_off() -> bool:
    """What POWERTOOLS_TRACE_DISABLED says (unset: not switched off), read as Powertools reads it."""
    value = os.environ.get(SWITCH, "false")
    try:
        return strtobool(value)
    except ValueError:
        raise ValueError(f"environment variable {SWITCH}={value!r} must be true or false") from None


def traced[Handler: Callable[..., Any]](handler: Handler) -> Handler:
    """The Lambda handler, recorded by X-Ray unless tracing is switched off (then the handler itself)."""
    if tracing_switched_off():
        return handler
    # Tracer() imports the X-Ray SDK, whatever it is told (its recorder is built at import): only here.
    tracer = Tracer(patch_modules=PATCHED_MODULES)
    # The response stays out of the trace: results are in the logs and metrics already, and a sweep's
    # result can outgrow X-Ray's 64 KB segment document. Errors are kept (capture_error defaults on).
    return cast("Handler", tracer.capture_lambda_handler(handler, capture_response=False))
