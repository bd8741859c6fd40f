"""Count every AWS API call made through botocore in this process, and record who signed each request.

The hooks are botocore built-in handlers, so they reach every session created after `install_meter()`,
including the ones the functions build for assumed roles.

- `METER` counts calls by service and operation. Retries are not counted twice: `before-call` fires once
  per API call, before botocore's retry loop.
- `REQUESTS` records, while a `recording()` block is open, every signed HTTP request (retries included):
  the access key ID that signed it (as AWS attributes a call), the service, region and operation, and the
  API parameters. It also remembers which access key obtained each session through `sts:AssumeRole`, so a
  member-role call can be traced back to the function role that assumed it. It never keeps a secret key
  or a session token.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import botocore.handlers

# SigV4: "AWS4-HMAC-SHA256 Credential=<key id>/<date>/<region>/<service>/aws4_request, ..."
_CREDENTIAL_SCOPE = re.compile(r"Credential=(?P<key>[^/]+)/\d{8}/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request")
_PARAMS = "wa_share_metering.params"
_SIGNED_BY = "wa_share_metering.signed_by"
ANONYMOUS = "anonymous"


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


@dataclass(frozen=True)
class SignedRequest:
    """One HTTP request as AWS sees it: the access key that signed it, and what it asked for."""

    access_key_id: str  # ANONYMOUS for an unsigned request
    service: str  # the SigV4 signing name, which is the IAM prefix for nearly every service
    region: str
    operation: str
    params: Mapping[str, Any] = field(repr=False)


@dataclass
class Recording:
    requests: list[SignedRequest] = field(default_factory=list)
    # access key ID of a session -> access key ID of the caller whose sts:AssumeRole obtained it
    issuers: dict[str, str] = field(default_factory=dict)


class RequestLog:
    """Signed requests and session issuers, kept only inside `recording()` blocks (free otherwise)."""

    def __init__(self) -> None:
        self._active: list[Recording] = []
        self._lock = threading.Lock()

    @contextmanager
    def recording(self) -> Iterator[Recording]:
        recording = Recording()
        with self._lock:
            self._active.append(recording)
        try:
            yield recording
        finally:
            with self._lock:
                self._active.remove(recording)

    def remember_parameters(self, params: Mapping[str, Any], context: dict[str, Any], **_: Any) -> None:
        if self._active:
            context[_PARAMS] = dict(params)

    def record_request(self, request: Any, operation_name: str, **_: Any) -> None:
        if not self._active:
            return
        scope = _CREDENTIAL_SCOPE.search(str(request.headers.get("Authorization", "")))
        key, region, service = (scope["key"], scope["region"], scope["service"]) if scope else (ANONYMOUS, "", "")
        request.context[_SIGNED_BY] = key
        signed = SignedRequest(key, service, region, operation_name, request.context.get(_PARAMS, {}))
        with self._lock:
            for recording in self._active:
                recording.requests.append(signed)

    def record_issued_session(self, parsed: Mapping[str, Any], context: Mapping[str, Any], **_: Any) -> None:
        issued = (parsed or {}).get("Credentials") or {}
        if not self._active or "AccessKeyId" not in issued or _SIGNED_BY not in context:
            return
        with self._lock:
            for recording in self._active:
                recording.issuers[str(issued["AccessKeyId"])] = str(context[_SIGNED_BY])


METER = CallMeter()
REQUESTS = RequestLog()
_HOOKS = (
    ("before-call", METER),
    ("before-parameter-build", REQUESTS.remember_parameters),
    # The generic event runs after the service-specific `request-created.<service>` one, which signs.
    ("request-created", REQUESTS.record_request),
    ("after-call.sts.AssumeRole", REQUESTS.record_issued_session),
)


def install_meter() -> CallMeter:
    """Install both hooks (idempotent); sessions created from now on are metered."""
    for event, hook in _HOOKS:
        if not any(entry[0] == event and entry[1] == hook for entry in botocore.handlers.BUILTIN_HANDLERS):
            botocore.handlers.BUILTIN_HANDLERS.append((event, hook))
    return METER


def install_request_log() -> RequestLog:
    install_meter()
    return REQUESTS
