"""Events the member forwarders could not deliver to the central bus, seen centrally by the nightly sweep.

forwarder.yaml gives every account and region a dead-letter queue with a fixed name, where EventBridge puts
what it gave up delivering (at once on a permanent refusal: the forwarding role, the bus policy). An alarm
there would cost $0.10 a month in every account and region and be watched by no one; instead the sweep
worker reads each queue's depth through the member role (roles.yaml grants sqs:GetQueueAttributes on that
queue name only) and emits one metric for the whole organization, without a per-account dimension (each
dimension value is a custom metric of its own, billed like one). The log lines name account and region;
`wa-share doctor` reads the same queues and prints the fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from typing import TYPE_CHECKING

from wa_share.aws.access import AccountSession, AwsError, ErrorKind, Sessions, partition_of
from wa_share.aws.sqs import queue_attributes
from wa_share.observability import Metric, count, logger

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

# forwarder.yaml's QueueName and roles.yaml's grant name it too (tests/templates keep the three equal).
FORWARDER_DEAD_LETTER_QUEUE = "wa-share-forward-dead-letters"
FOUND_LOG = "forwarder dead letters found"
MISSING_LOG = "forwarder dead-letter queue missing"
UNREADABLE_LOG = "forwarder dead-letter queue unreadable"
_DEPTH_ATTRIBUTES = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible")
_DOMAIN_OF_PARTITION = {"aws-cn": "amazonaws.com.cn"}


class QueueState(StrEnum):
    READ = "read"
    MISSING = "missing"  # no forwarder stack in that region: not an error of the queue, reported
    UNREADABLE = "unreadable"  # denied (a member role older than the grant) or failing: reported with the fix


@dataclass(frozen=True)
class ForwarderQueue:
    """One account and region's forwarder dead-letter queue, as the sweep found it."""

    account_id: str
    region: str
    state: QueueState
    messages: int = 0  # visible and in flight: an operator reading them holds them in flight
    error_code: str = ""
    error: str = ""
    denied: bool = False


def forwarder_dead_letter_queue_url(account_id: str, region: str) -> str:
    """The queue's URL, built from its fixed name: no sqs:GetQueueUrl needed (the member role has none)."""
    domain = _DOMAIN_OF_PARTITION.get(partition_of(region), "amazonaws.com")
    return f"https://sqs.{region}.{domain}/{account_id}/{FORWARDER_DEAD_LETTER_QUEUE}"


def read_forwarder_queue(sqs: SQSClient, account_id: str, region: str) -> ForwarderQueue:
    url = forwarder_dead_letter_queue_url(account_id, region)
    try:
        attributes = queue_attributes(sqs, url, _DEPTH_ATTRIBUTES)
    except AwsError as error:
        state = QueueState.MISSING if error.kind is ErrorKind.NOT_FOUND else QueueState.UNREADABLE
        return ForwarderQueue(
            account_id, region, state, error_code=error.code, error=str(error), denied=error.access_denied
        )
    messages = sum(int(attributes.get(name, 0)) for name in _DEPTH_ATTRIBUTES)
    return ForwarderQueue(account_id, region, QueueState.READ, messages)


def check_forwarder_queues(
    sessions: Sessions, account_id: str, regions: Sequence[str], *, concurrency: int, dry_run: bool
) -> dict[str, object]:
    """Read the account's queues in `regions` and report them; the summary line's fields."""
    try:
        session = sessions.member(account_id)  # the sweep's own session, cached
    except AwsError as error:  # the role went away since the sweep assumed it: tonight's read is lost
        logger.error(UNREADABLE_LOG, extra={"account_id": account_id, "error_code": error.code, "error": str(error)})
        return {"forwarder_unread_regions": list(regions)}
    queues = read_forwarder_queues(session, regions, concurrency=concurrency)
    return report_forwarder_queues(queues, emit_metric=not dry_run)


def read_forwarder_queues(session: AccountSession, regions: Sequence[str], *, concurrency: int) -> list[ForwarderQueue]:
    """Every region's queue, a few at a time (one call each): the sweep's time per account barely grows."""
    read = partial(_read_in_region, session)
    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(regions))), thread_name_prefix="dlq") as pool:
        return list(pool.map(read, regions))


def _read_in_region(session: AccountSession, region: str) -> ForwarderQueue:
    return read_forwarder_queue(session.sqs(region), session.account_id, region)


def report_forwarder_queues(queues: Sequence[ForwarderQueue], *, emit_metric: bool) -> dict[str, object]:
    """One log line per queue that needs a look, the metric (unless a dry run), and the summary's fields."""
    for queue in queues:
        _log(queue)
    read = [queue for queue in queues if queue.state is QueueState.READ]
    total = sum(queue.messages for queue in read)
    if emit_metric and read:
        # One datapoint per account (its regions' total); the alarm takes the Maximum, which a message
        # retried or an account continued in a second part cannot inflate.
        count(Metric.FORWARDER_DEAD_LETTERS, total)
    return {
        "forwarder_dead_letters": total,
        "forwarder_dead_letter_regions": [queue.region for queue in read if queue.messages],
        "forwarder_missing_regions": [queue.region for queue in queues if queue.state is QueueState.MISSING],
        "forwarder_unread_regions": [queue.region for queue in queues if queue.state is QueueState.UNREADABLE],
    }


def _log(queue: ForwarderQueue) -> None:
    where = {"account_id": queue.account_id, "region": queue.region}
    if queue.state is QueueState.READ and queue.messages:
        fix = f"wa-share doctor --account {queue.account_id}"
        logger.warning(FOUND_LOG, extra=where | {"messages": queue.messages, "fix": fix})
    elif queue.state is QueueState.MISSING:
        fix = f"deploy member_stackset/forwarder.yaml in {queue.region} of {queue.account_id} (the forwarder StackSet)"
        logger.warning(MISSING_LOG, extra=where | {"reason": "no forwarder deployed there", "fix": fix})
    elif queue.state is QueueState.UNREADABLE:
        fix = "update the member roles (member_stackset/roles.yaml): it grants the read" if queue.denied else ""
        logger.error(UNREADABLE_LOG, extra=where | {"error_code": queue.error_code, "error": queue.error, "fix": fix})
