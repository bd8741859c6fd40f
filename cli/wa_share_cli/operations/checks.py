"""The result of one doctor check: what was checked, where, how it went, and the fix when it failed."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Verdict(StrEnum):
    OK = "ok"
    WARN = "warn"  # could not be decided from here; the detail says why
    FAIL = "FAIL"


@dataclass(frozen=True)
class Check:
    name: str
    scope: str
    verdict: Verdict
    detail: str = ""
    fix: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"verdict": self.verdict.value}


def ok(name: str, scope: str, detail: str = "") -> Check:
    return Check(name, scope, Verdict.OK, detail)


def fail(name: str, scope: str, detail: str, fix: str) -> Check:
    return Check(name, scope, Verdict.FAIL, detail, fix)


def warn(name: str, scope: str, detail: str, fix: str = "") -> Check:
    return Check(name, scope, Verdict.WARN, detail, fix)
