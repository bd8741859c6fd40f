"""wa_share.runtime.tracing without AWS: POWERTOOLS_TRACE_DISABLED decides, read as Powertools reads it; off, the
handler is the function itself and the X-Ray SDK stays unloaded; on outside Lambda, Powertools turns the
Tracer off and the handler returns and raises exactly as before."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import aws_xray_sdk
import pytest

from wa_share.runtime.tracing import SWITCH, traced, tracing_switched_off
from wa_share_cli.cfn_templates import repo_root

ENTRY_MODULES = ("share_function", "sweep_planner", "sweep_worker", "probe_function")


def handler(event: Any, context: Any) -> Any:
    if isinstance(event, Exception):
        raise event
    return event


@pytest.mark.parametrize("value", ["true", "TRUE", "1", "yes", "on"])
def test_switched_off_the_handler_is_the_function_itself(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(SWITCH, value)
    assert tracing_switched_off()
    assert traced(handler) is handler


@pytest.mark.parametrize("value", ["maybe", "", "disabled", "Active"])
def test_a_bad_switch_is_an_error_naming_the_variable(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(SWITCH, value)
    with pytest.raises(ValueError, match=f"environment variable {SWITCH}={value!r} must be true or false"):
        traced(handler)


@pytest.mark.parametrize("value", [None, "false", "0"])
def test_outside_lambda_a_traced_handler_returns_and_raises_as_untraced(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    monkeypatch.delenv("LAMBDA_TASK_ROOT", raising=False)  # where Powertools turns the Tracer off itself
    if value is None:
        monkeypatch.delenv(SWITCH, raising=False)
    else:
        monkeypatch.setenv(SWITCH, value)
    wrapped = traced(handler)
    assert wrapped is not handler
    assert not aws_xray_sdk.global_sdk_config.sdk_enabled()  # Powertools turned the SDK off: no daemon here
    assert wrapped.__name__ == handler.__name__
    result = {"status": "done", "results": [1, 2]}
    assert wrapped(result, None) is result
    failure = RuntimeError("the AWS call failed")
    with pytest.raises(RuntimeError) as raised:
        wrapped(failure, None)
    assert raised.value is failure


@pytest.mark.parametrize(("switch", "loaded"), [("true", False), ("false", True)])
def test_the_x_ray_sdk_is_loaded_only_when_tracing_may_be_on(switch: str, loaded: bool) -> None:
    """In a fresh interpreter, as Lambda imports a function with Tracing=Disabled (switch true) or Active."""
    root = repo_root()
    probe = f"import sys, {', '.join(ENTRY_MODULES)}; print('aws_xray_sdk' in sys.modules)"
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": os.pathsep.join(str(root / part) for part in ("handlers", "cli")),
        "LAMBDA_TASK_ROOT": str(root / "handlers"),
        SWITCH: switch,
    }
    done = subprocess.run(  # noqa: S603 - this interpreter, our own modules
        [sys.executable, "-c", probe], env=environment, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(loaded)
