"""The least environment each function starts with: exactly its required variables, as the templates set
them (tests add what they exercise)."""

from __future__ import annotations

from wa_share.settings import FunctionSettings, PlannerSettings, ProbeSettings, ShareFunctionSettings, WorkerSettings

QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/wa-share-sweep"
DLQ = "https://sqs.us-east-1.amazonaws.com/123456789012/wa-share-sweep-dlq"
FAILURES = "https://sqs.us-east-1.amazonaws.com/123456789012/wa-share-failures"
SHARES = "https://sqs.us-east-1.amazonaws.com/123456789012/wa-share-share-queue"
COMMON = {"AWS_REGION": "us-east-1", "REVIEWS_ACCOUNT_IDS": "111122223333"}
# The least environment each function starts with: exactly its required variables.
MINIMAL: dict[type[FunctionSettings], dict[str, str]] = {
    ShareFunctionSettings: COMMON
    | {"FAILURE_QUEUE_URL": FAILURES, "SHARE_QUEUE_URL": SHARES, "ORGANIZATION_ID": "o-abcdefghij"},
    PlannerSettings: COMMON | {"SWEEP_QUEUE_URL": QUEUE},
    WorkerSettings: COMMON | {"SWEEP_QUEUE_URL": QUEUE, "SWEEP_DLQ_URL": DLQ, "ORGANIZATION_ID": "o-abcdefghij"},
    ProbeSettings: COMMON | {"PROBE_ACCOUNT_ID": "999988887777"},
}
