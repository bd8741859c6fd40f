"""Opt-in regions enabled per account, for the simulator.

moto's `ec2:DescribeRegions` reports every opt-in region (ap-east-1, me-south-1…) as "not-opted-in" in
every account. Real accounts enable them one by one, and the sweep must visit a region only where it is
enabled. After `install()`, `enable(account, region)` makes that account report the region "opted-in";
every other account still reports it "not-opted-in". State is module-level: `reset()` between runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from moto.ec2.models.availability_zones_and_regions import Region, RegionsAndZonesBackend

_ENABLED: set[tuple[str, str]] = set()
_LOCK = threading.Lock()
_ORIGINAL: dict[str, Callable[..., list[Region]]] = {}


def enable(account_id: str, region: str) -> None:
    with _LOCK:
        _ENABLED.add((account_id, region))


def enabled_in(account_id: str) -> frozenset[str]:
    with _LOCK:
        return frozenset(region for account, region in _ENABLED if account == account_id)


def reset() -> None:
    with _LOCK:
        _ENABLED.clear()


def install() -> None:
    """Patch moto's DescribeRegions (idempotent)."""
    if "describe_regions" in _ORIGINAL:
        return
    _ORIGINAL["describe_regions"] = RegionsAndZonesBackend.describe_regions

    def describe_regions(self: Any, region_names: list[str] | None = None) -> list[Region]:
        regions = _ORIGINAL["describe_regions"](self, region_names)
        enabled = enabled_in(str(self.account_id))
        return [
            Region(region.name, region.endpoint, "opted-in")
            if region.opt_in_status == "not-opted-in" and region.name in enabled
            else region
            for region in regions
        ]

    RegionsAndZonesBackend.describe_regions = describe_regions  # type: ignore[method-assign]


def uninstall() -> None:
    original = _ORIGINAL.pop("describe_regions", None)
    if original is not None:
        RegionsAndZonesBackend.describe_regions = original  # type: ignore[method-assign]
