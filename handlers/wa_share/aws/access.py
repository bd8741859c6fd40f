"""All AWS access: one client configuration, member-role sessions, and error classification.

Every boto call the package makes goes through a client built here. Member credentials live only inside
botocore's refreshable credentials: they are never returned, logged or put into messages, and botocore
refreshes them (re-assuming the role) before they expire, so no call ever uses expired credentials.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, cast

import botocore.session
from botocore.config import Config
from botocore.credentials import CredentialProvider, RefreshableCredentials
from botocore.exceptions import ClientError, ConnectionError, HTTPClientError, PaginationError

from wa_share.aws.session_policy import SessionScope

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_organizations import OrganizationsClient
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_ssm import SSMClient
    from mypy_boto3_sts import STSClient
    from mypy_boto3_sts.type_defs import AssumeRoleRequestTypeDef
    from mypy_boto3_wellarchitected import WellArchitectedClient

BOTO_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 5},
    # An AWS control-plane call answers in well under a second; these bounds make the share function's
    # worst case fit its timeout (runtime/deadline.py): 6 attempts x (3 + 20 s) + 31 s of backoff = 169 s a call.
    connect_timeout=3,
    read_timeout=20,
    max_pool_connections=20,
    user_agent_extra="wa-share",
)
# The share function's: its queue retries a throttled or failed event later (wa_share/realtime/queue.py), so
# botocore does not retry: a retry in process would hold a slot of the bounded function through backoffs
# while other accounts' events wait. Every other bound holds; the budget's worst case only shrinks.
QUEUED_CONFIG = BOTO_CONFIG.merge(Config(retries={"mode": "standard", "max_attempts": 0}))
# Role chaining (Lambda credentials assuming a role) caps sessions at one hour.
ROLE_SESSION_SECONDS = 3600
ROLE_SESSION_NAME = "wa-share"
MAX_CACHED_ACCOUNTS = 512


class ErrorKind(StrEnum):
    RETRYABLE = "retryable"
    PERMANENT = "permanent"
    ALREADY_DONE = "already_done"
    NOT_FOUND = "not_found"


# Throttles are retryable, and told apart: the share queue defers a throttled event instead of failing it.
THROTTLE_CODES = frozenset(
    {"ThrottlingException", "Throttling", "ThrottledException", "TooManyRequestsException", "RequestLimitExceeded"}
)
_RETRYABLE_CODES = THROTTLE_CODES | frozenset(
    {
        "SlowDown",
        "InternalServerException",
        "InternalFailure",
        "InternalError",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "RequestTimeout",
        "RequestTimeoutException",
        "ExpiredToken",
        "ExpiredTokenException",
        "RequestExpired",
        "IDPCommunicationError",
        "PriorRequestNotComplete",
    }
)
_ALREADY_DONE_CODES = frozenset({"ConflictException"})
# SQS answers a missing queue with its query-protocol code, or the JSON protocol's.
_NOT_FOUND_CODES = frozenset(
    {"ResourceNotFoundException", "NoSuchEntity", "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"}
)
EXPIRED_TOKEN_CODES = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired"})
# An explicit deny (an SCP denying a region, a permission boundary) looks the same from the caller's side.
ACCESS_DENIED_CODES = frozenset({"AccessDeniedException", "AccessDenied", "UnauthorizedOperation"})


def classify(error: BaseException) -> ErrorKind:
    """The one place where an AWS failure is judged: retry it, give up, or treat it as done."""
    if isinstance(error, ConnectionError | HTTPClientError):
        return ErrorKind.RETRYABLE
    if not isinstance(error, ClientError):
        return ErrorKind.PERMANENT
    code = error.response.get("Error", {}).get("Code", "")
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    if code in _RETRYABLE_CODES or status >= 500 or status == 429:  # noqa: PLR2004
        return ErrorKind.RETRYABLE
    if code in _ALREADY_DONE_CODES:
        return ErrorKind.ALREADY_DONE
    if code in _NOT_FOUND_CODES:
        return ErrorKind.NOT_FOUND
    return ErrorKind.PERMANENT


class AwsError(Exception):
    """An AWS call that failed, classified once, naming the call and the resource."""

    def __init__(self, *, kind: ErrorKind, code: str, operation: str, resource: str, message: str) -> None:
        super().__init__(f"{operation} on {resource} failed: {code}: {message}")
        self.kind = kind
        self.code = code
        self.operation = operation
        self.resource = resource
        self.message = message

    @property
    def retryable(self) -> bool:
        return self.kind is ErrorKind.RETRYABLE

    @property
    def access_denied(self) -> bool:
        return self.code in ACCESS_DENIED_CODES

    @property
    def expired(self) -> bool:
        return is_expired(self.code)

    @property
    def throttled(self) -> bool:
        return self.code in THROTTLE_CODES


def is_expired(code: str) -> bool:
    """AWS rejected the credentials as expired: our clock and AWS's disagree, or the session was revoked
    (botocore renews them ahead of their expiry otherwise). `Sessions.renew` and `drop_if_expired` answer it."""
    return code in EXPIRED_TOKEN_CODES


class ThrottledBeforeChange(AwsError):
    """A throttle met before the caller may have changed anything: trying again is trying for the first time
    (the share queue's copy of the event keeps the one-call path)."""

    @classmethod
    def of(cls, error: AwsError) -> ThrottledBeforeChange:
        return cls(
            kind=error.kind, code=error.code, operation=error.operation, resource=error.resource, message=error.message
        )


class MemberRoleUnavailable(AwsError):
    """The member role cannot be assumed: a deployment fault in that account, not a transient one."""


@contextmanager
def aws_call(operation: str, resource: str) -> Iterator[None]:
    """Turn any botocore failure inside the block into a classified AwsError (a paginator's too)."""
    try:
        yield
    except (ClientError, ConnectionError, HTTPClientError, PaginationError) as error:
        raise _as_aws_error(error, operation, resource) from error


def _as_aws_error(error: Exception, operation: str, resource: str) -> AwsError:
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        code, message = details.get("Code", "Unknown"), details.get("Message", "")
    else:
        code, message = type(error).__name__, str(error)
    return AwsError(kind=classify(error), code=code, operation=operation, resource=resource, message=message)


def partition_of(region: str) -> str:
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("cn-"):
        return "aws-cn"
    return "aws"


class _FixedProvider(CredentialProvider):
    """Hands botocore the refreshable credentials of one assumed role."""

    METHOD = "wa-share-assume-role"
    CANONICAL_NAME = "wa-share-assume-role"

    def __init__(self, credentials: RefreshableCredentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> RefreshableCredentials:
        return self._credentials


class AccountSession:
    """Clients for one account, in any region, from one botocore session (models load once per process)."""

    def __init__(self, account_id: str, session: botocore.session.Session, config: Config = BOTO_CONFIG) -> None:
        self.account_id = account_id
        self._session = session
        self._config = config
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:  # never show anything but the account
        return f"AccountSession(account_id={self.account_id!r})"

    def client(self, service: str, region: str) -> Any:
        key = (service, region)
        with self._lock:  # botocore sessions are not safe for concurrent client creation
            if key not in self._clients:
                self._clients[key] = self._session.create_client(service, region_name=region, config=self._config)
            return self._clients[key]

    def wellarchitected(self, region: str) -> WellArchitectedClient:
        return cast("WellArchitectedClient", self.client("wellarchitected", region))

    def ec2(self, region: str) -> EC2Client:
        return cast("EC2Client", self.client("ec2", region))

    def sqs(self, region: str) -> SQSClient:
        return cast("SQSClient", self.client("sqs", region))

    def ssm(self, region: str) -> SSMClient:
        return cast("SSMClient", self.client("ssm", region))

    def organizations(self, region: str) -> OrganizationsClient:
        return cast("OrganizationsClient", self.client("organizations", region))

    def sts(self, region: str) -> STSClient:
        return cast("STSClient", self.client("sts", region))

    def sns(self, region: str) -> SNSClient:
        return cast("SNSClient", self.client("sns", region))

    def events(self, region: str) -> EventBridgeClient:
        return cast("EventBridgeClient", self.client("events", region))


class Sessions:
    """The function's own session, and one cached session per member account (assumed once, then reused).

    `central` is the caller's own identity (the Lambda role, or an operator's profile). Member sessions
    are assumed from it; an LRU bound keeps a long-lived worker's memory flat across thousands of accounts.
    """

    def __init__(
        self,
        *,
        member_role_name: str | None,
        home_region: str,
        central: botocore.session.Session | None = None,
        session_name: str = ROLE_SESSION_NAME,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        config: Config = BOTO_CONFIG,
    ) -> None:
        self.member_role_name = member_role_name
        self.home_region = home_region
        self._base = central or botocore.session.Session()
        self._loader = self._base.get_component("data_loader")
        self._session_name = session_name
        self._clock = clock  # botocore refreshes the credentials by this clock, ahead of their expiry
        self._config = config
        self.central = AccountSession("self", self._base, config)
        self._members: OrderedDict[tuple[str, str, str], AccountSession] = OrderedDict()
        self._lock = threading.Lock()
        self._renewing = threading.Lock()

    def role_arn(self, account_id: str, role_name: str | None = None) -> str:
        name = self._role(role_name)
        return f"arn:{partition_of(self.home_region)}:iam::{account_id}:role/{name}"

    def member(
        self, account_id: str, role_name: str | None = None, *, scope: SessionScope | None = None
    ) -> AccountSession:
        """The account's session as `role_name` (the member role by default), assumed on first use; with a
        `scope`, a session of its own limited by that session policy.

        Raises MemberRoleUnavailable when the role cannot be assumed.
        """
        key = (account_id, self._role(role_name), scope.name if scope else "")
        with self._lock:
            cached = self._members.get(key)
            if cached is not None:
                self._members.move_to_end(key)
                return cached
        session = self._assume(account_id, self.role_arn(account_id, role_name), scope)
        with self._lock:
            self._members[key] = session
            while len(self._members) > MAX_CACHED_ACCOUNTS:
                self._members.popitem(last=False)
        return session

    def _role(self, role_name: str | None) -> str:
        name = role_name or self.member_role_name
        if name is None:  # a function without member accounts to act in (the probe) was given none
            raise ValueError("no member role name: this function does not act in member accounts")
        return name

    def forget(self, account_id: str) -> None:
        """Drop the account's sessions: the next use assumes afresh."""
        with self._lock:
            for key in [key for key in self._members if key[0] == account_id]:
                del self._members[key]

    def drop_if_expired(self, account_id: str, error: AwsError) -> None:
        """After a failure that ends the invocation: a session AWS rejected as expired is dropped, so the retry
        assumes the role afresh."""
        if error.expired:
            self.forget(account_id)

    def renew(self, account_id: str, expired: AccountSession) -> AccountSession:
        """The account's member session after AWS rejected `expired`, to go on with: assumed again once, however
        many threads that shared it ask (the others get the new one)."""
        with self._renewing:
            if self.member(account_id) is expired:
                self.forget(account_id)
            return self.member(account_id)

    def _assume(self, account_id: str, role_arn: str, scope: SessionScope | None) -> AccountSession:
        refresh = self._refresher(account_id, role_arn, scope)
        first = refresh()
        credentials = RefreshableCredentials(
            access_key=first["access_key"],
            secret_key=first["secret_key"],
            token=first["token"],
            expiry_time=datetime.fromisoformat(first["expiry_time"]),
            refresh_using=refresh,
            method=_FixedProvider.METHOD,
            time_fetcher=self._clock,
        )
        session = botocore.session.Session()
        session.register_component("data_loader", self._loader)
        session.get_component("credential_provider").insert_before("env", _FixedProvider(credentials))
        return AccountSession(account_id, session, self._config)

    def _refresher(self, account_id: str, role_arn: str, scope: SessionScope | None) -> Callable[[], dict[str, str]]:
        sts = self.central.sts(self.home_region)
        request: AssumeRoleRequestTypeDef = {
            "RoleArn": role_arn,
            "RoleSessionName": self._session_name,
            "DurationSeconds": ROLE_SESSION_SECONDS,
        }
        if scope is not None:  # the session may do what the role and the scope's session policy both allow
            request["Policy"] = scope.policy()

        def refresh() -> dict[str, str]:
            try:
                with aws_call("sts:AssumeRole", role_arn):
                    response = sts.assume_role(**request)
            except AwsError as error:
                if error.retryable:
                    raise
                raise MemberRoleUnavailable(
                    kind=ErrorKind.PERMANENT,
                    code=error.code,
                    operation="sts:AssumeRole",
                    resource=f"role {role_arn} in account {account_id}",
                    message="the role is missing or does not trust this function's role",
                ) from error
            issued = response["Credentials"]
            return {
                "access_key": issued["AccessKeyId"],
                "secret_key": issued["SecretAccessKey"],
                "token": issued["SessionToken"],
                "expiry_time": issued["Expiration"].isoformat(),
            }

        return refresh
