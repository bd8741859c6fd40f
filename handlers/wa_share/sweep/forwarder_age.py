"""Whether a share the sweep had to create was a miss of the real-time path, or a backfill.

The real-time path covers an account and region from the moment its forwarder exists. A workload created
before that (the installation's backfill, an account that just joined the organization) was never the
real-time path's to share: the sweep shares it and reports it as `SharedBeforeForwarder`, not alarmed. Only
a workload that may have been created after the forwarder counts as `MissedByRealtime`.

When the forwarder came to exist: the creation time of its dead-letter queue (forwarder.yaml creates it in
the same stack as the rule, seconds before it, under every deployment path, with a fixed name), read through
the member role with the `sqs:GetQueueAttributes` grant it already holds for doctor. One call per account and
region, made only where the sweep created a share: none in a healthy night.

When the workload came to exist: WA publishes no creation time, but its `UpdatedAt` is never earlier. So a
workload last updated before the forwarder existed was certainly created before it; any other counts as
missed (an old workload edited since is counted as missed: the error goes the way that alarms, never the
way that hides a miss). So does every workload where the queue cannot be read or does not exist: no
proof of a forwarder, no excuse.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from wa_share.aws.access import AwsError
from wa_share.aws.sqs import queue_attributes
from wa_share.aws.wellarchitected import Workload
from wa_share.observability import logger
from wa_share.sweep.forwarder_dead_letters import forwarder_dead_letter_queue_url

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


@dataclass(frozen=True)
class CreatedShares:
    """Shares the sweep created from nothing in one region, split by what the real-time path could do."""

    missed_by_realtime: int = 0
    before_forwarder: int = 0


def forwarder_created_at(sqs: SQSClient, account_id: str, region: str) -> datetime | None:
    """When the forwarder of this account and region came to exist; None when that cannot be shown."""
    url = forwarder_dead_letter_queue_url(account_id, region)
    try:
        attributes = queue_attributes(sqs, url, ["CreatedTimestamp"])
        # Whole epoch seconds (moto adds a fraction, dropped here as AWS sends none): truncating makes the
        # forwarder look older, which errs towards counting a miss.
        return datetime.fromtimestamp(int(float(attributes["CreatedTimestamp"])), UTC)
    except (AwsError, KeyError, ValueError) as error:
        logger.warning(
            "forwarder creation time unknown: the sweep's new shares there count as missed by the real-time path",
            extra={"region": region, "error": str(error)},
        )
        return None


def split_created(created: Sequence[tuple[Workload, int]], forwarder_since: datetime | None) -> CreatedShares:
    """`created`: each workload with the number of shares the sweep created for it."""
    before = sum(shares for workload, shares in created if _before(workload, forwarder_since))
    return CreatedShares(sum(shares for _, shares in created) - before, before)


def _before(workload: Workload, forwarder_since: datetime | None) -> bool:
    return forwarder_since is not None and workload.updated_at is not None and workload.updated_at < forwarder_since
