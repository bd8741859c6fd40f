"""What a share queue record says of its event's history: how many receives it had, and whether the one-call
path may still be taken (`untouched_since`). Whatever cannot be read is trusted with nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from wa_share.realtime.queue import EARLIER_RECEIVES, UNTOUCHED_HORIZON_MS, UNTOUCHED_SINCE, QueuedEvent

FIRST = datetime(2026, 12, 5, 3, 0, 0, tzinfo=UTC)
FIRST_MS = str(round(FIRST.timestamp() * 1000))
LATER_MS = str(round(FIRST.timestamp() * 1000) + 90_000)


def _record(receive_count: int, carried: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "messageId": "m",
        "receiptHandle": "r",
        "body": "{}",
        "attributes": {"ApproximateReceiveCount": str(receive_count), "ApproximateFirstReceiveTimestamp": LATER_MS},
        "messageAttributes": {
            name: {"stringValue": value, "dataType": "Number"} for name, value in (carried or {}).items()
        },
    }


@pytest.mark.parametrize(
    ("receive_count", "carried", "receives", "untouched_since"),
    [
        (1, None, 1, datetime.fromtimestamp(int(LATER_MS) / 1000, UTC)),  # from the bus: its first receive
        (2, None, 2, None),  # received before: that receive may have shared
        (1, {EARLIER_RECEIVES: "4", UNTOUCHED_SINCE: FIRST_MS}, 5, FIRST),  # sent back untouched
        (1, {EARLIER_RECEIVES: "4"}, 5, None),  # sent back after a share may have been made
        (2, {EARLIER_RECEIVES: "4", UNTOUCHED_SINCE: FIRST_MS}, 6, None),  # the copy itself received before
        (1, {EARLIER_RECEIVES: "four", UNTOUCHED_SINCE: FIRST_MS}, 1, None),  # unreadable: trusted with nothing
        (1, {EARLIER_RECEIVES: "4", UNTOUCHED_SINCE: "-1"}, 5, None),
        (1, {EARLIER_RECEIVES: "4", UNTOUCHED_SINCE: "9" * 30}, 5, None),
        # a history longer than 100 deferrals could make: moved back from the failure queue, not ours to trust
        (1, {EARLIER_RECEIVES: "4", UNTOUCHED_SINCE: str(int(LATER_MS) - UNTOUCHED_HORIZON_MS - 1)}, 5, None),
        (1, {UNTOUCHED_SINCE: FIRST_MS}, 1, datetime.fromtimestamp(int(LATER_MS) / 1000, UTC)),  # not our copy
    ],
)
def test_a_record_tells_its_receives_and_whether_it_is_untouched(
    receive_count: int, carried: dict[str, str] | None, receives: int, untouched_since: datetime | None
) -> None:
    queued = QueuedEvent.from_record(_record(receive_count, carried))
    assert (queued.receives, queued.untouched_since) == (receives, untouched_since)


@pytest.mark.parametrize("carried", [None, {EARLIER_RECEIVES: "4", UNTOUCHED_SINCE: FIRST_MS}])
def test_a_record_without_its_first_receive_time_is_not_untouched(carried: dict[str, str] | None) -> None:
    record = _record(1, carried)
    del record["attributes"]["ApproximateFirstReceiveTimestamp"]
    assert QueuedEvent.from_record(record).untouched_since is None
