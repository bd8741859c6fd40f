"""Session policies: a member-role session limited to the calls one part of wa-share makes with it.

AssumeRole's `Policy` intersects the role's own policies for that session only: the session can do what both
allow. A part that only reads (the sweep planner in the reviews accounts) thereby holds none of the member
role's write grants, with no second role to deploy in every account; AWS enforces it, not our code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class SessionScope:
    """`actions` the session may call, on any resource: only for actions IAM authorises on "*" alone, so
    the scope narrows nothing the role's own resource scoping would have allowed."""

    name: str
    actions: tuple[str, ...]

    def policy(self) -> str:
        statement = {"Sid": "Only", "Effect": "Allow", "Action": sorted(self.actions), "Resource": "*"}
        return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, separators=(",", ":"))
