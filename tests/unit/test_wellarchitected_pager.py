"""The one pager of the Well-Architected lists (boto3 has no paginator for them): every page, then a stop."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from botocore.exceptions import ClientError

from wa_share.aws.access import AwsError, ErrorKind
from wa_share.aws.wellarchitected import MAX_PAGES, PAGE_SIZE, listed


class Pages:
    """A list operation answering from scripted pages, recording what it was asked."""

    def __init__(self, pages: list[Mapping[str, Any]]) -> None:
        self._pages = pages
        self.requests: list[dict[str, Any]] = []

    def __call__(self, **request: Any) -> Mapping[str, Any]:
        self.requests.append(request)
        return self._pages[min(len(self.requests), len(self._pages)) - 1]


def _items(call: Any) -> list[Any]:
    return list(listed(call, "Rows", operation="wellarchitected:ListThings", resource="account 1", Filter="x"))


def test_every_page_is_read_across_an_empty_one_with_the_token_and_parameters() -> None:
    call = Pages([{"Rows": [1, 2], "NextToken": "a"}, {"Rows": [], "NextToken": "b"}, {"Rows": [3]}])
    assert _items(call) == [1, 2, 3]
    assert call.requests == [
        {"MaxResults": PAGE_SIZE, "Filter": "x"},
        {"MaxResults": PAGE_SIZE, "Filter": "x", "NextToken": "a"},
        {"MaxResults": PAGE_SIZE, "Filter": "x", "NextToken": "b"},
    ]


def test_a_token_that_comes_back_stops_the_listing() -> None:
    call = Pages([{"Rows": [1], "NextToken": "a"}, {"Rows": [2], "NextToken": "b"}, {"Rows": [3], "NextToken": "a"}])
    with pytest.raises(AwsError, match="RunawayPagination: the listing does not end: a NextToken came back") as raised:
        _items(call)
    assert (raised.value.kind, raised.value.operation, len(call.requests)) == (
        ErrorKind.PERMANENT,
        "wellarchitected:ListThings",
        3,
    )


def test_a_listing_stops_after_its_page_bound() -> None:
    requests = 0

    def endless(**request: Any) -> Mapping[str, Any]:
        nonlocal requests
        requests += 1
        return {"Rows": [requests], "NextToken": f"t{requests}"}

    with pytest.raises(AwsError, match=f"more than {MAX_PAGES} pages"):
        _items(endless)
    assert requests == MAX_PAGES


def test_a_failed_page_is_classified_at_the_boundary() -> None:
    def throttled(**request: Any) -> Mapping[str, Any]:
        raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "ListThings")

    with pytest.raises(AwsError, match="ListThings on account 1 failed: ThrottlingException") as raised:
        _items(throttled)
    assert raised.value.retryable
