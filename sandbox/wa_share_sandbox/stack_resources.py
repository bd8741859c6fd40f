"""The central stack's resources as CloudFormation lists them (ListStackResources).

moto cannot run the SAM transform, so the sandbox creates the central side through the services' APIs and
publishes a stack holding the outputs (deployment.py). This registers the resources created beside it with
that stack, so ListStackResources answers as it does for the real stack (`wa-share doctor` reads the
alarms it must find there)."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from moto.cloudformation.models import CloudFormationBackend

_LOCK = threading.Lock()
_REGISTERED: dict[str, list[StackResource]] = {}  # stack ID -> resources created beside the stack


@dataclass(frozen=True)
class StackResource:
    # The attribute names moto's ListStackResources response reads.
    logical_resource_id: str
    physical_resource_id: str
    cf_resource_type: str


def register(stack_id: str, resources: Iterable[StackResource]) -> None:
    _install()
    with _LOCK:
        _REGISTERED.setdefault(stack_id, []).extend(resources)


def _install() -> None:
    original = CloudFormationBackend.list_stack_resources
    if getattr(original, "wa_share_sandbox", False):
        return

    def list_stack_resources(self: CloudFormationBackend, stack_name_or_id: str) -> tuple[Any, Iterable[Any]]:
        stack, resources = original(self, stack_name_or_id)
        with _LOCK:
            registered = list(_REGISTERED.get(stack.stack_id, []))
        return stack, [*resources, *registered]

    list_stack_resources.wa_share_sandbox = True  # type: ignore[attr-defined]
    CloudFormationBackend.list_stack_resources = list_stack_resources  # type: ignore[method-assign]
