"""Find AWS credentials in text: access key IDs, secret keys and session tokens, by shape and literally.

JSON text is walked value by value, so a finding names where it was (`requestPayload.detail...`). By shape:
an access key ID (AKIA/ASIA + 16), a 40-character secret next to a key ID or a "secret" label, a session
token's well-known prefix. Literally: every secret key and session token the sandbox's STS issued.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

ACCESS_KEY_ID = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")
_SECRET = r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"
SECRET_AFTER_LABEL = re.compile(r"(?i)secret[\w\s\"':=-]{0,30}?" + _SECRET)
SECRET_NEAR_KEY_ID = re.compile(
    ACCESS_KEY_ID.pattern + r".{0,80}?" + _SECRET + "|" + _SECRET + r".{0,80}?" + ACCESS_KEY_ID.pattern, re.S
)
# Real STS tokens start like this (and moto's do too): a long base64 run after one of these prefixes.
SESSION_TOKEN = re.compile(r"(?:FwoGZXIvYXdz|FQoGZXIvYXdz|IQoJb3JpZ2lu)[A-Za-z0-9/+=]{20,}")


@dataclass(frozen=True)
class Finding:
    source: str  # which message, log line or payload
    path: str  # where inside it (a JSON path), "" for plain text
    kind: str
    excerpt: str

    def __str__(self) -> str:
        return f"{self.source} {self.path}: {self.kind}: {self.excerpt}"


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")
    elif isinstance(value, str):
        yield path, value


def _parsed(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def scan(source: str, text: str, literals: Iterable[tuple[str, str]]) -> list[Finding]:
    """Findings in `text`, walked as JSON when it is JSON; `literals` are (kind, exact string) pairs."""
    literals = [(kind, value) for kind, value in literals if value]
    findings: list[Finding] = []
    document = _parsed(text)
    for path, value in _strings(document if isinstance(document, dict | list) else text):
        findings.extend(_in_value(source, path, value, literals))
        nested = _parsed(value) if value[:1] in "{[" else None  # a JSON document inside a JSON string
        if isinstance(nested, dict | list):
            for inner, inner_value in _strings(nested, path):
                findings.extend(_in_value(source, inner, inner_value, literals))
    return findings


def _in_value(source: str, path: str, value: str, literals: list[tuple[str, str]]) -> Iterator[Finding]:
    for kind, pattern in (
        ("access key ID", ACCESS_KEY_ID),
        ("secret key after a label", SECRET_AFTER_LABEL),
        ("secret key next to a key ID", SECRET_NEAR_KEY_ID),
        ("session token", SESSION_TOKEN),
    ):
        for match in pattern.finditer(value):
            yield Finding(source, path, kind, _excerpt(match.group(0)))
    for kind, literal in literals:
        if literal in value:
            yield Finding(source, path, kind, _excerpt(literal))


def _excerpt(text: str) -> str:
    return text if len(text) <= 24 else f"{text[:12]}…{text[-6:]}"  # enough to find it, not to use it
