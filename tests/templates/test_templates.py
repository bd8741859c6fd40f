"""The templates lint clean, build, route the right events, and grant in IAM exactly what the design promises."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from moto.events.models import EventPattern
from moto.events.utils import EventMessageType

from tests.support.factories import create_workload_event, share_event
from tests.support.templates import (
    CENTRAL,
    FORWARDER,
    REVIEWS,
    ROLES,
    ROOT,
    as_list,
    items,
    props,
    resources,
    role_statements,
    statements,
    template,
)
from wa_share.domain import DEFAULT_WA_REGIONS
from wa_share.realtime.queue import SHARE_MAX_RECEIVES
from wa_share.realtime.share_events import EVENT_NAMES
from wa_share.sweep.worker import SWEEP_MAX_RECEIVES
from wa_share_sandbox.cfn_templates import event_pattern, load_template
from wa_share_sandbox.iam_requests import UNSCOPABLE_ACTIONS  # with the reason IAM cannot scope each

BIN = Path(sys.executable).parent  # the venv's tools, whatever PATH says (CI runs from a fresh clone)

SHARE_ROLES = ("ShareFunctionRole", "SweepWorkerRole")  # the central roles that assume the member role


def run_tool(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0", "AWS_DEFAULT_REGION": "us-east-1"}
    return subprocess.run(  # noqa: S603 - fixed argv of the venv's own tools
        [str(BIN / args[0]), *args[1:]], cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False
    )


def get_att(value: Any) -> str:
    """The logical ID behind `Fn::GetAtt: [X, Arn]`."""
    resource, attribute = value["Fn::GetAtt"]
    assert attribute == "Arn"
    return str(resource)


def walk(node: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


# ---------------------------------------------------------------- the tools agree


@pytest.mark.parametrize("path", [CENTRAL, ROLES, FORWARDER, REVIEWS], ids=lambda path: path.name)
def test_cfn_lint_reports_nothing(path: Path) -> None:
    result = run_tool("cfn-lint", str(path))
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


@pytest.mark.parametrize("extra", [["--lint"], ["--region", "us-east-1"]], ids=["cfn-lint", "translator"])
def test_sam_validate(extra: list[str]) -> None:
    result = run_tool("sam", "validate", "--template", str(CENTRAL), *extra)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is a valid SAM Template" in result.stdout


@pytest.mark.slow
def test_sam_build_packages_the_functions_and_the_member_templates(tmp_path: Path) -> None:
    # From the repo root: its .python-version is what makes pyenv's python3.13 resolve.
    result = run_tool("sam", "build", "--template", str(CENTRAL), "--build-dir", str(tmp_path / "build"))
    assert result.returncode == 0, result.stdout + result.stderr
    built = load_template(tmp_path / "build" / "template.yaml")
    for logical_id, resource in built["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            code = tmp_path / "build" / resource["Properties"]["CodeUri"]
            assert (code / f"{resource['Properties']['Handler'].split('.')[0]}.py").is_file(), logical_id
            assert (code / "aws_lambda_powertools").is_dir(), logical_id
            # Tracing=Active needs the X-Ray SDK, but not a second botocore over the runtime's (handlers/Makefile).
            assert (code / "aws_xray_sdk").is_dir(), logical_id
            assert (code / "wrapt").is_dir(), logical_id
            assert not [path.name for path in code.iterdir() if path.name.startswith(("boto", "urllib3"))], logical_id
            assert_bytecode_ships(code)
        if resource["Type"] == "AWS::CloudFormation::StackSet":  # sam deploy uploads the file this points at
            pointed_at = (tmp_path / "build" / resource["Properties"]["TemplateURL"]).resolve()
            assert pointed_at == (ROOT / props(CENTRAL, logical_id)["TemplateURL"]).resolve(), logical_id


def assert_bytecode_ships(code: Path) -> None:
    """Lambda's /var/task is read-only: without shipped bytecode every cold start compiles from source."""
    sources = [*code.glob("*.py"), *(code / "wa_share").rglob("*.py"), *(code / "pydantic").glob("*.py")]
    assert len(sources) > 30, code
    for source in sources:
        header = (source.parent / "__pycache__" / f"{source.stem}.cpython-313.pyc").read_bytes()[:8]
        assert header[:4] == importlib.util.MAGIC_NUMBER, source  # written by this Python, the runtime's minor
        # Hash-based and unchecked (flags 0b01): used whatever the zip does to the sources' timestamps.
        assert int.from_bytes(header[4:8], "little") == 1, source


# ---------------------------------------------------------------- one event pattern, three places

SHARE_EVENTS = ("CreateWorkloadShare", "UpdateWorkloadShare", "DeleteWorkloadShare")


def create_workload_pattern() -> dict[str, Any]:
    return event_pattern(template(CENTRAL), "ShareRule")


def test_forwarder_archive_and_share_rule_use_one_pattern() -> None:
    forwarded = event_pattern(template(FORWARDER), "ForwardCreateWorkloadRule")
    archived = event_pattern(template(CENTRAL), "CreateWorkloadArchive")
    assert forwarded == archived == create_workload_pattern()


def test_the_pattern_names_exactly_the_calls_the_share_function_dispatches() -> None:
    assert create_workload_pattern()["detail"]["eventName"] == list(EVENT_NAMES)


def matches(event: dict[str, Any]) -> bool:
    pattern = EventPattern.load(json.dumps(create_workload_pattern()))
    return pattern.matches_event(cast(EventMessageType, event))


@pytest.mark.parametrize("style", ["WorkloadId", "Id"])
def test_pattern_matches_a_successful_create_workload(style: str) -> None:
    assert matches(create_workload_event(style=style))


@pytest.mark.parametrize("event_name", SHARE_EVENTS)
def test_pattern_matches_each_successful_share_call(event_name: str) -> None:
    assert matches(share_event(event_name))


def test_pattern_matches_a_replayed_event() -> None:
    assert matches(create_workload_event() | {"replay-name": "wa-share-replay-1"})
    assert matches(share_event("DeleteWorkloadShare") | {"replay-name": "wa-share-replay-1"})


def _other_event_name(name: str) -> Callable[[dict[str, Any]], None]:
    def change(event: dict[str, Any]) -> None:
        event["detail"]["eventName"] = name

    return change


def _other_source(event: dict[str, Any]) -> None:
    event["source"] = "aws.ec2"


def _other_event_source(event: dict[str, Any]) -> None:
    event["detail"]["eventSource"] = "ec2.amazonaws.com"


def _other_detail_type(event: dict[str, Any]) -> None:
    event["detail-type"] = "Workload Shared"  # wa-share's own announcements (source wa-share) never loop


def _read_only_call(event: dict[str, Any]) -> None:
    # Read-only calls never reach EventBridge; were one to, its name is not in the pattern.
    event["detail"] |= {"eventName": "ListWorkloadShares", "readOnly": True}


OTHER_CALLS = [
    _other_event_name("UpdateShareInvitation"),
    _other_event_name("DeleteWorkload"),
    _other_event_name("UpdateWorkload"),
    _other_event_name("CreateWorkloadShares"),
    _other_source,
    _other_event_source,
    _other_detail_type,
    _read_only_call,
]


@pytest.mark.parametrize("change", OTHER_CALLS)
@pytest.mark.parametrize("event_name", ["CreateWorkload", *SHARE_EVENTS])
def test_pattern_rejects_other_calls(change: Callable[[dict[str, Any]], None], event_name: str) -> None:
    event = create_workload_event() if event_name == "CreateWorkload" else share_event(event_name)
    change(event)
    assert not matches(event)


def test_pattern_rejects_a_failed_call() -> None:
    failed = create_workload_event(error_code="AccessDenied")
    assert failed["detail"]["responseElements"] is None
    assert not matches(failed)


@pytest.mark.parametrize("event_name", SHARE_EVENTS)
def test_pattern_rejects_each_failed_share_call(event_name: str) -> None:
    failed = share_event(event_name, error_code="AccessDeniedException")
    assert failed["detail"]["responseElements"] is None
    assert not matches(failed)


# ---------------------------------------------------------------- IAM promises


@pytest.mark.parametrize("path", [CENTRAL, ROLES, FORWARDER, REVIEWS], ids=lambda path: path.name)
def test_no_wildcard_action_and_no_negated_grant(path: Path) -> None:
    for key, value in walk(template(path)):
        assert key not in {"NotAction", "NotPrincipal", "NotResource"}
        if key == "Action":
            assert not [action for action in as_list(value) if "*" in action], value


@pytest.mark.parametrize("path", [CENTRAL, ROLES, REVIEWS], ids=lambda path: path.name)
def test_resource_star_only_for_actions_iam_cannot_scope(path: Path) -> None:
    for role in resources(path, "AWS::IAM::Role"):
        for statement in role_statements(path, role):
            assert statement["Effect"] == "Allow"
            if statement["Resource"] == "*":
                assert set(as_list(statement["Action"])) <= UNSCOPABLE_ACTIONS.keys(), (role, statement)


def test_member_role_is_assumable_only_by_named_central_principals_of_the_organization() -> None:
    trust = list(statements(props(ROLES, "MemberRole")["AssumeRolePolicyDocument"]))
    assert len(trust) == 2  # the central functions, and the optional operators
    for statement in trust:
        assert statement["Action"] == "sts:AssumeRole"
        assert statement["Principal"] == {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${CentralAccountId}:root"}}
        assert statement["Condition"]["StringEquals"] == {"aws:PrincipalOrgID": {"Ref": "OrganizationId"}}
        assert set(statement["Condition"]) == {"ArnEquals", "StringEquals"}
        assert set(statement["Condition"]["ArnEquals"]) == {"aws:PrincipalArn"}
    assert trust[1]["Condition"]["ArnEquals"]["aws:PrincipalArn"] == {"Ref": "OperatorPrincipalArns"}
    assert props(ROLES, "MemberRole")["MaxSessionDuration"] == 3600


def test_acceptor_role_trusts_the_same_central_roles_as_the_member_role_but_the_planner() -> None:
    (acceptor,) = statements(props(REVIEWS, "AcceptorRole")["AssumeRolePolicyDocument"])
    member = next(statements(props(ROLES, "MemberRole")["AssumeRolePolicyDocument"]))
    assert {key: acceptor[key] for key in ("Effect", "Principal", "Action")} == {
        key: member[key] for key in ("Effect", "Principal", "Action")
    }
    planner = {"Fn::Sub": "arn:${AWS::Partition}:iam::${CentralAccountId}:role/${CentralRolePrefix}-sweep-planner"}
    member_arns = [arn for arn in items(member["Condition"]["ArnEquals"]["aws:PrincipalArn"]) if arn != planner]
    assert acceptor["Condition"]["ArnEquals"]["aws:PrincipalArn"] == member_arns  # the planner only reads
    assert acceptor["Condition"]["StringEquals"] == member["Condition"]["StringEquals"]
    granted = {action for s in role_statements(REVIEWS, "AcceptorRole") for action in as_list(s["Action"])}
    assert granted == {"wellarchitected:ListShareInvitations", "wellarchitected:UpdateShareInvitation"}


def test_member_role_trusts_exactly_the_central_roles_that_assume_it() -> None:
    trust = next(statements(props(ROLES, "MemberRole")["AssumeRolePolicyDocument"]))
    trusted = {arn["Fn::Sub"] for arn in items(trust["Condition"]["ArnEquals"]["aws:PrincipalArn"])}
    prefix = "arn:${AWS::Partition}:iam::${CentralAccountId}:role/"
    assumers = {
        prefix + props(CENTRAL, role)["RoleName"]["Fn::Sub"]
        for role in resources(CENTRAL, "AWS::IAM::Role")
        if any("sts:AssumeRole" in as_list(s["Action"]) for s in role_statements(CENTRAL, role))
    }
    assert trusted == assumers
    assert assumers == {
        prefix + "${CentralRolePrefix}-share-function",
        prefix + "${CentralRolePrefix}-sweep-worker",
        prefix + "${CentralRolePrefix}-sweep-planner",  # reads the reviews side (DescribeRegions, ListWorkloads)
    }


@pytest.mark.parametrize("role", SHARE_ROLES)
def test_central_roles_assume_only_the_member_and_acceptor_roles_inside_the_organization(role: str) -> None:
    assumes = [s for s in role_statements(CENTRAL, role) if s["Action"] == "sts:AssumeRole"]
    assert [s["Resource"] for s in assumes] == [
        {"Fn::Sub": "arn:${AWS::Partition}:iam::*:role/${MemberRoleName}"},
        {"Fn::Sub": "arn:${AWS::Partition}:iam::*:role/${AcceptorRoleName}"},
    ]
    for assume in assumes:
        assert assume["Condition"] == {"StringEquals": {"aws:ResourceOrgID": {"Ref": "OrganizationId"}}}
    assert props(ROLES, "MemberRole")["RoleName"] == {"Ref": "MemberRoleName"}
    conditional = [
        s["Fn::If"] for s in props(CENTRAL, role)["Policies"][0]["PolicyDocument"]["Statement"] if "Fn::If" in s
    ]
    # The acceptor and announcement grants exist only when those optional features are switched on.
    expected = [
        ("HasAcceptor", "AssumeAcceptorRoleInOrganization", {"Ref": "AWS::NoValue"}),
        ("AnnouncementsOn", "AnnounceNewShares", {"Ref": "AWS::NoValue"}),
        ("AnnouncementsOn", "AnnounceOnCentralBus", {"Ref": "AWS::NoValue"}),
    ]
    if role == "SweepWorkerRole":  # the sweep checks that an inviter is in the organization before accepting
        expected.insert(0, ("HasAcceptor", "CheckInvitersAreInOrganization", {"Ref": "AWS::NoValue"}))
    expected.append(("TracingOn", "WriteTraces", {"Ref": "AWS::NoValue"}))  # X-Ray, with Tracing=Active only
    assert [(branch[0], branch[1]["Sid"], branch[2]) for branch in conditional] == expected


def test_member_role_grants_the_calls_the_code_makes_on_this_accounts_workloads_only() -> None:
    granted = {
        action: statement["Resource"]
        for statement in role_statements(ROLES, "MemberRole")
        for action in as_list(statement["Action"])
    }
    own_workloads = {"Fn::Sub": "arn:${AWS::Partition}:wellarchitected:*:${AWS::AccountId}:workload/*"}
    rule_name = props(FORWARDER, "ForwardCreateWorkloadRule")["Name"]
    forwarding_rule = {"Fn::Sub": f"arn:${{AWS::Partition}}:events:*:${{AWS::AccountId}}:rule/{rule_name}"}
    assert granted == {
        "wellarchitected:ListWorkloads": "*",
        "wellarchitected:ListWorkloadShares": own_workloads,
        "wellarchitected:CreateWorkloadShare": own_workloads,
        "wellarchitected:UpdateWorkloadShare": own_workloads,  # drift policy "enforce" only (conditional)
        "wellarchitected:DeleteWorkloadShare": own_workloads,  # dead rows before a re-share, duplicates
        "wellarchitected:GetWorkload": own_workloads,  # the workload's name, for announcements (conditional)
        "wellarchitected:UpdateGlobalSettings": "*",  # organization sharing mode only (conditional)
        "iam:CreateServiceLinkedRole": {  # organization sharing mode only (conditional)
            "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/"
            "wellarchitected.amazonaws.com/AWSServiceRoleForWellArchitected"
        },
        "ec2:DescribeRegions": "*",
        # wa-share doctor's reads
        "cloudtrail:DescribeTrails": "*",
        "cloudtrail:GetTrailStatus": {"Fn::Sub": "arn:${AWS::Partition}:cloudtrail:*:*:trail/*"},
        "events:DescribeRule": forwarding_rule,
        "events:ListTargetsByRule": forwarding_rule,
        "sqs:GetQueueAttributes": {
            "Fn::Sub": "arn:${AWS::Partition}:sqs:*:${AWS::AccountId}:wa-share-forward-dead-letters"
        },
        "cloudformation:DescribeStacks": [  # the README's plain member stacks (the management account's)
            {"Fn::Sub": "arn:${AWS::Partition}:cloudformation:*:${AWS::AccountId}:stack/wa-share-roles/*"},
            {"Fn::Sub": "arn:${AWS::Partition}:cloudformation:*:${AWS::AccountId}:stack/wa-share-forwarder/*"},
        ],
    }


def test_forwarding_role_is_for_this_accounts_rules_and_the_central_bus_only() -> None:
    (trust,) = statements(props(ROLES, "ForwardingRole")["AssumeRolePolicyDocument"])
    assert trust["Principal"] == {"Service": "events.amazonaws.com"}
    assert trust["Action"] == "sts:AssumeRole"
    rule_name = props(FORWARDER, "ForwardCreateWorkloadRule")["Name"]
    assert trust["Condition"] == {
        "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
        # the forwarding rule only, in any region of this account
        "ArnLike": {
            "aws:SourceArn": {"Fn::Sub": f"arn:${{AWS::Partition}}:events:*:${{AWS::AccountId}}:rule/{rule_name}"}
        },
    }
    (grant,) = role_statements(ROLES, "ForwardingRole")
    assert (grant["Action"], grant["Resource"]) == ("events:PutEvents", {"Ref": "CentralBusArn"})


def test_forwarder_sends_to_the_central_bus_with_the_forwarding_role() -> None:
    (target,) = props(FORWARDER, "ForwardCreateWorkloadRule")["Targets"]
    assert target["Arn"] == {"Ref": "CentralBusArn"}
    assert target["RoleArn"] == {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${ForwardingRoleName}"}
    assert "EventBusName" not in props(FORWARDER, "ForwardCreateWorkloadRule")  # the default bus, where CloudTrail is


def test_central_bus_accepts_forwarded_create_workload_events_from_the_organization_only() -> None:
    statement = props(CENTRAL, "CentralEventBusPolicy")["Statement"]
    assert statement["Action"] == "events:PutEvents"
    assert statement["Resource"] == {"Fn::GetAtt": ["CentralEventBus", "Arn"]}
    pattern = template(CENTRAL)["Resources"]["ShareRule"]["Properties"]["EventPattern"]
    assert statement["Condition"] == {
        "StringEquals": {"aws:PrincipalOrgID": {"Ref": "OrganizationId"}},
        "ArnLike": {"aws:PrincipalArn": {"Fn::Sub": "arn:${AWS::Partition}:iam::*:role/${ForwardingRoleName}"}},
        # exactly what the share rule takes: nothing else, announcements included, can come from a member
        "ForAllValues:StringEquals": {"events:source": pattern["source"], "events:detail-type": pattern["detail-type"]},
    }


def test_shared_names_are_declared_alike_in_every_template() -> None:
    for name in ("MemberRoleName", "ForwardingRoleName", "CentralRolePrefix", "OperatorPrincipalArns"):
        specs = {
            path.name: (spec.get("Default"), spec["Type"], spec.get("AllowedPattern"))
            for path in (CENTRAL, ROLES, FORWARDER, REVIEWS)
            if (spec := template(path)["Parameters"].get(name))
        }
        assert len(specs) >= 2, name
        assert len(set(specs.values())) == 1, (name, specs)


def test_each_function_writes_only_to_its_own_log_group() -> None:
    for function in resources(CENTRAL, "AWS::Serverless::Function").values():
        name = function["Properties"]["FunctionName"]["Fn::Sub"]
        (log_grant,) = [
            s for s in role_statements(CENTRAL, function["Properties"]["Role"]["Fn::GetAtt"][0]) if "logs:" in str(s)
        ]
        assert set(log_grant["Action"]) == {"logs:CreateLogStream", "logs:PutLogEvents"}
        group = props(CENTRAL, get_att(log_grant["Resource"]))
        assert group["LogGroupName"] == {"Fn::Sub": f"/aws/lambda/{name}"}
        assert group["RetentionInDays"] == {"Ref": "LogRetentionDays"}
        assert function["DependsOn"] == get_att(log_grant["Resource"])


# ---------------------------------------------------------------- queues


def queue_ids() -> set[str]:
    return set(resources(CENTRAL, "AWS::SQS::Queue"))


def dead_letter_targets() -> dict[str, str]:
    """Dead-letter queue -> the queue (or function) that fails over to it."""
    targets = {
        get_att(queue["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]): source
        for source, queue in resources(CENTRAL, "AWS::SQS::Queue").items()
        if "RedrivePolicy" in queue["Properties"]
    }
    for name, function in resources(CENTRAL, "AWS::Serverless::Function").items():
        on_failure = function["Properties"].get("EventInvokeConfig", {}).get("DestinationConfig", {}).get("OnFailure")
        if on_failure:
            targets[get_att(on_failure["Destination"])] = name
    return targets


def test_every_queue_is_encrypted_and_either_has_a_dead_letter_queue_or_is_one() -> None:
    for queue in queue_ids():
        properties = props(CENTRAL, queue)
        assert properties.get("SqsManagedSseEnabled") is True or "KmsMasterKeyId" in properties, queue
        assert "RedrivePolicy" in properties or queue in dead_letter_targets(), queue


def test_dead_letter_queues_keep_messages_longer_than_their_sources() -> None:
    # SQS keeps a message's original enqueue time when it dead-letters it.
    for dead_letter, source in dead_letter_targets().items():
        assert props(CENTRAL, dead_letter)["MessageRetentionPeriod"] == 14 * 24 * 3600
        if source in queue_ids():
            assert props(CENTRAL, source)["MessageRetentionPeriod"] < 14 * 24 * 3600


def sqs_consumers() -> Iterator[tuple[dict[str, Any], str, dict[str, Any]]]:
    for function in resources(CENTRAL, "AWS::Serverless::Function").values():
        for event in function["Properties"].get("Events", {}).values():
            if event["Type"] == "SQS":
                yield function["Properties"], get_att(event["Properties"]["Queue"]), event["Properties"]


def test_queue_visibility_covers_six_consumer_timeouts() -> None:
    consumers = list(sqs_consumers())
    assert sorted(queue for _, queue, _ in consumers) == ["ShareQueue", "SweepQueue"]
    for function, queue, event in consumers:
        assert props(CENTRAL, queue)["VisibilityTimeout"] >= 6 * function["Timeout"]
        assert event["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_the_share_function_records_a_failure_on_the_share_queues_last_receive() -> None:
    redrive = props(CENTRAL, "ShareQueue")["RedrivePolicy"]
    assert redrive["maxReceiveCount"] == SHARE_MAX_RECEIVES
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": ["ShareFailureQueue", "Arn"]}
    rule_targets = props(CENTRAL, "ShareRule")["Targets"]
    assert [target["Arn"] for target in rule_targets] == [{"Fn::GetAtt": ["ShareQueue", "Arn"]}]


def test_worker_dead_letters_on_the_queues_last_receive() -> None:
    worker = props(CENTRAL, "SweepWorkerFunction")["Environment"]["Variables"]
    redrive = props(CENTRAL, "SweepQueue")["RedrivePolicy"]
    assert redrive["maxReceiveCount"] == SWEEP_MAX_RECEIVES
    assert redrive["maxReceiveCount"] >= 5  # AWS's advice for Lambda event sources: throttled receives count
    assert worker["SWEEP_DLQ_URL"] == {"Ref": get_att(redrive["deadLetterTargetArn"])}


@pytest.mark.parametrize(
    ("queue", "parameter"), [("SweepQueue", "SweepMaximumConcurrency"), ("ShareQueue", "ShareMaximumConcurrency")]
)
def test_the_sweep_and_the_share_function_are_capped_apart_so_neither_starves_the_other(
    queue: str, parameter: str
) -> None:
    [event] = [event for _, name, event in sqs_consumers() if name == queue]
    assert event["ScalingConfig"] == {"MaximumConcurrency": {"Ref": parameter}}
    cap = template(CENTRAL)["Parameters"][parameter]
    assert (cap["Type"], cap["MinValue"], cap["MaxValue"]) == ("Number", 2, 1000)  # ScalingConfig's own range
    assert cap["Default"] <= 10  # of Lambda's default 1,000 per account: everything else keeps the rest
    # Capped rather than reserved: no function reserves concurrency out of the account's pool.
    functions = resources(CENTRAL, "AWS::Serverless::Function").values()
    assert all("ReservedConcurrentExecutions" not in function["Properties"] for function in functions)


def test_the_worker_keeps_time_to_settle_its_batch_before_its_timeout() -> None:
    from wa_share.runtime.deadline import MARGIN_MS

    worker = props(CENTRAL, "SweepWorkerFunction")
    assert worker["Timeout"] * 1000 / 10 > MARGIN_MS  # the margin stays a small share of the invocation
    assert int(worker["Environment"]["Variables"]["WORKLOAD_CONCURRENCY"]) >= 1


def test_the_full_sweep_day_reaches_the_planner() -> None:
    planner = props(CENTRAL, "SweepPlannerFunction")["Environment"]["Variables"]
    assert planner["FULL_SWEEP_DAY"] == {"Ref": "FullSweepDay"}
    assert set(template(CENTRAL)["Parameters"]["FullSweepDay"]["AllowedValues"]) == {
        "MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN", "DAILY"
    }  # fmt: skip


def test_function_roles_reach_exactly_their_queues() -> None:
    sent = {
        role: {get_att(s["Resource"]) for s in role_statements(CENTRAL, role) if s["Action"] == "sqs:SendMessage"}
        for role in resources(CENTRAL, "AWS::IAM::Role")
    }
    assert sent == {
        "ShareFunctionRole": {"ShareFailureQueue", "ShareQueue"},  # a throttled event is sent back to its queue
        "SweepPlannerRole": {"SweepQueue"},
        "SweepWorkerRole": {"SweepDeadLetterQueue", "SweepQueue"},  # the rest of an account split at its deadline
        "ProbeRole": set(),
    }
    (consume,) = [s for s in role_statements(CENTRAL, "SweepWorkerRole") if "sqs:ReceiveMessage" in s["Action"]]
    assert get_att(consume["Resource"]) == "SweepQueue"


# ---------------------------------------------------------------- alarms, settings, wiring


def test_alarms_publish_to_a_topic_cloudwatch_can_use() -> None:
    topic = props(CENTRAL, "AlarmTopic")
    assert topic["KmsMasterKeyId"] == {"Ref": "AlarmTopicKey"}  # a key whose policy can admit CloudWatch
    (key_grant,) = [s for s in statements(props(CENTRAL, "AlarmTopicKey")["KeyPolicy"]) if "Service" in s["Principal"]]
    assert key_grant["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert set(key_grant["Action"]) == {"kms:GenerateDataKey", "kms:Decrypt"}
    topic_arn = key_grant["Condition"]["StringEquals"]["kms:EncryptionContext:aws:sns:topicArn"]["Fn::Sub"]
    assert topic_arn.endswith(":" + topic["TopicName"]["Fn::Sub"])
    (publish,) = statements(props(CENTRAL, "AlarmTopicPolicy")["PolicyDocument"])
    assert publish["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    alarm_arns = publish["Condition"]["ArnLike"]["aws:SourceArn"]["Fn::Sub"]
    for name, alarm in resources(CENTRAL, "AWS::CloudWatch::Alarm").items():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}], name
        assert alarm_arns.endswith(":alarm:${AWS::StackName}-*")
        assert alarm["Properties"]["AlarmName"]["Fn::Sub"].startswith("${AWS::StackName}-"), name


def test_missed_by_realtime_alarm_watches_the_metric_powertools_emits() -> None:
    env = template(CENTRAL)["Globals"]["Function"]["Environment"]["Variables"]
    alarm = props(CENTRAL, "MissedByRealtimeAlarm")
    assert (alarm["Namespace"], alarm["MetricName"]) == (env["POWERTOOLS_METRICS_NAMESPACE"], "MissedByRealtime")
    assert alarm["Dimensions"] == [{"Name": "service", "Value": env["POWERTOOLS_SERVICE_NAME"]}]
    assert (alarm["Statistic"], alarm["Period"], alarm["TreatMissingData"]) == ("Sum", 86400, "notBreaching")


def test_default_regions_are_the_ones_the_code_knows() -> None:
    parameters = template(CENTRAL)["Parameters"]
    regions = [*parameters["WaRegions"]["Default"].split(","), *parameters["WaOptInRegions"]["Default"].split(",")]
    assert tuple(regions) == DEFAULT_WA_REGIONS


@pytest.mark.parametrize(
    ("stack_set", "member", "regions"),
    [
        ("MemberRolesStackSet", ROLES, [{"Ref": "HomeRegion"}]),
        ("MemberForwarderStackSet", FORWARDER, {"Ref": "WaRegions"}),
        ("MemberOptInForwarderStackSet", FORWARDER, {"Ref": "WaOptInRegions"}),
    ],
)
def test_stack_sets_deploy_the_member_templates_with_the_parameters_they_declare(
    stack_set: str, member: Path, regions: Any
) -> None:
    properties = props(CENTRAL, stack_set)
    assert ROOT / properties["TemplateURL"] == member
    declared = template(member)["Parameters"]
    passed = {parameter["ParameterKey"] for parameter in items(properties["Parameters"])}
    assert passed <= set(declared)
    assert {name for name, spec in declared.items() if "Default" not in spec} <= passed
    (group,) = properties["StackInstancesGroup"]
    assert group["Regions"] == regions
    assert group["DeploymentTargets"] == {"OrganizationalUnitIds": {"Ref": "MemberTargetOrganizationalUnitIds"}}
    assert (properties["PermissionModel"], properties["CallAs"]) == ("SERVICE_MANAGED", "DELEGATED_ADMIN")
    assert template(CENTRAL)["Resources"][stack_set]["Condition"] in {"DeployStackSets", "DeployOptInForwarders"}


def test_forwarders_are_deployed_after_the_roles_they_use() -> None:
    assert template(CENTRAL)["Resources"]["MemberForwarderStackSet"]["DependsOn"] == "MemberRolesStackSet"


def test_outputs_the_cli_reads() -> None:
    assert set(template(CENTRAL)["Outputs"]) >= {
        "CentralEventBusArn",
        "CentralEventBusName",
        "CreateWorkloadArchiveArn",
        "CreateWorkloadArchiveName",
        "ShareRuleArn",
        "ShareFunctionName",
        "ShareFunctionArn",
        "ShareFailureQueueUrl",
        "ShareFailureQueueArn",
        "SweepQueueUrl",
        "SweepDeadLetterQueueUrl",
        "SweepDeadLetterQueueArn",
        "SweepPlannerFunctionName",
        "SweepWorkerFunctionName",
        "MemberRoleName",
        "ReviewsAccountIds",
        "OrganizationId",
        "AlarmTopicArn",
        "ArchiveRetentionDays",
    }
