"""Switches of the simulator's wire: injected latency and faults, lost responses, CloudTrail's best effort
and the shape of CreateWorkload's ``responseElements`` (AWS documents two)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

CloudTrailFilter = Callable[[dict[str, Any]], bool]
FaultHook = Callable[[str, str, str], str | None]
RequestHook = Callable[[str, dict[str, Any]], str | None]
ResponseElementsStyle = Literal["WorkloadId", "Id"]


class Switches:
    # Module-level on purpose: settings outlive moto's resets (tests reset them explicitly).
    latency_seconds: float = 0.0
    fault: FaultHook | None = None
    request_fault: RequestHook | None = None
    lost_response: RequestHook | None = None
    cloudtrail_filter: CloudTrailFilter | None = None
    style: ResponseElementsStyle = "WorkloadId"


def configure_faults(latency_seconds: float = 0.0, fault: FaultHook | None = None) -> None:
    """Sleep ``latency_seconds`` per WA call; ``fault(operation, account, region)`` names an error to raise."""
    if latency_seconds < 0:
        raise ValueError("latency_seconds must be >= 0")
    Switches.latency_seconds, Switches.fault = latency_seconds, fault


def configure_request_faults(before: RequestHook | None = None, after: RequestHook | None = None) -> None:
    """By request parameters: ``before(operation, params)`` names an error raised instead of the operation
    (e.g. one workload's permanent failure); ``after(operation, params)`` names one raised after
    CreateWorkloadShare succeeded, as if the response were lost on the way back."""
    Switches.request_fault, Switches.lost_response = before, after


def reset_faults() -> None:
    configure_faults()
    configure_request_faults()


def set_cloudtrail_filter(fn: CloudTrailFilter | None) -> None:
    """``fn(cloudtrail_record)`` returning False drops the event (CloudTrail is best effort)."""
    Switches.cloudtrail_filter = fn


def set_response_elements_style(style: ResponseElementsStyle) -> None:
    """``"WorkloadId"``: {WorkloadId, WorkloadArn} (AWS samples); ``"Id"``: {Id, Arn} (user guide)."""
    if style not in ("WorkloadId", "Id"):
        raise ValueError(f"unknown responseElements style: {style}")
    Switches.style = style
