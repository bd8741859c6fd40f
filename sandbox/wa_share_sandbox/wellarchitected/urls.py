"""The URLs of the sandbox WA service, where moto looks for them (``<backend module>`` models → urls)."""

from __future__ import annotations

from wa_share_sandbox.wellarchitected.responses import WellArchitectedResponse

_dispatch = WellArchitectedResponse.dispatch
url_bases = [r"https?://wellarchitected\.(.+)\.amazonaws\.com"]
url_paths = {
    "{0}/workloads$": _dispatch,
    "{0}/workloadsSummaries$": _dispatch,
    "{0}/workloads/(?P<WorkloadId>[^/]+)$": _dispatch,
    "{0}/workloads/(?P<WorkloadId>[^/]+)/shares$": _dispatch,
    "{0}/workloads/(?P<WorkloadId>[^/]+)/shares/(?P<ShareId>[^/]+)$": _dispatch,
    "{0}/shareInvitations$": _dispatch,
    "{0}/shareInvitations/(?P<ShareInvitationId>[^/]+)$": _dispatch,
    "{0}/global-settings$": _dispatch,
}
