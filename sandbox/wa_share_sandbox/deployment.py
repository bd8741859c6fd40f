"""Deploy wa-share's real templates into a simulated organization.

Member side: `member_stackset/roles.yaml` and `forwarder.yaml` go through moto's CloudFormation, as a
StackSet would put them (and as plain stacks in the management account). Central side: moto cannot run
the SAM transform or invoke Lambda, so the resources are read out of `template.yaml` (names, event
patterns, queue attributes, role trust, function environment) and created through the APIs; the share
rule targets the share queue, whose batches the runner hands to the real handler as Lambda's event source
mapping would.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from wa_share_sandbox.alarms import deploy_alarms
from wa_share_sandbox.bus_policy import deliver_whole_envelopes
from wa_share_sandbox.cfn_templates import event_pattern, load_template, templates_root
from wa_share_sandbox.function_policies import put_function_policies
from wa_share_sandbox.lambda_functions import create_functions
from wa_share_sandbox.member_paths import (
    MemberParameters,
    MemberPath,
    deploy_member_side,
    documented_parameters,
    stack_set_names,
)
from wa_share_sandbox.organization import HOME_REGION, SimulatedOrganization
from wa_share_sandbox.resolver import Resolver
from wa_share_sandbox.stack_resources import StackResource, register

STACK_NAME = "wa-share"
FUNCTION_ROLES = {
    "share": "ShareFunctionRole",
    "planner": "SweepPlannerRole",
    "worker": "SweepWorkerRole",
    "probe": "ProbeRole",  # with Probe=on-demand or scheduled only
}
FUNCTIONS = {
    "share": "ShareFunction",
    "planner": "SweepPlannerFunction",
    "worker": "SweepWorkerFunction",
    "probe": "ProbeFunction",
}
QUEUES = ("ShareFailureQueue", "ShareQueue", "SweepDeadLetterQueue", "SweepQueue")  # dead-letter queues first


@dataclass
class Deployment:
    org: SimulatedOrganization
    regions: tuple[str, ...]
    parameters: dict[str, Any]
    bus_arn: str = ""
    archive_arn: str = ""
    share_rule_arn: str = ""
    share_rule_name: str = ""
    invocation_queue_url: str = ""  # the share rule's target, the share function's event source (ShareQueue)
    queue_urls: dict[str, str] = field(default_factory=dict)
    # The deployment's variables by name, one value each (tests change a setting here, as a stack update
    # would); each function receives only those its template environment names (`function_variables`).
    function_env: dict[str, str] = field(default_factory=dict)
    function_variables: dict[str, frozenset[str]] = field(default_factory=dict)
    function_credentials: dict[str, dict[str, str]] = field(default_factory=dict)
    accounts_without_role: frozenset[str] = frozenset()

    @property
    def bus_name(self) -> str:
        return self.bus_arn.rsplit("/", 1)[-1]

    def environment(self, function: str) -> dict[str, str]:
        """The function's environment as Lambda would set it: its template variables, and AWS_REGION."""
        names = self.function_variables[function] | {"AWS_REGION"}
        return {name: value for name, value in self.function_env.items() if name in names}


def deploy(
    org: SimulatedOrganization,
    regions: tuple[str, ...],
    *,
    overrides: dict[str, Any] | None = None,
    accounts_without_role: frozenset[str] = frozenset(),
    forwarders: bool = True,
    member_path: MemberPath = "stacksets",
) -> Deployment:
    """Deploy both sides, the member side by `member_path` (member_paths.py); call before
    `install_trust_checks()` (the harness sets roles up as admin)."""
    deliver_whole_envelopes()
    template = load_template(templates_root() / "template.yaml")
    parameters = _parameters(template, org, regions, overrides or {})
    deployment = Deployment(org, regions, parameters, accounts_without_role=accounts_without_role)
    _deploy_central(deployment, template)
    stack_sets = MemberParameters(
        roles=stackset_parameters(deployment, "MemberRolesStackSet"),
        forwarder=stackset_parameters(deployment, "MemberForwarderStackSet"),
    )
    deploy_member_side(
        org,
        regions,
        path=member_path,
        stack_sets=stack_sets,
        documented=documented_parameters(org, STACK_NAME),
        names=stack_set_names(
            org, member_path, STACK_NAME, central_creates=parameters["DeployMemberStackSets"] == "true"
        ),
        accounts_without_role=accounts_without_role,
        forwarders=forwarders,
    )
    return deployment


def _parameters(
    template: dict[str, Any], org: SimulatedOrganization, regions: tuple[str, ...], overrides: dict[str, Any]
) -> dict[str, Any]:
    values: dict[str, Any] = {name: spec.get("Default") for name, spec in template["Parameters"].items()}
    # The story's regions are all enabled by default (scenario.py): no opt-in region, no opt-in StackSet.
    values |= {"OrganizationId": org.org_id, "ReviewsAccountIds": [org.reviews], "WaRegions": list(regions)}
    values |= {"WaOptInRegions": []}
    values |= overrides
    for name, spec in template["Parameters"].items():
        if spec.get("Type") == "CommaDelimitedList" and isinstance(values[name], str):
            values[name] = [item.strip() for item in values[name].split(",") if item.strip()]
    return values


def stackset_parameters(deployment: Deployment, logical_id: str) -> dict[str, str]:
    """The parameters template.yaml's StackSet `logical_id` gives its member stacks, resolved for this
    deployment: the sandbox deploys the member templates exactly as the StackSets would."""
    template = load_template(templates_root() / "template.yaml")
    resolver = Resolver(
        deployment.parameters,
        account=deployment.org.automation,
        region=HOME_REGION,
        stack=STACK_NAME,
        conditions=template.get("Conditions", {}),
    )
    resolver.define("CentralEventBus", ref=deployment.bus_name, arn=deployment.bus_arn)
    values: dict[str, str] = {}
    for item in template["Resources"][logical_id]["Properties"]["Parameters"]:
        chosen = item
        if isinstance(item, dict) and set(item) == {"Fn::If"}:
            name, when_true, when_false = item["Fn::If"]
            chosen = when_true if resolver.condition(name) else when_false
        if chosen == {"Ref": "AWS::NoValue"}:
            continue  # left out, as CloudFormation leaves it out: the member template's default applies
        values[str(chosen["ParameterKey"])] = str(resolver.value(chosen["ParameterValue"]))
    return values


def _deploy_central(deployment: Deployment, template: dict[str, Any]) -> None:
    org, resources = deployment.org, template["Resources"]
    resolver = Resolver(
        deployment.parameters,
        account=org.automation,
        region=HOME_REGION,
        stack=STACK_NAME,
        conditions=template.get("Conditions", {}),
    )
    events = org.client(org.automation, "events")
    bus_name = resolver.value(resources["CentralEventBus"]["Properties"]["Name"])
    deployment.bus_arn = events.create_event_bus(Name=bus_name)["EventBusArn"]
    resolver.define("CentralEventBus", ref=bus_name, arn=deployment.bus_arn)
    policy = resources["CentralEventBusPolicy"]["Properties"]
    statement = {"Sid": policy["StatementId"]} | resolver.value(policy["Statement"])
    events.put_permission(EventBusName=bus_name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    _deploy_queues(deployment, resources, resolver)
    archive = resources["CreateWorkloadArchive"]["Properties"]
    archive_name = f"{STACK_NAME}-create-workload"
    deployment.archive_arn = events.create_archive(
        ArchiveName=archive_name,
        EventSourceArn=deployment.bus_arn,
        EventPattern=json.dumps(event_pattern(template, "CreateWorkloadArchive")),
        RetentionDays=int(resolver.value(archive["RetentionDays"])),
    )["ArchiveArn"]
    deployment.share_rule_name = str(resolver.value(resources["ShareRule"]["Properties"]["Name"]))
    deployment.share_rule_arn = events.put_rule(
        Name=deployment.share_rule_name,
        EventBusName=bus_name,
        EventPattern=json.dumps(event_pattern(template, "ShareRule")),
        State="ENABLED",
    )["RuleArn"]
    resolver.define("CreateWorkloadArchive", ref=archive_name, arn=deployment.archive_arn)
    resolver.define("ShareRule", ref=deployment.share_rule_name, arn=deployment.share_rule_arn)
    [target] = resources["ShareRule"]["Properties"]["Targets"]
    events.put_targets(
        Rule=deployment.share_rule_name,
        EventBusName=bus_name,
        Targets=[{"Id": target["Id"], "Arn": str(resolver.value(target["Arn"]))}],
    )
    deployment.invocation_queue_url = deployment.queue_urls["ShareQueue"]
    _deploy_function_roles(deployment, resources, resolver)
    _deploy_announcement_topic(deployment, resources, resolver)
    put_function_policies(deployment.org, FUNCTION_ROLES.values(), resources, resolver)
    _function_environments(deployment, template, resolver)
    environments = {logical_id: deployment.environment(function) for function, logical_id in FUNCTIONS.items()}
    create_functions(deployment.org, template, resolver, environments)
    _define_topic_and_dashboard(deployment, resolver)
    alarms = deploy_alarms(deployment.org, resources, resolver)
    stack_id = _publish_outputs(deployment, template, resolver)
    register(stack_id, (StackResource(logical, name, "AWS::CloudWatch::Alarm") for logical, name in alarms.items()))


def _deploy_announcement_topic(deployment: Deployment, resources: dict[str, Any], resolver: Resolver) -> None:
    """With Announcements=true, the topic the functions publish new shares on (template.yaml's name)."""
    topic = resources["AnnouncementTopic"]
    if not resolver.condition(topic["Condition"]):
        return
    name = str(resolver.value(topic["Properties"]["TopicName"]))
    arn = deployment.org.client(deployment.org.automation, "sns").create_topic(Name=name)["TopicArn"]
    resolver.define("AnnouncementTopic", ref=arn, arn=arn)


def _function_environments(deployment: Deployment, template: dict[str, Any], resolver: Resolver) -> None:
    """Each function's variables: Globals', then its own; a variable has one value across the functions."""
    shared = template["Globals"]["Function"]["Environment"]["Variables"]
    values: dict[str, str] = {"AWS_REGION": HOME_REGION}
    for function, logical_id in FUNCTIONS.items():
        own = template["Resources"][logical_id]["Properties"].get("Environment", {}).get("Variables", {})
        variables = {name: str(resolver.value(value)) for name, value in (shared | own).items()}
        clashes = sorted(name for name, value in variables.items() if values.setdefault(name, value) != value)
        if clashes:
            raise ValueError(f"template.yaml gives {logical_id} other values of {', '.join(clashes)}")
        deployment.function_variables[function] = frozenset(variables)
    deployment.function_env = values


def _define_topic_and_dashboard(deployment: Deployment, resolver: Resolver) -> None:
    """Names the alarms and outputs refer to (the topic is the stack's own resource)."""
    org = deployment.org
    topic_arn = f"arn:aws:sns:{HOME_REGION}:{org.automation}:{STACK_NAME}-alarms"
    resolver.define("AlarmTopic", ref=topic_arn, arn=topic_arn)
    resolver.define("Dashboard", ref=STACK_NAME, arn="")


def _publish_outputs(deployment: Deployment, template: dict[str, Any], resolver: Resolver) -> str:
    """A stack named like the real one, carrying template.yaml's outputs: the CLI finds everything there."""
    org = deployment.org
    outputs = {
        name: {"Value": str(resolver.value(output["Value"])), "Description": output.get("Description", name)}
        for name, output in template["Outputs"].items()
        if "Condition" not in output or resolver.condition(output["Condition"])
    }
    topic = {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": f"{STACK_NAME}-alarms"}}
    # The deployed parameter values too, as DescribeStacks returns them for the real stack (the CLI reads the
    # sharing policy and regions there). Declared as String: moto mangles CommaDelimitedList values.
    values = {
        name: ",".join(value) if isinstance(value, list) else str(value)
        for name, value in deployment.parameters.items()
    }
    stack = {
        "Parameters": {name: {"Type": "String"} for name in values},
        "Resources": {"AlarmTopic": topic},
        "Outputs": outputs,
    }
    return str(
        org.client(org.automation, "cloudformation").create_stack(
            StackName=STACK_NAME,
            TemplateBody=json.dumps(stack),
            Parameters=[{"ParameterKey": name, "ParameterValue": value} for name, value in values.items()],
        )["StackId"]
    )


def _deploy_queues(deployment: Deployment, resources: dict[str, Any], resolver: Resolver) -> None:
    sqs = deployment.org.client(deployment.org.automation, "sqs")
    for logical_id in QUEUES:
        properties = resolver.value(resources[logical_id].get("Properties", {}))
        attributes = {
            key: json.dumps(value)
            if isinstance(value, dict)
            else str(value).lower()
            if isinstance(value, bool)
            else str(value)
            for key, value in properties.items()
        }
        url = sqs.create_queue(QueueName=f"{STACK_NAME}-{logical_id}", Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        deployment.queue_urls[logical_id] = url
        resolver.define(logical_id, ref=url, arn=arn, QueueName=url.rsplit("/", 1)[-1])


def _deploy_function_roles(deployment: Deployment, resources: dict[str, Any], resolver: Resolver) -> None:
    org = deployment.org
    iam = org.client(org.automation, "iam")
    for function, logical_id in FUNCTION_ROLES.items():
        if "Condition" in resources[logical_id] and not resolver.condition(resources[logical_id]["Condition"]):
            continue
        properties = resources[logical_id]["Properties"]
        role_name = str(resolver.value(properties["RoleName"]))
        iam.create_role(
            RoleName=role_name,
            AssumeRolePolicyDocument=json.dumps(resolver.value(properties["AssumeRolePolicyDocument"])),
        )
        # What Lambda itself would hold when it runs the function as this role.
        deployment.function_credentials[function] = org.role_credentials(org.automation, role_name, function)
        resolver.define(logical_id, ref=role_name, arn=f"arn:aws:iam::{org.automation}:role/{role_name}")
