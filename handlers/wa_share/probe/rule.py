"""The live probe of the real-time path: what a probe workload is, and what sharing one measures.

A probe is a small workload the probe role creates on a schedule (or `wa-share probe` on demand) in the
probe account. It is recognised in ONE place, `ProbeRule.is_probe`: its name starts with `PROBE_PREFIX`
AND the probe account owns it. A workload of that name elsewhere is an ordinary workload. The name also
carries the probe's creation time (UTC, to the millisecond), so the share function can measure the latency of
the whole real-time path (trail, forwarder, bus, rule, function) without any state of its own.
Pure: no AWS, no logging (settings, the share path and the sweep all import it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

PROBE_PREFIX = "wa-share-probe-"
# IAM narrows the probe role to workloads carrying this tag (request tag on create, resource tag after).
PROBE_TAG_KEY = "wa-share-probe"
PROBE_TAG_VALUE = "true"
_TIME_FORMAT = "%Y%m%dT%H%M%S.%fZ"  # written to the millisecond


@dataclass(frozen=True)
class ProbeRule:
    """Which workloads are probes; `account_id` None means no probe account, so nothing is a probe."""

    account_id: str | None

    def may_own_probes(self, owner: str) -> bool:
        return self.account_id is not None and owner == self.account_id

    def is_probe(self, owner: str, name: str) -> bool:
        return self.may_own_probes(owner) and name.startswith(PROBE_PREFIX)


NO_PROBES = ProbeRule(None)


def probe_name(created_at: datetime, nonce: str) -> str:
    """`wa-share-probe-20261201T135000.123Z-<nonce>`: the nonce keeps two probes of one instant apart."""
    stamp = created_at.astimezone(UTC).strftime(_TIME_FORMAT)
    return f"{PROBE_PREFIX}{stamp[:-4]}Z-{nonce}"  # microseconds cut to milliseconds


def created_at(name: str) -> datetime | None:
    """The creation time a probe's name carries; None when the name carries none."""
    stamp = name.removeprefix(PROBE_PREFIX).split("-", 1)[0]
    try:
        return datetime.strptime(stamp, _TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None
