"""Which grant each allowed call rested on: recorded from the sandbox's identity-policy checks.

A grant is one action of one statement of one role (template, role logical ID, statement Sid, action). A
call whose check was allowed by exactly one statement rests on that grant alone: removing the grant from
its template denies the call (AccessDenied), which fails the test that made it. A grant that is never the
sole support of a call could be removed without any test noticing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from wa_share_sandbox.iam_identity import Check, listening

GrantKey = tuple[str, str, str]  # (role logical ID, statement Sid, action)


@dataclass
class CheckLog:
    checks: list[Check] = field(default_factory=list)

    def denied(self) -> list[Check]:
        return [check for check in self.checks if not check.decision.allowed]

    def sole_supports(self, logical_ids: dict[str, str]) -> Counter[GrantKey]:
        """How many allowed calls rested on each grant alone; `logical_ids`: role ARN -> logical ID."""
        found: Counter[GrantKey] = Counter()
        for check in self.checks:
            grants = check.decision.allowing
            if check.decision.allowed and len(grants) == 1 and check.role_arn in logical_ids:
                found[(logical_ids[check.role_arn], grants[0].sid, check.action)] += 1
        return found


@contextmanager
def recorded_checks() -> Iterator[CheckLog]:
    log = CheckLog()
    with listening(log.checks.append):
        yield log


def table(declared: Iterable[GrantKey], supports: Counter[GrantKey], exempt: dict[tuple[str, str], str]) -> str:
    """One line per grant: how many calls rested on it alone (or why the sandbox cannot make one)."""
    lines = []
    for logical_id, sid, action in sorted(set(declared)):
        count = supports[(logical_id, sid, action)]
        note = exempt.get((logical_id, action), "") if count == 0 else ""
        lines.append(f"  {logical_id:<20} {sid:<40} {action:<40} {count:>5} {note}")
    return "\n".join(lines)
