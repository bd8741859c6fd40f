"""AccessDenied as each service answers it: its error code, HTTP status and wire format (JSON, query XML,
EC2 XML), so botocore raises the ClientError a real account's caller would catch."""

from __future__ import annotations

import json
import uuid
from typing import Any
from xml.sax.saxutils import escape

# IAM prefix -> (error code, HTTP status), as each service reports a call its caller may not make.
DENIAL_OF_SERVICE: dict[str, tuple[str, int]] = {
    "wellarchitected": ("AccessDeniedException", 403),
    "sts": ("AccessDenied", 403),
    "iam": ("AccessDenied", 403),
    "sqs": ("AccessDenied", 403),
    "sns": ("AuthorizationError", 403),
    "ec2": ("UnauthorizedOperation", 403),
    "cloudwatch": ("AccessDenied", 403),
    "cloudformation": ("AccessDenied", 403),
    "events": ("AccessDeniedException", 400),
    "organizations": ("AccessDeniedException", 400),
    "ssm": ("AccessDeniedException", 400),
    "cloudtrail": ("AccessDeniedException", 400),
    "logs": ("AccessDeniedException", 400),
}


def denial_message(caller_arn: str, action: str, resource: str, reason: str) -> str:
    """AWS's shape: "User: <session ARN> is not authorized to perform: <action> on resource: <ARN> <reason>"."""
    return f"User: {caller_arn} is not authorized to perform: {action} on resource: {resource} {reason}"


def denial_response(prefix: str, protocol: str, message: str, *, query_compatible: bool) -> tuple[int, Any, str]:
    """(status, headers, body) of the service's access-denied error in the request's protocol."""
    code, status = DENIAL_OF_SERVICE.get(prefix, ("AccessDenied", 403))
    request_id = str(uuid.uuid4())
    headers: dict[str, Any] = {"status": status, "x-amzn-RequestId": request_id}
    if protocol in {"json", "rest-json"}:
        headers |= {"x-amzn-ErrorType": code, "Content-Type": "application/x-amz-json-1.0"}
        if query_compatible:
            headers["x-amzn-query-error"] = f"{code};Sender"
        return status, headers, json.dumps({"__type": code, "code": code, "message": message})
    headers["Content-Type"] = "text/xml"
    error = f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
    if protocol == "ec2":
        body = f"<Response><Errors><Error>{error}</Error></Errors><RequestID>{request_id}</RequestID></Response>"
        return status, headers, body
    error = f"<Type>Sender</Type>{error}"
    return status, headers, f"<ErrorResponse><Error>{error}</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
