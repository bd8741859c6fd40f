"""The one formatter of validation errors: a path per wrong field, and no sender's control character."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from wa_share.validation import validation_problems


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")
    count: int
    names: list[str]


def _problems(value: Any) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        _Strict.model_validate(value)
    return validation_problems(caught.value, whole="body")


def test_each_wrong_field_is_named_by_its_path() -> None:
    assert _problems({"count": "many", "names": ["a", 3]}) == [
        "count: Input should be a valid integer, unable to parse string as an integer",
        "names.1: Input should be a valid string",
    ]


def test_a_wrong_whole_is_named_as_the_caller_says() -> None:
    assert _problems("not an object") == ["body: Input should be a valid dictionary or instance of _Strict"]


def test_an_unexpected_key_with_control_characters_is_json_quoted() -> None:
    (problem,) = _problems({"count": 1, "names": [], "bad\nkey\x00": 1})
    assert problem == '"bad\\nkey\\u0000": Extra inputs are not permitted'
    assert all(character.isprintable() for character in problem)
