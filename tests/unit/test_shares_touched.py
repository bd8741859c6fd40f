"""`WellArchitected.shares_touched`: what lets a throttled event keep the one-call path. A throttle is refused
before AWS acts; any other answer to a share call, success or failure, may have changed a share."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from wa_share.aws.access import AwsError
from wa_share.aws.wellarchitected import WellArchitected

WORKLOAD = "8cdcdf7add10b181fdd3f686dacffdac"
SHARE = "9d31298f89c7429a8133814957bab888"
CREATE = {"WorkloadId": WORKLOAD, "SharedWith": "111122223333", "PermissionType": "READONLY", "ClientRequestToken": "t"}


def _wellarchitected() -> tuple[WellArchitected, Stubber]:
    client = boto3.client("wellarchitected", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    return WellArchitected(client, account_id="444455556666", region="us-east-1"), Stubber(client)


def _create(wa: WellArchitected) -> str:
    return wa.create_share(WORKLOAD, principal="111122223333", permission="READONLY", token="t")


def test_a_list_and_a_throttled_create_touch_nothing() -> None:
    wa, stub = _wellarchitected()
    stub.add_response(
        "list_workload_shares", {"WorkloadShareSummaries": []}, {"WorkloadId": WORKLOAD, "MaxResults": 50}
    )
    stub.add_client_error("create_workload_share", "ThrottlingException", http_status_code=429, expected_params=CREATE)
    with stub:
        assert wa.list_shares(WORKLOAD) == []
        with pytest.raises(AwsError) as raised:
            _create(wa)
    assert raised.value.throttled
    assert wa.shares_touched is False


@pytest.mark.parametrize(
    ("code", "status"),
    [("InternalServerException", 500), ("ConflictException", 409), ("ValidationException", 400)],
)
def test_a_share_call_answered_otherwise_may_have_changed_a_share(code: str, status: int) -> None:
    wa, stub = _wellarchitected()
    stub.add_client_error("create_workload_share", code, http_status_code=status, expected_params=CREATE)
    with stub, pytest.raises(AwsError):
        _create(wa)
    assert wa.shares_touched is True


def test_a_share_made_stays_touched_through_a_later_throttle() -> None:
    wa, stub = _wellarchitected()
    stub.add_response("create_workload_share", {"WorkloadId": WORKLOAD, "ShareId": SHARE}, CREATE)
    stub.add_client_error("create_workload_share", "ThrottlingException", http_status_code=429, expected_params=CREATE)
    with stub:
        assert _create(wa) == SHARE
        with pytest.raises(AwsError):
            _create(wa)
    assert wa.shares_touched is True


def test_deleting_and_updating_a_share_touch_it() -> None:
    wa, stub = _wellarchitected()
    delete = {"WorkloadId": WORKLOAD, "ShareId": SHARE, "ClientRequestToken": "d"}
    stub.add_response("delete_workload_share", {}, delete)
    with stub:
        wa.delete_share(WORKLOAD, share_id=SHARE, token="d")
    assert wa.shares_touched is True
    other, stub = _wellarchitected()
    update = {"WorkloadId": WORKLOAD, "ShareId": SHARE, "PermissionType": "READONLY"}
    stub.add_response("update_workload_share", {"WorkloadId": WORKLOAD}, update)
    with stub:
        other.update_share_permission(WORKLOAD, share_id=SHARE, permission="READONLY")
    assert other.shares_touched is True
