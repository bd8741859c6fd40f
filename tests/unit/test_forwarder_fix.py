"""The command doctor prints for an enabled region without a forwarder: the StackSet of that kind of region,
or a plain stack with the central stack's own forwarder parameters."""

from __future__ import annotations

from wa_share_cli.operations.doctor_central import deploy_forwarder_command
from wa_share_cli.operations.stack import StackOutputs

BUS = "arn:aws:events:us-east-1:111122223333:event-bus/wa-share-central"
STACK_SETS = {
    "DeployMemberStackSets": "true",
    "MemberTargetOrganizationalUnitIds": "r-ab12",
    "WaRegions": "us-east-1,eu-west-1",
    "WaOptInRegions": "ap-east-1,me-south-1",
}


def outputs(parameters: dict[str, str], *, published: bool = True) -> StackOutputs:
    values = {"CentralEventBusArn": BUS}
    if published:
        values["MemberForwarderParameters"] = f"CentralBusArn={BUS} ForwardingRoleName=custom-forwarder"
    return StackOutputs("wa-share", "us-east-1", values, parameters)


def test_an_opt_in_region_gets_an_instance_of_the_opt_in_stack_set() -> None:
    fix = deploy_forwarder_command(outputs(STACK_SETS), "222233334444", "ap-east-1", management="999999999999")
    assert "--stack-set-name wa-share-member-forwarder-opt-in --regions ap-east-1" in fix
    fix = deploy_forwarder_command(outputs(STACK_SETS), "222233334444", "eu-west-1", management="999999999999")
    assert "--stack-set-name wa-share-member-forwarder --regions eu-west-1" in fix


def test_the_management_account_gets_a_plain_stack_with_the_central_stacks_forwarder_parameters() -> None:
    fix = deploy_forwarder_command(outputs(STACK_SETS), "999999999999", "ap-east-1", management="999999999999")
    assert fix == (
        "in 999999999999: aws cloudformation deploy --region ap-east-1 --stack-name wa-share-forwarder "
        "--template-file member_stackset/forwarder.yaml --parameter-overrides "
        f"CentralBusArn={BUS} ForwardingRoleName=custom-forwarder"
    )


def test_a_stack_from_before_the_outputs_still_gets_a_working_command() -> None:
    old = outputs({"ForwardingRoleName": "old-forwarder"}, published=False)
    fix = deploy_forwarder_command(old, "222233334444", "eu-west-1", management=None)
    assert fix.endswith(f"--parameter-overrides CentralBusArn={BUS} ForwardingRoleName=old-forwarder")
