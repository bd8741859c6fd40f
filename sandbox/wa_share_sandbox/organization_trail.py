"""The organization's CloudTrail trail: made in the management account, logging, seen by every member.

The README's first prerequisite is a trail that logs management events in every account and region, an
organization trail being the simplest; without one the real-time path never sees a CreateWorkload. AWS
shows an organization trail to each member account (DescribeTrails, GetTrailStatus), which cannot change
it; moto keeps trails per account. `create_organization_trail` makes the trail and has each account of
the organization see it, so `wa-share doctor` on the sandbox fails only on the faults a story injects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from moto.cloudtrail.models import CloudTrailBackend, Trail, cloudtrail_backends

from wa_share_sandbox.organization import HOME_REGION, SimulatedOrganization

TRAIL_NAME = "org-trail"
_MANAGEMENT_OF: dict[str, str] = {}  # account -> its organization's management account
_ORIGINAL: dict[str, Callable[..., Any]] = {}


def create_organization_trail(org: SimulatedOrganization) -> str:
    """A multi-region organization trail in the management account, logging; returns its ARN."""
    _show_organization_trails()
    _MANAGEMENT_OF.update(dict.fromkeys(org.accounts, org.management))
    bucket = f"wa-share-sandbox-trail-{org.management}"
    org.client(org.management, "s3").create_bucket(Bucket=bucket)
    cloudtrail = org.client(org.management, "cloudtrail", HOME_REGION)
    trail = cloudtrail.create_trail(
        Name=TRAIL_NAME, S3BucketName=bucket, IsMultiRegionTrail=True, IsOrganizationTrail=True
    )
    cloudtrail.start_logging(Name=TRAIL_NAME)
    return str(trail["TrailARN"])


def _show_organization_trails() -> None:
    """DescribeTrails (and so GetTrailStatus) of a member account include its organization's trails."""
    if "describe_trails" in _ORIGINAL:
        return
    _ORIGINAL["describe_trails"] = CloudTrailBackend.describe_trails

    def describe_trails(self: CloudTrailBackend, include_shadow_trails: bool) -> Iterable[Trail]:
        trails = list(_ORIGINAL["describe_trails"](self, include_shadow_trails))
        management = _MANAGEMENT_OF.get(self.account_id)
        if include_shadow_trails and management not in (None, self.account_id):
            trails.extend(_organization_trails(str(management), self.region_name))
        return trails

    CloudTrailBackend.describe_trails = describe_trails  # type: ignore[method-assign]


def _organization_trails(management: str, region: str) -> list[Trail]:
    return [
        trail
        for backend in cloudtrail_backends[management].values()
        for trail in backend.trails.values()
        if trail.is_org_trail and (trail.is_multi_region or trail.region_name == region)
    ]
