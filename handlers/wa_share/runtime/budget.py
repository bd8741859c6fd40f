"""The share function's time budget, derived from the botocore configuration every call uses.

One call's worst case is every attempt timing out on connect and read, plus standard mode's backoff
between attempts (2^n seconds, capped at 20). The share itself (AssumeRole, ListWorkloadShares, one create
or update per reviews account) must fit in the function's timeout; acceptance and announcement each start
only while their own worst case still fits in what is left (deadline.Deadline.fits), so the function never
times out in the middle of one: a skipped acceptance is done by the sweep, a skipped announcement is
counted and logged.
"""

from __future__ import annotations

from typing import Any

from wa_share.aws.access import BOTO_CONFIG

BACKOFF_CAP_SECONDS = 20  # botocore's standard retry mode


def total_attempts(config: Any = BOTO_CONFIG) -> int:
    """botocore's max_attempts counts retries after the first request; once a client is built it rewrites
    the setting, in place, as total_max_attempts (first request included)."""
    retries = config.retries
    return int(retries["total_max_attempts"]) if "total_max_attempts" in retries else int(retries["max_attempts"]) + 1


def worst_call_seconds(config: Any = BOTO_CONFIG) -> int:
    attempts = total_attempts(config)
    timeouts = attempts * (int(config.connect_timeout) + int(config.read_timeout))
    backoff = sum(min(BACKOFF_CAP_SECONDS, 2**retry) for retry in range(attempts - 1))
    return int(timeouts + backoff)


# The list-first path for one reviews account: AssumeRole (member role), ListWorkloadShares, DeleteWorkloadShare
# (its dead row), CreateWorkloadShare (or UpdateWorkloadShare), ListWorkloadShares (proof that it is live).
# A fresh event takes two of them.
SHARE_CALLS = 5
ACCEPTANCE_CALLS = 3  # AssumeRole (acceptor role), ListShareInvitations, UpdateShareInvitation
ANNOUNCEMENT_CALLS = 3  # GetWorkload (the name), sns:Publish, events:PutEvents
