"""Facts of the domain that the code and its settings share: share statuses, identifier shapes, regions.

Pure: no AWS, no logging, no settings (settings import these facts, never the reverse).
"""

from __future__ import annotations

import re
from enum import StrEnum

# [0-9], not \d: \d also matches the digits of other scripts ("١٢٣…"), in Python and in pydantic's engine.
ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$")
ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
ORGANIZATION_ID = re.compile(r"^o-[a-z0-9]{10,32}$")
IAM_PRINCIPAL = re.compile(r"^arn:aws[a-z-]*:iam::(?P<account>[0-9]{12}):(root|(user|role)/[\w+=,.@/-]{1,512})$")
ORGANIZATION_PRINCIPAL = re.compile(r"^(o-[a-z0-9]{10,32}|ou-[a-z0-9]{4,32}-[a-z0-9]{8,32})$")
# What SharedWith may name: an account, an IAM user or role (or an account's root), an organization or an OU.
ALLOWED_PRINCIPAL = re.compile(
    rf"{ACCOUNT_ID.pattern}|{IAM_PRINCIPAL.pattern}|{ORGANIZATION_PRINCIPAL.pattern}".replace("(?P<account>", "(")
)
TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[\w-]{1,256}$")
BUS_NAME = re.compile(r"^[.\-_A-Za-z0-9]{1,256}$")

# A share in one of these statuses gives the reviews team access (or will, once accepted or associated).
LIVE_STATUSES = frozenset({"ACCEPTED", "PENDING", "ASSOCIATING", "ASSOCIATED"})
NOT_LIVE_STATUSES = frozenset({"EXPIRED", "REJECTED", "REVOKED", "FAILED"})
# REJECTED is a reviews team's answer: inviting it again every night would be noise, so only on request.
DEFAULT_RESHARE_STATUSES = frozenset({"EXPIRED", "REVOKED", "FAILED"})

# The 18 commercial regions of the Well-Architected Tool (see README: keep in step with template.yaml):
# those enabled by default (WaRegions), then the opt-in ones (WaOptInRegions), in the template's order.
DEFAULT_WA_REGIONS = (
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-north-1",
    "sa-east-1",
    "ap-east-1",
    "me-south-1",
)
# The sentinel that makes the sweep read the live region list from SSM's public parameters.
REGIONS_FROM_SSM = "auto"


class Permission(StrEnum):
    READONLY = "READONLY"
    CONTRIBUTOR = "CONTRIBUTOR"


class DriftPolicy(StrEnum):
    """What a live share with another permission than the configured one gets: updated, or reported."""

    ENFORCE = "enforce"
    REPORT = "report"
