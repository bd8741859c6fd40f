"""Doctor compares a member StackSet's parameters with the defaults of the template it deployed, read
from DescribeStackSet's TemplateBody: YAML with CloudFormation's short-form tags, or JSON."""

from __future__ import annotations

import json

from wa_share_cli.operations.doctor_parameters import differences, template_defaults

YAML_BODY = """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  CentralAccountId:
    Type: String
  MemberRoleName:
    Type: String
    Default: wa-share-member
  Announcements:
    Type: String
    Default: false
  OperatorPrincipalArns:
    Type: CommaDelimitedList
    Default: ""
Conditions:
  HasOperators: !Not [!Equals [!Join [",", !Ref OperatorPrincipalArns], ""]]
Resources:
  MemberRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Ref MemberRoleName
      Path: !Sub /${AWS::StackName}/
"""


def test_defaults_are_read_from_a_yaml_template_with_short_form_tags() -> None:
    assert template_defaults(YAML_BODY) == {
        "CentralAccountId": "",
        "MemberRoleName": "wa-share-member",
        "Announcements": "false",  # as CloudFormation spells it, not Python's False
        "OperatorPrincipalArns": "",
    }


def test_defaults_are_read_from_a_json_template_and_nothing_from_no_template() -> None:
    body = json.dumps({"Parameters": {"ForwardingRoleName": {"Type": "String", "Default": "wa-share-forwarder"}}})
    assert template_defaults(body) == {"ForwardingRoleName": "wa-share-forwarder"}
    assert template_defaults(None) == {}
    assert template_defaults("{not yaml") == {}


def test_a_parameter_left_out_takes_the_deployed_templates_default() -> None:
    defaults = template_defaults(YAML_BODY)
    wanted = {"CentralAccountId": "123456789012"}
    assert differences(defaults, {"CentralAccountId": "123456789012"}, wanted) == []
    changed = differences(defaults, {"CentralAccountId": "123456789012", "MemberRoleName": "other"}, wanted)
    assert changed == ["MemberRoleName='other' (needed: 'wa-share-member')"]
