"""Count every AWS API call made through botocore in this process (`METER`, by service and operation).

The hook is a botocore built-in handler, so it reaches every session created after `install_meter()`,
including the ones the functions build for assumed roles. Retries are not counted twice: `before-call`
fires once per API call, before botocore's retry loop. (The tests' request log, which records who signed
each request, builds on `install_hooks`: tests/support/request_log.py.)
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import botocore.handlers


class CallMeter:
    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, model: Any, **_: Any) -> None:
        name = f"{model.service_model.service_name}:{model.name}"
        with self._lock:
            self._counts[name] += 1

    def snapshot(self) -> Counter[str]:
        with self._lock:
            return Counter(self._counts)

    def reset(self) -> Counter[str]:
        with self._lock:
            counts, self._counts = self._counts, Counter()
        return counts


METER = CallMeter()


def install_hooks(hooks: tuple[tuple[str, Any], ...]) -> None:
    """Add botocore built-in handlers (idempotent): every session created from now on runs them."""
    for event, hook in hooks:
        if not any(entry[0] == event and entry[1] == hook for entry in botocore.handlers.BUILTIN_HANDLERS):
            botocore.handlers.BUILTIN_HANDLERS.append((event, hook))


def install_meter() -> CallMeter:
    """Count calls from now on (sessions created after this)."""
    install_hooks((("before-call", METER),))
    return METER
