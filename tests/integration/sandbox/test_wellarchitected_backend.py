"""The sandbox Well-Architected backend, driven through boto3 as the real service would be."""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto import backend_index, mock_aws
from moto.core.base_backend import BackendDict
from moto.server import ThreadedMotoServer

from wa_share_sandbox import wellarchitected as wab
from wa_share_sandbox.wellarchitected import lifecycle as wellarchitected_lifecycle

if TYPE_CHECKING:
    from mypy_boto3_wellarchitected import WellArchitectedClient

REGION = "eu-west-1"
OWNER, REVIEWS, OTHER = "111111111111", "222222222222", "333333333333"
NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})
Client = Callable[[str], "WellArchitectedClient"]


@pytest.fixture(autouse=True)
def _settings() -> Iterator[None]:
    wab.install()
    yield
    wab.reset_faults()
    wab.set_cloudtrail_filter(None)
    wab.set_response_elements_style("WorkloadId")
    wab.reset_lifecycle()


@pytest.fixture
def wa() -> Iterator[Client]:
    """``wa(account)``: a WA client with assumed-role credentials of that account."""
    with mock_aws():
        yield lambda account: _session(account).client("wellarchitected", config=NO_RETRIES)


def _session(account: str, endpoint: str | None = None) -> boto3.Session:
    base = boto3.Session(aws_access_key_id="AKIDBASE", aws_secret_access_key="x", region_name=REGION)
    role = f"arn:aws:iam::{account}:role/X"
    creds = base.client("sts", endpoint_url=endpoint).assume_role(RoleArn=role, RoleSessionName="tester")
    c = creds["Credentials"]
    return boto3.Session(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"], region_name=REGION)


def _create(client: WellArchitectedClient, name: str = "payments", **extra: Any) -> str:
    params: dict[str, Any] = {
        "WorkloadName": name,
        "Description": "a workload",
        "Environment": "PRODUCTION",
        "Lenses": ["wellarchitected"],
        "AwsRegions": [REGION],
        "ReviewOwner": "team@example.com",
    }
    return client.create_workload(**(params | extra))["WorkloadId"]


def _share(client: WellArchitectedClient, workload_id: str, to: str = REVIEWS, **extra: Any) -> str:
    params = {"WorkloadId": workload_id, "SharedWith": to, "PermissionType": "READONLY"} | extra
    return client.create_workload_share(**params)["ShareId"]


def _code(call: Callable[[], object]) -> str:
    with pytest.raises(ClientError) as err:
        call()
    return str(err.value.response["Error"]["Code"])


def _shares(client: WellArchitectedClient, workload_id: str) -> dict[str, str]:
    summaries = client.list_workload_shares(WorkloadId=workload_id)["WorkloadShareSummaries"]
    return {s["ShareId"]: s["Status"] for s in summaries}


def _invitations(client: WellArchitectedClient) -> list[dict[str, Any]]:
    found = client.list_share_invitations(ShareResourceType="WORKLOAD")["ShareInvitationSummaries"]
    return [dict(i) for i in found]


def test_create_get_and_list_carry_the_owner(wa: Client) -> None:
    owner = wa(OWNER)
    workload_id = _create(owner)
    workload = owner.get_workload(WorkloadId=workload_id)["Workload"]
    assert re.fullmatch(r"[0-9a-f]{32}", workload_id)
    assert workload["Owner"] == OWNER
    assert workload["WorkloadArn"] == f"arn:aws:wellarchitected:{REGION}:{OWNER}:workload/{workload_id}"
    assert [s["Owner"] for s in owner.list_workloads()["WorkloadSummaries"]] == [OWNER]
    assert wa(OTHER).list_workloads()["WorkloadSummaries"] == []
    assert _code(lambda: wa(OTHER).get_workload(WorkloadId=workload_id)) == "ResourceNotFoundException"


def test_create_workload_validates_like_the_service(wa: Client) -> None:
    owner = wa(OWNER)
    _create(owner, "Payments API")
    assert _code(lambda: _create(owner, "payments  api")) == "ConflictException"  # spaces and case ignored
    assert _code(lambda: _create(owner, "no-regions", AwsRegions=[])) == "ValidationException"
    backend = wab.get_backend(OWNER, REGION)
    for n in range(wab.WORKLOAD_QUOTA - 1):
        backend.create_workload({"WorkloadName": f"w{n}", "Lenses": ["x"], "AwsRegions": ["r"], "ReviewOwner": "o"})
    assert _code(lambda: _create(owner, "one-too-many")) == "ServiceQuotaExceededException"


def test_list_workloads_pages_and_validates_max_results(wa: Client) -> None:
    owner = wa(OWNER)
    created = {_create(owner, f"workload-{n:02}") for n in range(53)}
    first = owner.list_workloads()
    assert len(first["WorkloadSummaries"]) == 50
    seen, token = [s["WorkloadId"] for s in first["WorkloadSummaries"]], first.get("NextToken")
    while token:
        page = owner.list_workloads(MaxResults=2, NextToken=token)
        seen, token = seen + [s["WorkloadId"] for s in page["WorkloadSummaries"]], page.get("NextToken")
    assert sorted(seen) == sorted(created)
    assert len(owner.list_workloads(WorkloadNamePrefix="workload-5")["WorkloadSummaries"]) == 3
    assert _code(lambda: owner.list_workloads(MaxResults=51)) == "ValidationException"
    assert _code(lambda: owner.list_workloads(NextToken="garbage")) == "ValidationException"


def test_accepted_invitation_lists_the_workload_with_its_owner(wa: Client) -> None:
    owner, reviews = wa(OWNER), wa(REVIEWS)
    workload_id = _create(owner)
    share_id = _share(owner, workload_id)
    assert _shares(owner, workload_id) == {share_id: "PENDING"}
    [invitation] = _invitations(reviews)
    assert invitation["WorkloadId"] == workload_id
    assert invitation["SharedBy"] == OWNER
    assert invitation["ShareInvitationId"] != share_id  # deliberately different: match on WorkloadId
    assert reviews.list_workloads()["WorkloadSummaries"] == []  # not before acceptance
    pending = reviews.get_workload(WorkloadId=workload_id)["Workload"]
    assert pending["ShareInvitationId"] == invitation["ShareInvitationId"]
    reviews.update_share_invitation(ShareInvitationId=invitation["ShareInvitationId"], ShareInvitationAction="ACCEPT")
    assert _shares(owner, workload_id) == {share_id: "ACCEPTED"}
    assert _invitations(reviews) == []
    [summary] = reviews.list_workloads()["WorkloadSummaries"]
    assert (summary["WorkloadId"], summary["Owner"]) == (workload_id, OWNER)
    assert reviews.get_workload(WorkloadId=workload_id)["Workload"]["Owner"] == OWNER


def test_rejected_invitation_ends_the_share(wa: Client) -> None:
    owner, reviews = wa(OWNER), wa(REVIEWS)
    workload_id = _create(owner)
    share_id = _share(owner, workload_id)
    invitation_id = _invitations(reviews)[0]["ShareInvitationId"]
    reviews.update_share_invitation(ShareInvitationId=invitation_id, ShareInvitationAction="REJECT")
    assert _shares(owner, workload_id) == {share_id: "REJECTED"}
    assert reviews.list_workloads()["WorkloadSummaries"] == []
    assert _code(lambda: reviews.get_workload(WorkloadId=workload_id)) == "ResourceNotFoundException"
    again = _share(owner, workload_id)  # a rejected share is not live: sharing again is allowed
    assert _shares(owner, workload_id) == {share_id: "REJECTED", again: "PENDING"}


def test_only_the_owner_may_manage_shares(wa: Client) -> None:
    owner, reviews, other = wa(OWNER), wa(REVIEWS), wa(OTHER)
    workload_id = _create(owner)
    share_id = _share(owner, workload_id)
    reviews.update_share_invitation(
        ShareInvitationId=_invitations(reviews)[0]["ShareInvitationId"], ShareInvitationAction="ACCEPT"
    )
    assert _code(lambda: _share(reviews, workload_id, to=OTHER)) == "AccessDeniedException"
    assert _code(lambda: reviews.list_workload_shares(WorkloadId=workload_id)) == "AccessDeniedException"

    def update() -> object:
        return reviews.update_workload_share(WorkloadId=workload_id, ShareId=share_id, PermissionType="READONLY")

    assert _code(update) == "AccessDeniedException"
    assert _code(lambda: _share(other, workload_id, to=REVIEWS)) == "ResourceNotFoundException"
    eu_central = _session(OWNER).client("wellarchitected", region_name="eu-central-1", config=NO_RETRIES)
    assert _code(lambda: _share(eu_central, workload_id)) == "ResourceNotFoundException"  # own region only


def test_share_principal_rules(wa: Client) -> None:
    owner = wa(OWNER)
    workload_id = _create(owner)
    assert _code(lambda: _share(owner, workload_id, to=OWNER)) == "ValidationException"
    assert _code(lambda: _share(owner, workload_id, to="not-an-account")) == "ValidationException"
    assert _code(lambda: _share(owner, workload_id, to="o-abcdefghij")) == "ValidationException"
    owner.update_global_settings(OrganizationSharingStatus="ENABLED")
    org_share = _share(owner, workload_id, to="o-abcdefghij")
    ou_share = _share(owner, workload_id, to="ou-abcd-abcdefgh")
    assert _shares(owner, workload_id) == {org_share: "ASSOCIATING", ou_share: "ASSOCIATING"}


def test_a_second_live_share_conflicts_but_a_dead_one_does_not(wa: Client) -> None:
    owner = wa(OWNER)
    workload_id = _create(owner)
    first = _share(owner, workload_id)
    assert _code(lambda: _share(owner, workload_id, PermissionType="CONTRIBUTOR")) == "ConflictException"
    wab.get_backend(OWNER, REGION).set_share_status(workload_id, first, "EXPIRED")
    assert _invitations(wa(REVIEWS)) == []  # an expired share has no invitation
    second = _share(owner, workload_id)
    assert _shares(owner, workload_id) == {first: "EXPIRED", second: "PENDING"}
    assert [s.share_id for s in wab.get_backend(OWNER, REGION).list_all_shares(workload_id)] == [first, second]
    with pytest.raises(ValueError, match="unknown share status"):
        wab.get_backend(OWNER, REGION).set_share_status(workload_id, first, "GONE")


def test_twenty_share_rows_per_workload_whatever_their_status(wa: Client) -> None:
    owner = wa(OWNER)
    workload_id = _create(owner)
    backend = wab.get_backend(OWNER, REGION)
    for n in range(20):
        share_id = _share(owner, workload_id, to=f"{500000000000 + n}")
        if n % 2:
            backend.set_share_status(workload_id, share_id, "REVOKED")
    with pytest.raises(ClientError) as err:
        _share(owner, workload_id, to="999999999999")
    assert err.value.response["Error"]["Code"] == "ServiceQuotaExceededException"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 402
    listed = owner.list_workload_shares(WorkloadId=workload_id, Status="REVOKED", SharedWithPrefix="5", MaxResults=4)
    assert len(listed["WorkloadShareSummaries"]) == 4
    assert "NextToken" in listed


def test_client_request_tokens_are_idempotent_and_can_go_stale(wa: Client) -> None:
    owner = wa(OWNER)
    workload_id = _create(owner, ClientRequestToken="create-1")
    assert _create(owner, ClientRequestToken="create-1") == workload_id
    assert _code(lambda: _create(owner, "another", ClientRequestToken="create-1")) == "ConflictException"
    share_id = _share(owner, workload_id, ClientRequestToken="share-1")
    assert _share(owner, workload_id, ClientRequestToken="share-1") == share_id
    assert _code(lambda: _share(owner, workload_id, to=OTHER, ClientRequestToken="share-1")) == "ConflictException"
    owner.delete_workload_share(WorkloadId=workload_id, ShareId=share_id, ClientRequestToken="delete-1")
    assert _share(owner, workload_id, ClientRequestToken="share-1") == share_id  # stale: nothing re-shared
    assert _shares(owner, workload_id) == {}
    fresh = _share(owner, workload_id, ClientRequestToken="share-2")
    assert _shares(owner, workload_id) == {fresh: "PENDING"}


@pytest.mark.parametrize("blocks", [False, True])
def test_switch_a_dead_row_blocks_a_new_share(wa: Client, blocks: bool) -> None:
    wab.configure_lifecycle(dead_row_blocks=blocks)
    owner = wa(OWNER)
    workload_id = _create(owner)
    wab.get_backend(OWNER, REGION).set_share_status(workload_id, _share(owner, workload_id), "EXPIRED")
    if blocks:
        assert _code(lambda: _share(owner, workload_id)) == "ConflictException"
    else:
        second = _share(owner, workload_id)
        assert _shares(owner, workload_id)[second] == "PENDING"
    assert _share(owner, workload_id, to=OTHER)  # another principal's dead row never blocks


@pytest.mark.parametrize("outlives", [False, True])
def test_switch_a_token_outlives_its_deleted_share(wa: Client, outlives: bool) -> None:
    wab.configure_lifecycle(token_outlives_share=outlives)
    owner = wa(OWNER)
    workload_id = _create(owner)
    first = _share(owner, workload_id, ClientRequestToken="token-1")
    owner.delete_workload_share(WorkloadId=workload_id, ShareId=first, ClientRequestToken="delete-1")
    again = _share(owner, workload_id, ClientRequestToken="token-1")
    assert (again == first) is outlives
    assert _shares(owner, workload_id) == ({} if outlives else {again: "PENDING"})


@pytest.mark.parametrize("counted", [False, True])
def test_switch_dead_rows_count_toward_the_quota(wa: Client, counted: bool) -> None:
    wab.configure_lifecycle(dead_rows_count_quota=counted)
    owner = wa(OWNER)
    workload_id = _create(owner)
    backend = wab.get_backend(OWNER, REGION)
    for n in range(wab.SHARE_QUOTA):
        backend.set_share_status(workload_id, _share(owner, workload_id, to=f"{500000000000 + n}"), "EXPIRED")
    if counted:
        assert _code(lambda: _share(owner, workload_id)) == "ServiceQuotaExceededException"
    else:
        created = _share(owner, workload_id)
        assert _shares(owner, workload_id)[created] == "PENDING"


@pytest.mark.parametrize("conflicts", [False, True])
def test_switch_a_second_live_share_to_the_same_principal(wa: Client, conflicts: bool) -> None:
    wab.configure_lifecycle(duplicate_live_conflicts=conflicts)
    owner = wa(OWNER)
    workload_id = _create(owner)
    first = _share(owner, workload_id)
    if conflicts:
        assert _code(lambda: _share(owner, workload_id)) == "ConflictException"
    else:
        second = _share(owner, workload_id)
        assert _shares(owner, workload_id) == {first: "PENDING", second: "PENDING"}


def test_every_combination_of_the_switches_is_offered_once() -> None:
    combinations = wellarchitected_lifecycle.every_lifecycle()
    assert len(set(combinations)) == len(combinations) == 16
    assert combinations[-1].label() == "blocks+outlives+quota+conflicts"
    assert combinations[0].label() == "none"
    assert wab.Lifecycle() == wab.configure_lifecycle(wab.Lifecycle())  # the default: today's sandbox


def test_updating_a_share_needs_a_new_acceptance(wa: Client) -> None:
    owner, reviews = wa(OWNER), wa(REVIEWS)
    workload_id = _create(owner)
    share_id = _share(owner, workload_id)
    invitation_id = _invitations(reviews)[0]["ShareInvitationId"]
    reviews.update_share_invitation(ShareInvitationId=invitation_id, ShareInvitationAction="ACCEPT")
    updated = owner.update_workload_share(WorkloadId=workload_id, ShareId=share_id, PermissionType="CONTRIBUTOR")
    assert updated["WorkloadShare"]["Status"] == "PENDING"
    assert updated["WorkloadShare"]["PermissionType"] == "CONTRIBUTOR"
    assert updated["WorkloadShare"]["SharedBy"] == OWNER
    assert [i["PermissionType"] for i in _invitations(reviews)] == ["CONTRIBUTOR"]
    assert reviews.list_workloads()["WorkloadSummaries"] == []


def test_deleting_removes_access(wa: Client) -> None:
    owner, reviews = wa(OWNER), wa(REVIEWS)
    workload_id = _create(owner)
    _share(owner, workload_id)
    reviews.update_share_invitation(
        ShareInvitationId=_invitations(reviews)[0]["ShareInvitationId"], ShareInvitationAction="ACCEPT"
    )
    assert (
        _code(lambda: reviews.delete_workload(WorkloadId=workload_id, ClientRequestToken="d1"))
        == "AccessDeniedException"
    )
    owner.delete_workload(WorkloadId=workload_id, ClientRequestToken="d2")
    assert _code(lambda: owner.get_workload(WorkloadId=workload_id)) == "ResourceNotFoundException"
    assert reviews.list_workloads()["WorkloadSummaries"] == []


def _observe_default_bus(account: str) -> Callable[[], list[dict[str, Any]]]:
    """A rule on the account's default bus that copies WA CloudTrail events into an SQS queue."""
    session = _session(account)
    sqs, events = session.client("sqs"), session.client("events")
    url = sqs.create_queue(QueueName="cloudtrail")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    pattern = {"source": ["aws.wellarchitected"], "detail-type": ["AWS API Call via CloudTrail"]}
    events.put_rule(Name="wa", EventPattern=json.dumps(pattern))
    events.put_targets(Rule="wa", Targets=[{"Id": "queue", "Arn": arn}])
    return lambda: [
        json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    ]


def test_create_workload_calls_reach_the_default_bus(wa: Client) -> None:
    received = _observe_default_bus(OWNER)
    owner = wa(OWNER)
    workload_id = _create(owner, ClientRequestToken="tok")
    _code(lambda: _create(owner, "no-regions", AwsRegions=[]))
    ok, failed = (event["detail"] for event in received())
    assert ok["eventSource"] == "wellarchitected.amazonaws.com"
    assert ok["eventName"] == "CreateWorkload"
    assert (ok["awsRegion"], ok["recipientAccountId"], ok["userIdentity"]["accountId"]) == (REGION, OWNER, OWNER)
    assert ok["userIdentity"]["arn"] == f"arn:aws:sts::{OWNER}:assumed-role/X/tester"
    assert ok["requestParameters"]["Name"] == "***"
    assert ok["requestParameters"]["ClientRequestToken"] == "tok"
    assert ok["requestParameters"]["Lenses"] == ["wellarchitected"]
    assert ok["readOnly"] is False
    arn = f"arn:aws:wellarchitected:{REGION}:{OWNER}:workload/{workload_id}"
    assert ok["responseElements"] == {"WorkloadId": workload_id, "WorkloadArn": arn}
    assert "errorCode" not in ok
    assert ok["eventType"] == "AwsApiCall"
    assert ok["eventID"] != failed["eventID"]
    assert failed["responseElements"] is None
    assert failed["errorCode"] == "ValidationException"
    assert failed["errorMessage"]


def test_cloudtrail_filter_and_user_guide_style(wa: Client) -> None:
    received = _observe_default_bus(OWNER)
    owner = wa(OWNER)
    wab.set_cloudtrail_filter(lambda _record: False)
    _create(owner, "lost")
    assert received() == []
    wab.set_cloudtrail_filter(None)
    wab.set_response_elements_style("Id")
    workload_id = _create(owner, "kept")
    [event] = received()
    assert event["detail"]["responseElements"]["Id"] == workload_id
    assert event["detail"]["responseElements"]["Arn"].endswith(f":workload/{workload_id}")


def test_injected_faults_raise_the_right_codes(wa: Client) -> None:
    received = _observe_default_bus(OWNER)
    calls: list[tuple[str, str, str]] = []

    def fault(operation: str, account: str, region: str) -> str | None:
        calls.append((operation, account, region))
        return {"ListWorkloads": "ThrottlingException", "CreateWorkload": "InternalServerException"}.get(operation)

    wab.configure_faults(fault=fault)
    with pytest.raises(ClientError) as err:
        wa(OWNER).list_workloads()
    assert err.value.response["Error"]["Code"] == "ThrottlingException"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert _code(lambda: _create(wa(OWNER))) == "InternalServerException"
    assert calls == [("ListWorkloads", OWNER, REGION), ("CreateWorkload", OWNER, REGION)]
    assert [e["detail"]["errorCode"] for e in received()] == ["InternalServerException"]
    wab.reset_faults()
    assert wa(OWNER).list_workloads()["WorkloadSummaries"] == []


def test_latency_is_per_call_and_overlaps_across_threads(wa: Client) -> None:
    clients = [wa(account) for account in (OWNER, REVIEWS, OTHER, "444444444444")]
    wab.configure_faults(latency_seconds=0.5)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=4) as pool:
        pages = list(pool.map(lambda client: client.list_workloads()["WorkloadSummaries"], clients))
    assert pages == [[], [], [], []]
    assert 0.5 <= time.monotonic() - started < 1.5  # four sequential calls would take 2 s


def test_install_after_mock_aws_starts_and_state_resets() -> None:
    backend_index.backend_url_patterns[:] = [p for p in backend_index.backend_url_patterns if p[0] != "wellarchitected"]
    sys.modules.pop("moto.wellarchitected", None)
    with mock_aws():
        wab.install()
        wab.install()
        assert sum(name == "wellarchitected" for name, _ in backend_index.backend_url_patterns) == 1
        _create(_session(OWNER).client("wellarchitected"))
    with mock_aws():
        assert _session(OWNER).client("wellarchitected").list_workloads()["WorkloadSummaries"] == []


def test_threaded_moto_server_serves_the_backend() -> None:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        owner, reviews = (
            _session(a, endpoint).client("wellarchitected", endpoint_url=endpoint) for a in (OWNER, REVIEWS)
        )
        workload_id = _create(owner)
        _share(owner, workload_id)
        invitation_id = _invitations(reviews)[0]["ShareInvitationId"]
        reviews.update_share_invitation(ShareInvitationId=invitation_id, ShareInvitationAction="ACCEPT")
        assert [s["Owner"] for s in reviews.list_workloads()["WorkloadSummaries"]] == [OWNER]
        assert _code(lambda: _share(reviews, workload_id, to=OTHER)) == "AccessDeniedException"
    finally:
        server.stop()
        BackendDict.reset()
