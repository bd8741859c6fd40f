"""A simulated AWS Organization on moto: management, automation, reviews and member accounts.

Accounts are created through moto's Organizations API, which gives each the OrganizationAccountAccessRole
that AWS creates in new accounts (trusted by the management account), so the harness reaches every
account through assumed-role credentials, exactly as an operator would.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.session
from moto.organizations.models import organizations_backends

ACCESS_ROLE = "OrganizationAccountAccessRole"
HOME_REGION = "us-east-1"
_SHARED_SESSION = boto3.Session()


def trust_policy(principals: list[str], conditions: dict[str, Any] | None = None) -> str:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"AWS": principals}, "Action": "sts:AssumeRole"}
    if conditions:
        statement["Condition"] = conditions
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def boto3_session(credentials: dict[str, str], region: str = HOME_REGION) -> boto3.Session:
    return boto3.Session(
        aws_access_key_id=credentials["aws_access_key_id"],
        aws_secret_access_key=credentials["aws_secret_access_key"],
        aws_session_token=credentials.get("aws_session_token"),
        region_name=region,
    )


@dataclass
class SimulatedOrganization:
    org_id: str
    management: str
    automation: str
    reviews: str
    members: list[str]
    _credentials: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    _clients: dict[tuple[str, str, str], Any] = field(default_factory=dict, repr=False)

    @property
    def accounts(self) -> list[str]:
        return [self.management, self.automation, self.reviews, *self.members]

    def credentials(self, account_id: str) -> dict[str, str]:
        """Credentials in an account through its OrganizationAccountAccessRole (the management's own keys)."""
        if account_id not in self._credentials:
            issued = self.client(self.management, "sts").assume_role(
                RoleArn=f"arn:aws:iam::{account_id}:role/{ACCESS_ROLE}", RoleSessionName="sandbox-admin"
            )["Credentials"]
            self._credentials[account_id] = {
                "aws_access_key_id": issued["AccessKeyId"],
                "aws_secret_access_key": issued["SecretAccessKey"],
                "aws_session_token": issued["SessionToken"],
            }
        return self._credentials[account_id]

    def session(self, account_id: str) -> boto3.Session:
        return boto3_session(self.credentials(account_id))

    def client(self, account_id: str, service: str, region: str = HOME_REGION) -> Any:
        """A cached client; all come from one session, so each service model is loaded once."""
        key = (account_id, service, region)
        if key not in self._clients:
            credentials = self.credentials(account_id)
            self._clients[key] = _SHARED_SESSION.client(  # type: ignore[call-overload]
                service,
                region_name=region,
                aws_access_key_id=credentials["aws_access_key_id"],
                aws_secret_access_key=credentials["aws_secret_access_key"],
                aws_session_token=credentials.get("aws_session_token"),
            )
        return self._clients[key]

    def role_credentials(self, account_id: str, role_name: str, session_name: str = "sandbox") -> dict[str, str]:
        """Credentials of a role in an account, as the service that runs as that role would hold them."""
        sts = self.client(account_id, "sts")
        issued = sts.assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/{role_name}", RoleSessionName=session_name)[
            "Credentials"
        ]
        return {
            "aws_access_key_id": issued["AccessKeyId"],
            "aws_secret_access_key": issued["SecretAccessKey"],
            "aws_session_token": issued["SessionToken"],
        }

    def botocore_session(self, credentials: dict[str, str]) -> botocore.session.Session:
        session = botocore.session.Session()
        session.set_credentials(
            credentials["aws_access_key_id"],
            credentials["aws_secret_access_key"],
            credentials.get("aws_session_token"),
        )
        session.set_config_variable("region", HOME_REGION)
        return session


def build_organization(members: int, *, management_keys: dict[str, str] | None = None) -> SimulatedOrganization:
    """Create the organization inside an active moto mock; call before `install_trust_checks()`."""
    keys = management_keys or {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    management = boto3_session(keys)
    org_client = management.client("organizations")
    organization = org_client.create_organization(FeatureSet="ALL")["Organization"]
    management_id = organization["MasterAccountId"]
    names = ["automation", "reviews", *[f"member-{index:02d}" for index in range(1, members + 1)]]
    created = [_create_account(org_client, name) for name in names]
    org = SimulatedOrganization(
        org_id=organization["Id"],
        management=management_id,
        automation=created[0],
        reviews=created[1],
        members=created[2:],
        _credentials={management_id: dict(keys)},
    )
    # The automation account is a delegated administrator: it sees the organization's accounts.
    organizations_backends[org.automation] = organizations_backends[management_id]
    return org


def _create_account(org_client: Any, name: str) -> str:
    status = org_client.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]
    return str(status["AccountId"])


def create_workload(org: SimulatedOrganization, account_id: str, region: str, name: str) -> str:
    """Create a workload as its owner would (console or API): CloudTrail then reports the call."""
    response = org.client(account_id, "wellarchitected", region).create_workload(
        WorkloadName=name,
        Description=f"{name} (simulated)",
        Environment="PRODUCTION",
        Lenses=["wellarchitected"],
        AwsRegions=[region],
        ReviewOwner="owner@example.com",
        ClientRequestToken=f"{account_id}-{region}-{name}",
    )
    return str(response["WorkloadId"])
