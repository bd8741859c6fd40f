"""Doctor checks in one member account, through its member role: role, CloudTrail, forwarding rules and
the events they could not deliver.

The member role grants exactly the read calls made here (member_stackset/roles.yaml, Sid Doctor*).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from wa_share.aws.access import AccountSession, AwsError, ErrorKind, Sessions, aws_call
from wa_share.aws.regions import enabled_regions
from wa_share.sweep.forwarder_dead_letters import FORWARDER_DEAD_LETTER_QUEUE, forwarder_dead_letter_queue_url
from wa_share_cli.cfn_templates import event_pattern, load_template, templates_root
from wa_share_cli.operations import messages
from wa_share_cli.operations.checks import Check, fail, ok, warn

if TYPE_CHECKING:
    from mypy_boto3_cloudtrail import CloudTrailClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_sqs import SQSClient

ROLE_CHECK = "member role assumable"
TRAIL_CHECK = "CloudTrail trail logging"
RULE_CHECK = "forwarding rule enabled"
DEAD_LETTER_CHECK = "forwarder delivered everything"
# (account, region) -> the command that deploys the forwarder there
ForwarderFix = Callable[[str, str], str]
ROLES_FIX = "update the member roles stack (member_stackset/roles.yaml) in this account: it grants doctor's reads"


@cache
def forwarder_rule_name() -> str:
    """The rule's fixed Name, read from the template that creates it."""
    template = load_template(templates_root() / "member_stackset" / "forwarder.yaml")
    return str(template["Resources"]["ForwardCreateWorkloadRule"]["Properties"]["Name"])


def check_account(
    sessions: Sessions,
    account: str,
    regions: Sequence[str],
    bus_arn: str,
    home: str,
    *,
    deploy_forwarder: ForwarderFix | None = None,
) -> list[Check]:
    """`regions` are the WA regions to cover; those this account has enabled must each have a forwarder
    (StackSet auto-deployment covers new accounts, not a region an account enables later)."""
    scope = f"account {account}"
    try:
        session = sessions.member(account)
        enabled = enabled_regions(session.ec2(home), account)
    except AwsError as error:
        fix = (
            f"deploy member_stackset/roles.yaml to {account} (the management account takes it as a plain stack) "
            "and list your role in its OperatorPrincipalArns"
        )
        return [fail(ROLE_CHECK, scope, str(error), fix)]
    covered = [region for region in regions if region in enabled]
    checks = [ok(ROLE_CHECK, scope, f"{sessions.role_arn(account)}; regions enabled: {len(covered)}/{len(regions)}")]
    checks.append(check_trail(session, account, covered, home))
    deploy = deploy_forwarder or _plain_stack
    for region in covered:
        checks.append(check_forwarder(session.events(region), account, region, bus_arn, deploy(account, region)))
        checks.append(check_forward_dead_letters(session.sqs(region), account, region))
    return checks


def _plain_stack(account: str, region: str) -> str:
    return f"deploy member_stackset/forwarder.yaml in {region} of {account} (the forwarder StackSet)"


def check_trail(session: AccountSession, account: str, regions: Sequence[str], home: str) -> Check:
    """A logging trail must cover every WA region: multi-region (an organization trail is one) or in-region."""
    scope = f"account {account}"
    trail_fix = (
        "create an organization trail in the management account (aws cloudtrail create-trail --name org-trail "
        "--s3-bucket-name BUCKET --is-organization-trail --is-multi-region-trail, then start-logging)"
    )
    try:
        trails = _trails(_cloudtrail(session, home), account)
    except AwsError as error:
        return warn(TRAIL_CHECK, scope, str(error), ROLES_FIX)
    logging: list[dict[str, Any]] = []
    unknown: list[str] = []
    for trail in trails:
        try:
            if _is_logging(_cloudtrail(session, trail.get("HomeRegion", home)), trail):
                logging.append(trail)
        except AwsError as error:
            unknown.append(f"{trail.get('Name')}: {error.code}")
    uncovered = [region for region in regions if not any(_covers(trail, region) for trail in logging)]
    if not uncovered:
        names = ", ".join(str(trail.get("Name")) for trail in logging)
        return ok(TRAIL_CHECK, scope, f"logging: {names}" if names else "no WA region enabled")
    if unknown:
        return warn(TRAIL_CHECK, scope, f"status unreadable for {', '.join(unknown)}", ROLES_FIX)
    stopped = [str(trail.get("Name")) for trail in trails if trail not in logging]
    detail = f"no logging trail covers {', '.join(uncovered)}" + (
        f" (stopped: {', '.join(stopped)})" if stopped else ""
    )
    fix = f"aws cloudtrail start-logging --name {stopped[0]}" if stopped else trail_fix
    return fail(TRAIL_CHECK, scope, detail + ": CreateWorkload events never reach EventBridge", fix)


def _cloudtrail(session: AccountSession, region: str) -> CloudTrailClient:
    client: CloudTrailClient = session.client("cloudtrail", region)
    return client


def _trails(cloudtrail: CloudTrailClient, account: str) -> list[dict[str, Any]]:
    with aws_call("cloudtrail:DescribeTrails", f"account {account}"):
        return [dict(trail) for trail in cloudtrail.describe_trails(includeShadowTrails=True).get("trailList", [])]


def _is_logging(cloudtrail: CloudTrailClient, trail: dict[str, Any]) -> bool:
    arn = str(trail.get("TrailARN") or trail.get("Name"))
    with aws_call("cloudtrail:GetTrailStatus", arn):
        return bool(cloudtrail.get_trail_status(Name=arn).get("IsLogging"))


def _covers(trail: dict[str, Any], region: str) -> bool:
    return bool(trail.get("IsMultiRegionTrail")) or trail.get("HomeRegion") == region


def check_forwarder(events: EventBridgeClient, account: str, region: str, bus_arn: str, deploy: str) -> Check:
    name = forwarder_rule_name()
    scope = f"account {account} {region}"
    try:
        with aws_call("events:DescribeRule", f"rule {name} in {account} {region}"):
            rule = events.describe_rule(Name=name)
        with aws_call("events:ListTargetsByRule", f"rule {name} in {account} {region}"):
            targets = events.list_targets_by_rule(Rule=name).get("Targets", [])
    except AwsError as error:
        if error.kind is ErrorKind.NOT_FOUND:
            detail = f"no rule {name} on the default bus: a region enabled after the rollout gets no forwarder"
            return fail(RULE_CHECK, scope, detail, deploy)
        return warn(RULE_CHECK, scope, str(error), ROLES_FIX)
    if rule.get("State") != "ENABLED":
        fix = f"aws events enable-rule --name {name} --region {region} (in {account})"
        return fail(RULE_CHECK, scope, f"rule {name} is {rule.get('State')}", fix)
    if not any(target.get("Arn") == bus_arn for target in targets):
        found = ", ".join(str(target.get("Arn")) for target in targets) or "no target"
        fix = f"update the forwarder stack in {region} of {account} with CentralBusArn={bus_arn}"
        return fail(RULE_CHECK, scope, f"rule {name} sends to {found}, not the central bus", fix)
    missing = unforwarded_events(rule.get("EventPattern"))
    if missing:
        fix = f"update the forwarder stack in {region} of {account}: its current template forwards them"
        return fail(RULE_CHECK, scope, f"rule {name} does not forward {', '.join(missing)}", fix)
    return ok(RULE_CHECK, scope, f"{name} → central bus")


def unforwarded_events(deployed_pattern: str | None) -> list[str]:
    """The calls forwarder.yaml forwards that a deployed rule's pattern leaves out (an older forwarder
    forwards CreateWorkload alone, and the share guard would not see that region's share calls)."""
    template = load_template(templates_root() / "member_stackset" / "forwarder.yaml")
    wanted = event_pattern(template, "ForwardCreateWorkloadRule")["detail"]["eventName"]
    try:
        deployed = json.loads(deployed_pattern or "{}").get("detail", {}).get("eventName", [])
    except (ValueError, AttributeError):
        deployed = []
    return [name for name in wanted if name not in deployed]


def check_forward_dead_letters(sqs: SQSClient, account: str, region: str) -> Check:
    """Events EventBridge gave up delivering to the central bus (forwarder.yaml's dead-letter queue)."""
    name = FORWARDER_DEAD_LETTER_QUEUE
    url = forwarder_dead_letter_queue_url(account, region)
    scope = f"account {account} {region}"
    try:
        visible, in_flight = messages.depth(sqs, url)
    except AwsError as error:
        if error.kind is ErrorKind.NOT_FOUND:
            fix = f"update the forwarder stack in {region} of {account}: its current template adds the queue"
            return warn(DEAD_LETTER_CHECK, scope, f"no dead-letter queue {name}", fix)
        return warn(DEAD_LETTER_CHECK, scope, str(error), ROLES_FIX)
    if visible + in_flight == 0:
        return ok(DEAD_LETTER_CHECK, scope, f"{name} empty")
    detail = f"{visible + in_flight} CreateWorkload event(s) EventBridge could not deliver to the central bus"
    fix = (
        f"read them (aws sqs receive-message --queue-url {url} --message-attribute-names All, in {account}): "
        "ERROR_CODE names the cause (the forwarding role or the bus policy); the nightly sweep shares those "
        "workloads; then purge the queue"
    )
    return fail(DEAD_LETTER_CHECK, scope, detail, fix)
