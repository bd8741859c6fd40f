"""A moto service for the AWS Well-Architected Tool, which moto 5.2.5 lacks (keep moto pinned: this leans
on its internals). Laid out as moto's own services are, each module importing only those before it:
exceptions ← lifecycle ← models ← faults/cloudtrail ← responses ← urls. This package is its public API.
"""

from __future__ import annotations

import re
import sys

from moto import backend_index

from wa_share_sandbox.wellarchitected import models, urls
from wa_share_sandbox.wellarchitected.faults import (
    configure_faults,
    configure_request_faults,
    reset_faults,
    set_cloudtrail_filter,
    set_response_elements_style,
)
from wa_share_sandbox.wellarchitected.lifecycle import (
    Lifecycle,
    ReviewsSideView,
    configure_lifecycle,
    configure_reviews_side_view,
    every_lifecycle,
    every_reviews_side_view,
    reset_lifecycle,
)
from wa_share_sandbox.wellarchitected.models import (
    LIVE_STATUSES,
    LOCK,
    SERVICE,
    SHARE_QUOTA,
    WORKLOAD_QUOTA,
    Share,
    WellArchitectedBackend,
    Workload,
    get_backend,
)

__all__ = [
    "LIVE_STATUSES",
    "LOCK",
    "SHARE_QUOTA",
    "WORKLOAD_QUOTA",
    "Lifecycle",
    "ReviewsSideView",
    "Share",
    "WellArchitectedBackend",
    "Workload",
    "configure_faults",
    "configure_lifecycle",
    "configure_request_faults",
    "configure_reviews_side_view",
    "every_lifecycle",
    "every_reviews_side_view",
    "get_backend",
    "install",
    "reset_faults",
    "reset_lifecycle",
    "set_cloudtrail_filter",
    "set_response_elements_style",
]


def install() -> None:
    """Register with moto (idempotent; before or after ``mock_aws()`` starts): the models module becomes
    ``moto.wellarchitected`` (moto's ``get_backend`` imports that), and its URL pattern is indexed."""
    with LOCK:
        sys.modules[f"moto.{SERVICE}"] = models
        if all(name != SERVICE for name, _ in backend_index.backend_url_patterns):
            backend_index.backend_url_patterns.append((SERVICE, re.compile(urls.url_bases[0])))
