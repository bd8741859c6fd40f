"""The Well-Architected service-linked role, as AWS creates it when an account turns organization sharing on.

AWS creates it with the caller's permissions (iam:CreateServiceLinkedRole, which iam_actions.implied_uses
measures), once per account; the simulator creates it too, so the state that proves the step exists.
"""

from __future__ import annotations

import json

from moto.iam.models import iam_backends

SERVICE = "wellarchitected.amazonaws.com"
ROLE_NAME = "AWSServiceRoleForWellArchitected"


def ensure_service_linked_role(account_id: str) -> None:
    iam = iam_backends[account_id]["global"]
    if any(role.name == ROLE_NAME for role in iam.get_roles()):
        return
    statement = {"Effect": "Allow", "Principal": {"Service": [SERVICE]}, "Action": ["sts:AssumeRole"]}
    # Not moto's create_service_linked_role: it would spell the name ...Wellarchitected.
    iam.create_role(
        ROLE_NAME,
        json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
        f"/aws-service-role/{SERVICE}/",
        permissions_boundary=None,
        description="Well-Architected Tool",
        tags=[],
        max_session_duration="3600",
        linked_service=SERVICE,
    )
