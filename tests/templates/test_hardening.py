"""Issue 13 on the templates: member grants that follow the configuration, the forwarder's dead letters,
name limits enforced and stated once, and a samconfig.toml that makes `sam deploy` flag-free."""

from __future__ import annotations

import tomllib
from pathlib import Path

from tests.support.templates import (
    CENTRAL,
    FORWARDER,
    REVIEWS,
    ROLES,
    ROOT,
    items,
    props,
    role_statements,
    statements,
    template,
)

# Each conditional grant of the member role: (condition, Sid, the parameter and value that turn it on).
MEMBER_FEATURE_GRANTS = [
    ("PermissionDriftEnforced", "EnforceSharePermission", "PermissionDriftPolicy", "enforce"),
    ("ReadsWorkloadNames", "ReadWorkloadNames", "Announcements", "true"),
    ("OrganizationSharingOn", "EnableOrganizationSharing", "OrganizationSharing", "true"),
    ("OrganizationSharingOn", "CreateWellArchitectedServiceLinkedRole", "OrganizationSharing", "true"),
]

# AWS limits (EventBridge: a target's default and maximum event age; SQS: SetQueueAttributes)
EVENTBRIDGE_MAX_EVENT_AGE_SECONDS = 24 * 3600
SQS_MAX_RETENTION_SECONDS = 14 * 24 * 3600


def test_member_role_feature_grants_exist_only_with_their_feature_and_the_stackset_passes_it() -> None:
    roles = template(ROLES)
    (policy,) = props(ROLES, "MemberRole")["Policies"]
    conditional = [item["Fn::If"] for item in policy["PolicyDocument"]["Statement"] if "Fn::If" in item]
    assert [(branch[0], branch[1]["Sid"]) for branch in conditional] == [
        (c, sid) for c, sid, _, _ in MEMBER_FEATURE_GRANTS
    ]
    assert all(branch[2] == {"Ref": "AWS::NoValue"} for branch in conditional)
    for condition, _, parameter, value in MEMBER_FEATURE_GRANTS:
        own = {"Fn::Equals": [{"Ref": parameter}, value]}
        if condition == "ReadsWorkloadNames":  # announcements, or the probe in this account
            assert roles["Conditions"]["AnnouncementsOn"] == own
            own = {"Fn::Or": [{"Condition": "AnnouncementsOn"}, {"Condition": "ProbeInThisAccount"}]}
            probe = {"Fn::Equals": [{"Ref": "ProbeAccountId"}, {"Ref": "AWS::AccountId"}]}
            assert roles["Conditions"]["ProbeInThisAccount"] == probe
            assert roles["Parameters"]["ProbeAccountId"]["Default"] == ""
        assert roles["Conditions"][condition] == own
        assert roles["Parameters"][parameter]["Default"] != value, f"{parameter}: the feature must be off by default"
    passed = {
        item["ParameterKey"]: item["ParameterValue"]
        for item in items(props(CENTRAL, "MemberRolesStackSet")["Parameters"])
    }
    assert passed["PermissionDriftPolicy"] == {"Ref": "PermissionDriftPolicy"}
    assert passed["Announcements"] == {"Ref": "Announcements"}
    assert passed["OrganizationSharing"] == {"Fn::If": ["OrganizationModeOn", "true", "false"]}
    assert passed["ReviewsSideRead"] == {"Fn::If": ["ReadsReviewsSide", "true", "false"]}
    assert passed["ProbeAccountId"] == {"Ref": "AWS::AccountId"}


def test_the_service_linked_role_grant_is_for_well_architected_only() -> None:
    (grant,) = [
        s for s in role_statements(ROLES, "MemberRole") if s.get("Sid") == "CreateWellArchitectedServiceLinkedRole"
    ]
    assert grant["Condition"] == {"StringEquals": {"iam:AWSServiceName": "wellarchitected.amazonaws.com"}}
    assert grant["Resource"]["Fn::Sub"].endswith("/wellarchitected.amazonaws.com/AWSServiceRoleForWellArchitected")


def test_forwarder_retries_for_a_day_then_dead_letters_into_an_encrypted_queue_of_its_own() -> None:
    (target,) = props(FORWARDER, "ForwardCreateWorkloadRule")["Targets"]
    # No RetryPolicy on an event-bus target (AWS does not clearly support it): EventBridge's defaults, its
    # maxima, apply, so a central outage of up to a day loses no event.
    assert "RetryPolicy" not in target
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["ForwardDeadLetterQueue", "Arn"]}}
    queue = props(FORWARDER, "ForwardDeadLetterQueue")
    assert queue["SqsManagedSseEnabled"] is True
    # a dead letter outlives the retry window by as long as SQS allows: doctor and replay find it for two weeks
    assert queue["MessageRetentionPeriod"] == SQS_MAX_RETENTION_SECONDS > EVENTBRIDGE_MAX_EVENT_AGE_SECONDS
    (statement,) = statements(props(FORWARDER, "ForwardDeadLetterQueuePolicy")["PolicyDocument"])
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert (statement["Action"], statement["Resource"]) == (
        "sqs:SendMessage",
        {"Fn::GetAtt": ["ForwardDeadLetterQueue", "Arn"]},
    )
    assert statement["Condition"] == {
        "ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": ["ForwardCreateWorkloadRule", "Arn"]}}
    }
    # no alarm in the member account (tests/templates/test_idle_cost.py): the sweep and doctor read the queue
    # through the member role, by its fixed name
    (grant,) = [s for s in role_statements(ROLES, "MemberRole") if s.get("Sid") == "DoctorReadsForwardingDeadLetters"]
    assert grant["Resource"]["Fn::Sub"].endswith(f":{queue['QueueName']}")


IAM_ROLE_NAME_MAX = LAMBDA_FUNCTION_NAME_MAX = 64


def _longest_suffix(path: Path, kind: str, prop: str, prefix: str) -> int:
    names = [
        resource["Properties"][prop]["Fn::Sub"]
        for resource in template(path)["Resources"].values()
        if resource["Type"] == kind and isinstance(resource["Properties"].get(prop), dict)
    ]
    suffixes = [name.removeprefix(prefix) for name in names if name.startswith(prefix)]
    assert suffixes, (path.name, kind)
    return max(len(suffix) for suffix in suffixes)


def test_the_role_prefix_pattern_keeps_every_role_name_within_iam_limit() -> None:
    longest = _longest_suffix(CENTRAL, "AWS::IAM::Role", "RoleName", "${CentralRolePrefix}")
    limit = IAM_ROLE_NAME_MAX - longest
    assert limit == 49  # README.md, Cost and limits
    for path in (CENTRAL, ROLES, REVIEWS):
        assert template(path)["Parameters"]["CentralRolePrefix"]["AllowedPattern"] == rf"^[\w+=,.@-]{{1,{limit}}}$"


def test_the_stack_name_limit_is_stated_once_with_the_number_the_function_names_give() -> None:
    longest = _longest_suffix(CENTRAL, "AWS::Serverless::Function", "FunctionName", "${AWS::StackName}")
    limit = LAMBDA_FUNCTION_NAME_MAX - longest
    assert limit == 50
    assert f"Stack name: {limit} characters at most" in template(CENTRAL)["Description"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"| stack name | `<stack>-sweep-planner` (function) | {limit} characters |" in readme
    assert f"| `CentralRolePrefix` | `<prefix>-share-function` | {IAM_ROLE_NAME_MAX - 15} characters |" in readme
    assert "characters or fewer" not in readme  # no second, different statement of a limit


def test_samconfig_lets_sam_deploy_run_without_flags() -> None:
    config = tomllib.loads((ROOT / "samconfig.toml").read_text(encoding="utf-8"))
    deploy = config["default"]["deploy"]["parameters"]
    assert deploy["stack_name"] == config["default"]["global"]["parameters"]["stack_name"]
    assert len(deploy["stack_name"]) <= 50
    assert "CAPABILITY_NAMED_IAM" in deploy["capabilities"].split()
    assert deploy["resolve_s3"] is True
    assert deploy["confirm_changeset"] is False


def test_the_readme_deploys_stacksets_the_documented_way() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "aws cloudformation activate-organizations-access" in readme
    assert "--service-principal member.org.stacksets.cloudformation.amazonaws.com" in readme  # the delegated admin
    assert "enable-aws-service-access --service-principal member.org.stacksets" not in readme
    assert "all features enabled" in readme
    assert "sam build --use-container" in readme
