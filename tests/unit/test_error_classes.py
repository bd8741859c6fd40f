"""The one judgement of an AWS failure (wa_share.aws.access.classify): retry it, give up, or count it as done.
botocore's own retries are botocore's; what is judged here is what is left when they are spent."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from wa_share.aws.access import ErrorKind, classify


def _client_error(code: str, status: int = 400) -> ClientError:
    response = {"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError(response, "CreateWorkloadShare")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        ("ThrottlingException", 400, ErrorKind.RETRYABLE),
        ("TooManyRequestsException", 429, ErrorKind.RETRYABLE),
        ("SomethingNew", 429, ErrorKind.RETRYABLE),  # by status when the code is unknown
        ("SomethingNew", 503, ErrorKind.RETRYABLE),
        ("InternalServerException", 500, ErrorKind.RETRYABLE),
        ("ExpiredTokenException", 400, ErrorKind.RETRYABLE),  # a fresh session fixes it
        ("ConflictException", 409, ErrorKind.ALREADY_DONE),
        ("ResourceNotFoundException", 404, ErrorKind.NOT_FOUND),
        ("AWS.SimpleQueueService.NonExistentQueue", 400, ErrorKind.NOT_FOUND),  # SQS, query protocol
        ("QueueDoesNotExist", 400, ErrorKind.NOT_FOUND),  # SQS, JSON protocol
        ("AccessDenied", 403, ErrorKind.PERMANENT),  # SQS's deny
        ("ValidationException", 400, ErrorKind.PERMANENT),
        ("AccessDeniedException", 403, ErrorKind.PERMANENT),  # retrying a deny changes nothing
        ("ServiceQuotaExceededException", 402, ErrorKind.PERMANENT),
        ("SomethingNew", 400, ErrorKind.PERMANENT),
        ("", 0, ErrorKind.PERMANENT),  # a response without a code is not a reason to retry forever
    ],
)
def test_client_errors_are_judged_by_code_then_status(code: str, status: int, kind: ErrorKind) -> None:
    assert classify(_client_error(code, status)) is kind


def test_a_network_failure_is_retryable_and_a_bug_is_not() -> None:
    assert classify(EndpointConnectionError(endpoint_url="https://wellarchitected")) is ErrorKind.RETRYABLE
    assert classify(ReadTimeoutError(endpoint_url="https://wellarchitected")) is ErrorKind.RETRYABLE
    assert classify(ValueError("a bug of ours")) is ErrorKind.PERMANENT
