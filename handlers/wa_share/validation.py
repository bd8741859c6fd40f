"""The one way a pydantic validation error becomes text: `path: message`, one problem per wrong field."""

from __future__ import annotations

import json
import re

from pydantic import ValidationError

# A key the sender chose is shown JSON-quoted (ASCII) unless it is a plain name, so that no control
# character reaches a failure record's reason (SQS refuses some) or a log line.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


def field_path(loc: tuple[int | str, ...], *, whole: str) -> str:
    """The wrong field's dotted path; `whole` names the input when the problem is the input itself."""
    parts = [str(part) if isinstance(part, int) or _PLAIN_NAME.fullmatch(part) else json.dumps(part) for part in loc]
    return ".".join(parts) or whole


def validation_problems(error: ValidationError, *, whole: str) -> list[str]:
    """One `path: message` per problem; pydantic's messages name the expectation, never quote the input."""
    return [f"{field_path(item['loc'], whole=whole)}: {item['msg']}" for item in error.errors()]
