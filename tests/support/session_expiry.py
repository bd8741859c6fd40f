"""Sessions that AWS stops accepting, for the simulator.

moto accepts an issued session's credentials forever. After `install()`, `expire(access_key_id)` makes
every later request signed with that key fail as AWS fails a request whose session has expired:
`ExpiredTokenException`, HTTP 400, before the operation runs, whatever the service. This rehearses a
session that ends in the middle of a sweep: the code must assume the role afresh, not give up.
State is module-level: `reset()` between runs.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from moto.core.common_types import TYPE_RESPONSE
from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, BaseResponse

_EXPIRED: set[str] = set()
_REJECTED: Counter[str] = Counter()  # requests turned away, by access key ID
_LOCK = threading.Lock()
_ORIGINAL: dict[str, Callable[..., TYPE_RESPONSE]] = {}


class ExpiredTokenException(ServiceException):
    code = "ExpiredTokenException"
    message = "The security token included in the request is expired"


def expire(access_key_id: str) -> None:
    with _LOCK:
        _EXPIRED.add(access_key_id)


def is_expired(access_key_id: str) -> bool:
    with _LOCK:
        return access_key_id in _EXPIRED


def rejected() -> int:
    """How many requests were turned away since the last reset."""
    with _LOCK:
        return sum(_REJECTED.values())


def reset() -> None:
    with _LOCK:
        _EXPIRED.clear()
        _REJECTED.clear()


def install() -> None:
    """Patch moto's request handling (idempotent)."""
    if "call_action" in _ORIGINAL:
        return
    _ORIGINAL["call_action"] = BaseResponse.call_action

    def call_action(self: BaseResponse) -> TYPE_RESPONSE:
        key = self.get_access_key()
        if is_expired(key):
            with _LOCK:
                _REJECTED[key] += 1
            status, headers, body = self.serialized(ActionResult(ExpiredTokenException(ExpiredTokenException.message)))
            return status, headers, body
        return _ORIGINAL["call_action"](self)

    BaseResponse.call_action = call_action  # type: ignore[method-assign]


def uninstall() -> None:
    original: Any = _ORIGINAL.pop("call_action", None)
    if original is not None:
        BaseResponse.call_action = original  # type: ignore[method-assign]
