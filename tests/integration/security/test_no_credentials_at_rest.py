"""No credentials at rest: after a realistic run, no message, log line or failure payload holds one.

Scanned: every message on every queue of the deployment (bodies and attributes: the share failure queue
holds the on-failure payloads), every line the functions printed (Powertools logs and EMF metrics), the
error and result of every invocation, and what the operators' commands printed. Searched for: access key
IDs, secret keys and session tokens by shape, and literally every secret key and session token that the
sandbox's STS issued during the run (the functions', the member-role sessions', the operator's).

One thing is expected: a CloudTrail event kept whole (the input of a failed invocation, an event on its
way to the function) carries the access key ID of its caller, as CloudTrail recorded it
(`detail.userIdentity.accessKeyId`). An access key ID is an identifier, not a secret; it is allowed there,
and only if it is not one of wa-share's own sessions, but for the member role's: the member rules forward
share calls, and CloudTrail records the ones wa-share makes through the member role with that session's
key ID (the share function recognises them as its own and leaves them alone). wa-share itself never writes
a key ID anywhere: its log lines name a caller by ARN.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from tests.integration.security.credential_scan import Finding, scan
from tests.integration.security.workout import Workout
from tests.support.iam_actions import IssuedSession, issued_sessions
from tests.support.queues import read_all

CREATOR_KEY_PATH = "detail.userIdentity.accessKeyId"
MEMBER_ROLE = "role/wa-share-member"  # its share calls are CloudTrail events the member rules forward
WA_SHARE_ROLES = ("role/wa-share-member", "role/wa-share-share-function", "role/wa-share-sweep-", "role/wa-share-acc")


def _texts(done: Workout) -> Iterator[tuple[str, str]]:
    sqs = done.org.client(done.org.automation, "sqs")
    for url in sqs.list_queues().get("QueueUrls", []):
        for message in read_all(done.org, url):
            name = url.rsplit("/", 1)[-1]
            yield f"queue {name} message body", message["Body"]
            yield f"queue {name} message attributes", json.dumps(message.get("MessageAttributes", {}))
    for number, line in enumerate(done.logs.splitlines(), 1):
        yield f"function log line {number}", line
    for number, invocation in enumerate(done.invocations, 1):
        yield f"invocation {number} ({invocation.function}) error", invocation.error or ""
        yield f"invocation {number} ({invocation.function}) result", json.dumps(invocation.result, default=str)
    for run in done.cli_runs:
        yield f"wa-share {' '.join(run.argv)} output", run.out + run.err


def _literals(sessions: list[IssuedSession]) -> list[tuple[str, str]]:
    literals = []
    for session in sessions:
        literals += [("issued secret key", session.secret_access_key), ("issued session token", session.session_token)]
    return literals


def _wa_share_key_ids(sessions: list[IssuedSession]) -> set[str]:
    """Key IDs of wa-share's sessions that no CloudTrail record may carry: all but the member role's."""
    return {
        session.access_key_id
        for session in sessions
        if any(role in session.role_arn for role in WA_SHARE_ROLES) and MEMBER_ROLE not in session.role_arn
    }


def _allowed(finding: Finding, own_keys: set[str]) -> bool:
    """The creator's key ID inside a kept CloudTrail event, unless it is a key of wa-share's own."""
    key_ids = {finding.excerpt} if len(finding.excerpt) == 20 else set()
    return finding.kind == "access key ID" and finding.path.endswith(CREATOR_KEY_PATH) and not key_ids & own_keys


def test_no_message_log_line_or_payload_holds_a_credential(recorded_workout: Workout) -> None:
    sessions = issued_sessions()
    texts = list(_texts(recorded_workout))
    findings = [finding for source, text in texts for finding in scan(source, text, _literals(sessions))]
    unexpected = [finding for finding in findings if not _allowed(finding, _wa_share_key_ids(sessions))]
    wa_share_sessions = len([s for s in sessions if any(role in s.role_arn for role in WA_SHARE_ROLES)])
    print(
        f"\nscanned {len(texts)} texts ({sum(len(text) for _, text in texts)} characters) against "
        f"{len(sessions)} issued sessions ({wa_share_sessions} of wa-share's roles); "
        f"{len(findings) - len(unexpected)} creator key IDs inside kept CloudTrail events"
    )
    assert wa_share_sessions, "the run issued no session of wa-share's roles: nothing was checked"
    assert any("ShareFailureQueue" in source for source, _ in texts), "no on-failure payload was scanned"
    assert not unexpected, "\n".join(str(finding) for finding in unexpected)


def test_the_scan_finds_what_it_looks_for() -> None:
    """The detector itself: planted credentials are found, in plain text and inside JSON."""
    key, secret, token = "ASIA" + "Q" * 16, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "FQoGZXIvYXdzEBYaD" + "x" * 40
    plain = f"aws_access_key_id={key} aws_secret_access_key={secret}"
    nested = json.dumps({"body": json.dumps({"credentials": {"token": token}})})
    kinds = {finding.kind for finding in scan("plain", plain, [])}
    assert kinds >= {"access key ID", "secret key after a label", "secret key next to a key ID"}
    assert {finding.kind for finding in scan("nested", nested, [])} == {"session token"}
    assert [finding.path for finding in scan("literal", json.dumps({"a": ["x" + token]}), [("t", token)])] == [
        "a[0]",
        "a[0]",
    ]
    assert scan("clean", json.dumps({"workload": "8cdcdf7add10b181fdd3f686dacffdac", "n": 1}), []) == []
