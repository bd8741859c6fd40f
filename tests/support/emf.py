"""What the functions write, read back: EMF metric documents (as CloudWatch receives them) and Powertools'
JSON log records, from captured output (stdout, or a runner's log stream)."""

from __future__ import annotations

import json
from typing import Any


def emf_documents(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith('{"_aws"')]


def metric_values(output: str, name: str) -> list[float]:
    """Every datapoint of one metric, in the order written."""
    values: list[float] = []
    for document in emf_documents(output):
        if name in document:
            values.extend(_datapoints(document[name]))
    return values


def metric_sums(output: str) -> dict[str, float]:
    """Each metric summed over every document (CloudWatch's Sum statistic)."""
    sums: dict[str, float] = {}
    for document in emf_documents(output):
        for directive in document["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                name = metric["Name"]
                sums[name] = sums.get(name, 0) + sum(_datapoints(document[name]))
    return sums


def log_lines(output: str, message: str) -> list[dict[str, Any]]:
    """The JSON log records with this message (EMF documents are not log records)."""
    records = [json.loads(line) for line in output.splitlines() if line.startswith("{") and '"_aws"' not in line]
    return [record for record in records if record.get("message") == message]


def _datapoints(value: Any) -> list[float]:
    return list(value) if isinstance(value, list) else [value]
