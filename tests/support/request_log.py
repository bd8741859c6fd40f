"""Record, while a `recording()` block is open, every signed HTTP request (retries included): the access key
ID that signed it (as AWS attributes a call), the service, region and operation, and the API parameters.
It also remembers which access key obtained each session through `sts:AssumeRole`, so a member-role call
can be traced back to the function role that assumed it. It never keeps a secret key or a session token.
The least-privilege and property tests measure with it; nothing that ships does.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from wa_share_sandbox.metering import install_hooks, install_meter

# SigV4: "AWS4-HMAC-SHA256 Credential=<key id>/<date>/<region>/<service>/aws4_request, ..."
_CREDENTIAL_SCOPE = re.compile(r"Credential=(?P<key>[^/]+)/\d{8}/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request")
_PARAMS = "wa_share_request_log.params"
_SIGNED_BY = "wa_share_request_log.signed_by"
ANONYMOUS = "anonymous"


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
    # access key ID of a session -> the sts:AssumeRole parameters that obtained it (a session policy, say)
    session_requests: dict[str, Mapping[str, Any]] = field(default_factory=dict)


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
                recording.session_requests[str(issued["AccessKeyId"])] = dict(context.get(_PARAMS, {}))


REQUESTS = RequestLog()


def install_request_log() -> RequestLog:
    """Install the request log's hooks (idempotent), and the call meter with them."""
    install_meter()
    install_hooks(
        (
            ("before-parameter-build", REQUESTS.remember_parameters),
            # The generic event runs after the service-specific `request-created.<service>` one, which signs.
            ("request-created", REQUESTS.record_request),
            ("after-call.sts.AssumeRole", REQUESTS.record_issued_session),
        )
    )
    return REQUESTS
