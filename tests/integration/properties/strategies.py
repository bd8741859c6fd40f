"""Hypothesis strategies for bad input: arbitrary JSON, valid inputs mutated field by field, near misses.

Near misses are the values a careless validator lets through: Unicode digits where ASCII digits are
meant, a trailing newline, upper-case hex, control characters, lone surrogates, very long strings.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import strategies as st

from tests.support.factories import create_workload_event
from wa_share.domain import DEFAULT_WA_REGIONS

ACCOUNT_IDS = st.from_regex(r"\A[0-9]{12}\Z")
WORKLOAD_IDS = st.from_regex(r"\A[0-9a-f]{32}\Z")
REGIONS = st.sampled_from(DEFAULT_WA_REGIONS)
NEAR_MISSES = st.sampled_from(
    [
        "",
        " ",
        "123456789012\n",
        "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661\u0662",  # Arabic-Indic digits
        "12345678901",
        "1234567890123",
        "us-east-\u0661",
        "US-EAST-1",
        "us-east-1\n",
        "8CDCDF7ADD10B181FDD3F686DACFFDAC",
        "8cdcdf7add10b181fdd3f686dacffdac\n",
        "8cdcdf7add10b181fdd3f686dacffda\u0661",
        "arn:aws:wellarchitected:us-east-1:123456789012:workload/",
        "arn:aws:wellarchitected:us-east-1:123456789012:workload/8cdcdf7add10b181fdd3f686dacffdac/x",
        "\x00",
        "\ud800",
        "a" * 300,
    ]
)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | NEAR_MISSES
)
JSON_VALUES = st.recursive(
    _SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path into nested dicts and lists."""
    found: list[tuple[Any, ...]] = []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, item in items:
        found.append((*prefix, key))
        found.extend(paths(item, (*prefix, key)))
    return found


@st.composite
def mutated(draw: st.DrawFn, valid: Any) -> Any:
    """`valid`, with one to three fields deleted, replaced by junk or near misses, or new fields added."""
    value = copy.deepcopy(valid)
    for _ in range(draw(st.integers(1, 3))):
        spots = paths(value)
        if not spots:
            return value
        *parent_path, key = draw(st.sampled_from(spots))
        parent = value
        for part in parent_path:
            parent = parent[part]
        action = draw(st.sampled_from(["delete", "junk", "near miss", "add"]))
        if action == "delete":
            del parent[key]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=12))] = draw(JSON_VALUES)
        else:
            parent[key] = draw(JSON_VALUES if action == "junk" else NEAR_MISSES)
    return value


@st.composite
def valid_events(draw: st.DrawFn) -> dict[str, Any]:
    event = create_workload_event(
        account_id=draw(ACCOUNT_IDS),
        region=draw(REGIONS),
        workload_id=draw(WORKLOAD_IDS),
        style=draw(st.sampled_from(["WorkloadId", "Id"])),
        event_id=draw(st.uuids()).hex,
    )
    if draw(st.booleans()):
        event["replay-name"] = draw(st.from_regex(r"\A[.\-_A-Za-z0-9]{1,64}\Z"))
    return event


# Well-formed events whose identifiers are near misses, consistent between the detail and the ARN: only
# the identifiers' own validation can catch them.
_NEAR_ACCOUNTS = st.sampled_from(["\u0661" * 12, "123456789012\n", "12345678901", "\uff11" * 12])
_NEAR_REGIONS = st.sampled_from(["us-east-\u0661", "us-east-1\n", "US-EAST-1", "us_east_1", "xx-fake-9"])
_NEAR_IDS = st.sampled_from(["8CDCDF7ADD10B181FDD3F686DACFFDAC", "8cdcdf7add10b181fdd3f686dacffdac\n", "\u0661" * 32])


@st.composite
def near_miss_events(draw: st.DrawFn) -> dict[str, Any]:
    return create_workload_event(
        account_id=draw(ACCOUNT_IDS | _NEAR_ACCOUNTS),
        region=draw(REGIONS | _NEAR_REGIONS),
        workload_id=draw(WORKLOAD_IDS | _NEAR_IDS),
        style=draw(st.sampled_from(["WorkloadId", "Id"])),
    )


EVENTS = st.one_of(JSON_VALUES, valid_events().flatmap(mutated), valid_events(), near_miss_events())


@st.composite
def valid_work_items(draw: st.DrawFn) -> dict[str, Any]:
    item: dict[str, Any] = {"account_id": draw(ACCOUNT_IDS), "sweep_id": draw(st.text(min_size=1, max_size=128))}
    if draw(st.booleans()):
        item["dry_run"] = draw(st.booleans())
    if draw(st.booleans()):
        item["regions"] = draw(st.lists(REGIONS, min_size=1, max_size=3))
    return item


def _as_json(value: Any, ascii_only: bool) -> str:
    return json.dumps(value, ensure_ascii=ascii_only)


WORK_ITEM_BODIES = st.one_of(
    st.text(max_size=200),
    st.builds(_as_json, JSON_VALUES, st.booleans()),
    st.builds(_as_json, valid_work_items().flatmap(mutated), st.booleans()),
    st.builds(_as_json, valid_work_items(), st.booleans()),
)
