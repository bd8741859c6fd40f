"""After a share is created: accept its invitation in the reviews account, then announce it once.

Both steps are optional and never undo or fail the share: a failure is logged and counted, and the
sweep accepts what was left pending. So is reading the workload's name (for the probe's bookkeeping and
the announcement): the share exists whether or not its name can be read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from wa_share.aws.access import AwsError, Sessions
from wa_share.aws.wellarchitected import Invitations, WellArchitected
from wa_share.domain import ACCOUNT_ID
from wa_share.followup.acceptance import Acceptance, AcceptResult, accept_for_workload
from wa_share.followup.announce import Announcer, ShareAnnouncement
from wa_share.observability import Metric, count, logger
from wa_share.rules.sharing import ShareResult
from wa_share.runtime.deadline import ACCEPTANCE_CALLS, ANNOUNCEMENT_CALLS, Deadline
from wa_share.settings import SharingSettings

NAME_UNAVAILABLE_LOG = "workload name unavailable; the share stands"


def announcer_for(settings: SharingSettings, sessions: Sessions) -> Announcer:
    region = settings.home_region
    return Announcer(
        sns=sessions.central.sns(region) if settings.announce_topic_arn else None,
        topic_arn=settings.announce_topic_arn,
        events=sessions.central.events(region) if settings.announce_bus_name else None,
        bus_name=settings.announce_bus_name,
    )


def follow_up(
    results: Sequence[ShareResult],
    wa: WellArchitected,
    *,
    found_by: str,
    settings: SharingSettings,
    sessions: Sessions,
    workload_name: str | None = None,  # None: not read yet ("" : read, and unavailable)
    announce: bool = True,
    deadline: Deadline | None = None,
) -> list[AcceptResult]:
    deadline = deadline or Deadline()
    new = [result for result in results if result.outcome.meaning.new_share and not result.dry_run]
    acceptable = [result for result in new if _acceptable(result, settings)]
    accepted = [_accept(result, wa, settings, sessions, deadline) for result in acceptable]
    announcer = announcer_for(settings, sessions)
    if new and announce and announcer.enabled:
        if not deadline.fits(ANNOUNCEMENT_CALLS):
            count(Metric.ANNOUNCEMENTS_FAILED, len(new))
            logger.warning("announcement skipped: too little time left; the share stands", extra={"shares": len(new)})
            return [item.result for item in accepted]
        name = workload_name
        if name is None:
            name = next((item.workload_name for item in accepted if item.workload_name), None)
        if name is None:
            name = read_workload_name(wa, new[0].workload_id)
        done = {item.shared_with_account for item in accepted if item.result.outcome is Acceptance.ACCEPTED}
        for result in new:
            accepted_now = result.principal in done
            announcer.announce(_announcement(result, wa, name, found_by, settings, accepted=accepted_now))
    return [item.result for item in accepted]


def _acceptable(result: ShareResult, settings: SharingSettings) -> bool:
    return settings.acceptor_role_name is not None and bool(ACCOUNT_ID.match(result.principal))


@dataclass(frozen=True)
class _Accepted:
    shared_with_account: str
    result: AcceptResult

    @property
    def workload_name(self) -> str:
        return self.result.workload_name


def _accept(
    result: ShareResult, wa: WellArchitected, settings: SharingSettings, sessions: Sessions, deadline: Deadline
) -> _Accepted:
    if not deadline.fits(ACCEPTANCE_CALLS):
        reason = "too little time left in this invocation"
        outcome = AcceptResult("", result.workload_id, "", wa.account_id, Acceptance.FAILED, reason)
        count(Metric.ACCEPTANCE_FAILED)
        logger.warning("invitation not accepted; the sweep will retry", extra={"reason": reason})
        return _Accepted(result.principal, outcome)
    try:
        session = sessions.member(result.principal, settings.acceptor_role_name)
        invitations = Invitations(session.wellarchitected(wa.region), account_id=result.principal, region=wa.region)
        outcome = accept_for_workload(invitations, workload_id=result.workload_id, owner=wa.account_id)
    except AwsError as error:
        outcome = AcceptResult("", result.workload_id, "", wa.account_id, Acceptance.FAILED, str(error))
    if outcome.outcome is Acceptance.ACCEPTED:
        count(Metric.INVITATIONS_ACCEPTED)
    else:
        count(Metric.ACCEPTANCE_FAILED)
        logger.warning("invitation not accepted; the sweep will retry", extra={"reason": outcome.reason})
    return _Accepted(result.principal, outcome)


def read_workload_name(wa: WellArchitected, workload_id: str) -> str:
    """The workload's name, or "" when it cannot be read (denied, throttled past the retries, deleted
    meanwhile): logged with its reason and counted, never raised, since the share it follows stands."""
    try:
        return wa.workload_name(workload_id)
    except AwsError as error:
        count(Metric.WORKLOAD_NAME_UNAVAILABLE)
        logger.warning(
            NAME_UNAVAILABLE_LOG,
            extra={"workload_id": workload_id, "error_code": error.code, "error_kind": error.kind, "error": str(error)},
        )
        return ""


def _announcement(
    result: ShareResult, wa: WellArchitected, name: str, found_by: str, settings: SharingSettings, *, accepted: bool
) -> ShareAnnouncement:
    return ShareAnnouncement(
        account_id=wa.account_id,
        region=wa.region,
        workload_id=result.workload_id,
        workload_name=name,
        shared_with=result.principal,
        permission=settings.permission.value,
        share_id=result.share_id,
        found_by=found_by,
        accepted=accepted,
    )
