"""The central functions' roles get their inline policies as CloudFormation would resolve them; from then on
each role's calls are evaluated against them (iam_identity.py). The roles themselves (name, trust) are
created first by deployment.py, which needs their credentials before the rest of the stack exists."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from wa_share_sandbox.iam_identity import govern
from wa_share_sandbox.organization import HOME_REGION, SimulatedOrganization
from wa_share_sandbox.resolver import Resolver


def _define_log_groups(org: SimulatedOrganization, resources: dict[str, Any], resolver: Resolver) -> None:
    """Log group ARNs (moto runs no Lambda, so nothing creates the groups; the grants name them)."""
    for logical_id, resource in resources.items():
        if resource["Type"] == "AWS::Logs::LogGroup":
            name = str(resolver.value(resource["Properties"]["LogGroupName"]))
            resolver.define(logical_id, ref=name, arn=f"arn:aws:logs:{HOME_REGION}:{org.automation}:log-group:{name}:*")


def put_function_policies(
    org: SimulatedOrganization, role_ids: Iterable[str], resources: dict[str, Any], resolver: Resolver
) -> None:
    """Each role of `role_ids` (template.yaml logical IDs) that its Condition deploys: its Policies, governed."""
    _define_log_groups(org, resources, resolver)
    iam = org.client(org.automation, "iam")
    for logical_id in role_ids:
        if "Condition" in resources[logical_id] and not resolver.condition(resources[logical_id]["Condition"]):
            continue
        properties = resources[logical_id]["Properties"]
        role_name = str(resolver.value(properties["RoleName"]))
        for policy in resolver.value(properties.get("Policies", [])):
            document = json.dumps(policy["PolicyDocument"])
            iam.put_role_policy(RoleName=role_name, PolicyName=policy["PolicyName"], PolicyDocument=document)
        govern(f"arn:aws:iam::{org.automation}:role/{role_name}")
