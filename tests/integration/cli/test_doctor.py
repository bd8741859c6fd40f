"""`wa-share doctor`: a checklist of the deployment, with the fix for every failure."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from tests.support.cli import Cli, operator_cli
from tests.support.fixtures import REGIONS
from wa_share_cli.operations import doctor_alarms
from wa_share_cli.operations.doctor_alarms import ALARM_CHECK
from wa_share_cli.operations.doctor_member import FORWARDER_RULE_NAME
from wa_share_sandbox.cfn_templates import load_template, repo_root
from wa_share_sandbox.organization import SimulatedOrganization, create_workload


def start_trail(cli: Cli, account: str, *, logging: bool = True) -> None:
    bucket = f"trail-{account}"
    cli.admin(account, "s3").create_bucket(Bucket=bucket)
    cloudtrail = cli.admin(account, "cloudtrail")
    cloudtrail.create_trail(Name="org-trail", S3BucketName=bucket, IsMultiRegionTrail=True)
    if logging:
        cloudtrail.start_logging(Name="org-trail")


def verdicts(result: Any) -> dict[tuple[str, str], dict[str, str]]:
    return {(check["name"], check["scope"]): check for check in result.json()["checks"]}


def admit_any_principal_of(cli: Cli, organization_id: str) -> None:
    """A central bus policy that admits any principal of one organization with any event (the old policy)."""
    statement = {
        "Sid": "AllowPutEventsFromOrganization",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "events:PutEvents",
        "Resource": cli.deployment.bus_arn,
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": organization_id}},
    }
    policy = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    cli.admin(cli.org.automation, "events").put_permission(EventBusName=cli.deployment.bus_name, Policy=policy)


def test_a_healthy_deployment_passes_every_check(cli: Cli) -> None:
    for account in cli.org.accounts:
        start_trail(cli, account)
    result = cli("doctor", "--output", "json")
    assert result.code == 0, result.out
    checks = result.json()["checks"]
    assert {check["verdict"] for check in checks} == {"ok"}
    names = [check["name"] for check in checks]
    assert names.count("forwarding rule enabled") == len(cli.org.accounts) * 2  # two WA regions each
    assert names.count("CloudTrail trail logging") == names.count("member role assumable") == len(cli.org.accounts)
    assert names.count("dead-letter queue empty") == 2
    resources = load_template(repo_root() / "template.yaml")["Resources"].values()
    alarms = [item for item in resources if item["Type"] == "AWS::CloudWatch::Alarm" and "Condition" not in item]
    assert names.count(ALARM_CHECK) == len(alarms) >= 9  # every alarm the stack lists, read from the stack
    assert "bus policy admits the organization" in names


def test_each_failure_comes_with_its_fix(
    org: SimulatedOrganization, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    roleless, member = org.members
    cli = operator_cli(org, monkeypatch, capsys, accounts_without_role=[roleless])
    start_trail(cli, member, logging=False)
    cli.admin(member, "events", "eu-west-1").disable_rule(Name=FORWARDER_RULE_NAME)
    cli.admin(member, "events", "us-east-1").remove_targets(Rule=FORWARDER_RULE_NAME, Ids=["central-bus"])
    cli.admin(member, "events", "us-east-1").delete_rule(Name=FORWARDER_RULE_NAME)
    cli.admin(org.automation, "sqs").send_message(QueueUrl=cli.queue("SweepDeadLetterQueue"), MessageBody="{}")

    result = cli("doctor", "--account", roleless, "--account", member, "--output", "json")
    assert result.code == 1
    checks = verdicts(result)
    role = checks[("member role assumable", f"account {roleless}")]
    assert role["verdict"] == "FAIL"
    assert "member_stackset/roles.yaml" in role["fix"]
    trail = checks[("CloudTrail trail logging", f"account {member}")]
    assert trail["verdict"] == "FAIL"
    assert trail["fix"] == "aws cloudtrail start-logging --name org-trail"
    disabled = checks[("forwarding rule enabled", f"account {member} eu-west-1")]
    assert disabled["verdict"] == "FAIL"
    assert "aws events enable-rule" in disabled["fix"]
    missing = checks[("forwarding rule enabled", f"account {member} us-east-1")]
    assert missing["verdict"] == "FAIL"
    assert "forwarder.yaml" in missing["fix"]
    [dlq] = [c for (name, scope), c in checks.items() if name == "dead-letter queue empty" and "sweep" in scope]
    assert dlq["verdict"] == "FAIL"
    assert "wa-share redrive sweep-dlq" in dlq["fix"]

    table = cli("doctor", "--account", member)
    assert "FAIL" in table.out
    assert "fix: aws cloudtrail start-logging --name org-trail" in table.out


def test_a_forwarder_that_forwards_create_workload_alone_fails_the_share_guard_check(cli: Cli) -> None:
    member = cli.org.members[0]
    start_trail(cli, member)
    events = cli.admin(member, "events", "eu-west-1")
    old = {
        "source": ["aws.wellarchitected"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {"eventSource": ["wellarchitected.amazonaws.com"], "eventName": ["CreateWorkload"]},
    }
    events.put_rule(Name=FORWARDER_RULE_NAME, EventPattern=json.dumps(old), State="ENABLED")
    result = cli("doctor", "--account", member, "--output", "json")
    assert result.code == 1
    old_rule = verdicts(result)[("forwarding rule enabled", f"account {member} eu-west-1")]
    assert old_rule["verdict"] == "FAIL"
    assert "CreateWorkloadShare, UpdateWorkloadShare, DeleteWorkloadShare" in old_rule["detail"]
    assert "update the forwarder stack in eu-west-1" in old_rule["fix"]
    assert verdicts(result)[("forwarding rule enabled", f"account {member} us-east-1")]["verdict"] == "ok"


def test_a_bus_policy_for_another_organization_fails(cli: Cli) -> None:
    admit_any_principal_of(cli, "o-otherorg123")
    result = cli("doctor", "--account", cli.org.members[0], "--output", "json")
    [bus] = [check for check in result.json()["checks"] if check["name"] == "bus policy admits the organization"]
    assert bus["verdict"] == "FAIL"
    assert "o-otherorg123" in bus["detail"]
    assert cli.org.org_id in bus["fix"]


def test_the_member_role_may_read_exactly_the_forwarding_rule_doctor_looks_for() -> None:
    forwarder = load_template(repo_root() / "member_stackset" / "forwarder.yaml")["Resources"]
    assert forwarder["ForwardCreateWorkloadRule"]["Properties"]["Name"] == FORWARDER_RULE_NAME
    roles = load_template(repo_root() / "member_stackset" / "roles.yaml")
    [policy] = roles["Resources"]["MemberRole"]["Properties"]["Policies"]
    [grant] = [s for s in policy["PolicyDocument"]["Statement"] if s.get("Sid") == "DoctorReadsForwardingRule"]
    assert grant["Resource"]["Fn::Sub"].endswith(f":rule/{FORWARDER_RULE_NAME}")


def test_alarms_that_are_missing_silenced_firing_or_stuck_fail_with_the_fix(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    cloudwatch = cli.admin(cli.org.automation, "cloudwatch")
    cloudwatch.delete_alarms(AlarmNames=["wa-share-missed-by-realtime"])
    cloudwatch.disable_alarm_actions(AlarmNames=["wa-share-share-failures"])
    for name in ("wa-share-workloads-left-unshared", "wa-share-no-sweep-in-26-hours"):
        cloudwatch.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="Threshold Crossed: 1 datapoint")
    later = doctor_alarms.now() + timedelta(hours=2)
    monkeypatch.setattr(doctor_alarms, "now", lambda: later)

    result = cli("doctor", "--account", cli.org.members[0], "--output", "json")
    alarms = {check["scope"]: check for check in result.json()["checks"] if check["name"] == ALARM_CHECK}
    assert result.code == 1
    assert alarms["alarm wa-share-missed-by-realtime"]["detail"].startswith("missing")
    assert (
        "enable-alarm-actions --alarm-names wa-share-share-failures" in alarms["alarm wa-share-share-failures"]["fix"]
    )
    firing = alarms["alarm wa-share-workloads-left-unshared"]
    assert firing["verdict"] == "FAIL"
    assert firing["detail"].startswith("firing since ")
    assert "Threshold Crossed" in firing["detail"]
    assert "left unshared by the sweep" in firing["fix"]  # the alarm's description says what to do
    assert alarms["alarm wa-share-sweep-dead-letters"]["verdict"] == "ok"

    days_later = later + timedelta(days=2)
    monkeypatch.setattr(doctor_alarms, "now", lambda: days_later)
    result = cli("doctor", "--account", cli.org.members[0], "--output", "json")
    alarms = {check["scope"]: check for check in result.json()["checks"] if check["name"] == ALARM_CHECK}
    assert alarms["alarm wa-share-no-sweep-in-26-hours"]["detail"].startswith("stuck in ALARM since ")


def forwarder_checks(result: Any, name: str) -> dict[str, dict[str, str]]:
    return {check["scope"]: check for check in result.json()["checks"] if check["name"] == name}


def test_a_region_enabled_after_the_rollout_gets_the_command_that_deploys_its_forwarder(
    org: SimulatedOrganization, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """StackSet auto-deployment covers accounts that join, not a region an account enables later: such a
    region has no forwarder instance. Doctor names the account and region and the stack instance to create
    (a plain stack in the management account, which service-managed StackSets never reach)."""
    root = org.client(org.management, "organizations").list_roots()["Roots"][0]["Id"]
    stacksets = {"DeployMemberStackSets": "true", "MemberTargetOrganizationalUnitIds": [root]}
    cli = operator_cli(org, monkeypatch, capsys, overrides=stacksets)
    member = org.members[1]
    for account in (member, org.management):  # as if eu-west-1 had been enabled there after the rollout
        cli.admin(account, "cloudformation", "eu-west-1").delete_stack(StackName="wa-share-forwarder")

    result = cli(
        "doctor", "--account", member, "--account", org.management, "--account", org.members[0], "--output", "json"
    )
    assert result.code == 1
    rules = forwarder_checks(result, "forwarding rule enabled")
    missing = rules[f"account {member} eu-west-1"]
    assert missing["verdict"] == "FAIL"
    assert "enabled after the rollout" in missing["detail"]
    assert missing["fix"] == (
        "aws cloudformation create-stack-instances --call-as DELEGATED_ADMIN --region us-east-1 "
        "--stack-set-name wa-share-member-forwarder --regions eu-west-1 --deployment-targets "
        f'"OrganizationalUnitIds={root},Accounts={member},AccountFilterType=INTERSECTION"'
    )
    management = rules[f"account {org.management} eu-west-1"]
    assert management["verdict"] == "FAIL"
    assert management["fix"].startswith(f"in {org.management}: aws cloudformation deploy --region eu-west-1 ")
    assert f"CentralBusArn={cli.deployment.bus_arn}" in management["fix"]
    healthy = {scope for scope, check in rules.items() if check["verdict"] == "ok"}
    assert healthy == {f"account {member} us-east-1", f"account {org.management} us-east-1"} | {
        f"account {org.members[0]} {region}" for region in REGIONS
    }


def test_events_the_forwarder_could_not_deliver_are_reported_with_the_way_to_read_them(cli: Cli) -> None:
    """A bus policy that refuses the forwarding role: EventBridge gives up and dead-letters the event in the
    member account, where doctor finds it (and the sweep still shares the workload)."""
    member = cli.org.members[0]
    admit_any_principal_of(cli, "o-otherorg123")
    create_workload(cli.org, member, "eu-west-1", "undelivered")

    result = cli("doctor", "--account", member, "--output", "json")
    dead = forwarder_checks(result, "forwarder delivered everything")
    assert dead[f"account {member} eu-west-1"]["verdict"] == "FAIL"
    assert "1 CreateWorkload event(s)" in dead[f"account {member} eu-west-1"]["detail"]
    assert "aws sqs receive-message --queue-url" in dead[f"account {member} eu-west-1"]["fix"]
    assert dead[f"account {member} us-east-1"]["verdict"] == "ok"
    queue = cli.admin(member, "sqs", "eu-west-1").get_queue_url(QueueName="wa-share-forward-dead-letters")["QueueUrl"]
    [message] = cli.admin(member, "sqs", "eu-west-1").receive_message(QueueUrl=queue, MessageAttributeNames=["All"])[
        "Messages"
    ]
    assert message["MessageAttributes"]["ERROR_CODE"]["StringValue"] == "NO_PERMISSIONS"
    assert json.loads(message["Body"])["detail"]["eventName"] == "CreateWorkload"  # kept whole


def test_a_bus_policy_that_lets_any_member_principal_put_any_event_fails(cli: Cli) -> None:
    """The policy as it was before issue 13: the organization only, so a member could forge announcements."""
    admit_any_principal_of(cli, cli.org.org_id)
    result = cli("doctor", "--account", cli.org.members[0], "--output", "json")
    [bus] = [check for check in result.json()["checks"] if check["name"] == "bus policy admits the organization"]
    assert bus["verdict"] == "FAIL"
    assert "forged" in bus["detail"]
    assert "redeploy the stack" in bus["fix"]


def test_an_unreadable_share_rule_is_reported_and_every_other_check_still_runs(cli: Cli) -> None:
    member = cli.org.members[0]
    start_trail(cli, member)
    events = cli.admin(cli.org.automation, "events")
    rule, bus = cli.deployment.share_rule_name, cli.deployment.bus_name
    events.remove_targets(Rule=rule, EventBusName=bus, Ids=["share-queue"])
    events.delete_rule(Name=rule, EventBusName=bus)
    result = cli("doctor", "--account", member, "--output", "json")
    found = verdicts(result)
    unread = found[("forwarding rule enabled", f"share rule {cli.deployment.share_rule_arn}")]
    assert unread["verdict"] == "warn"
    assert "events:DescribeRule" in unread["fix"]
    assert found[("forwarding rule enabled", f"account {member} eu-west-1")]["verdict"] == "ok"
