"""Argument types and validation: every bad value becomes one line that says what to pass instead."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import NoReturn

import botocore.session

from wa_share.domain import ACCOUNT_ID

PARTITIONS = ("aws", "aws-us-gov", "aws-cn")
_DURATION = re.compile(r"^(?P<amount>\d+)\s*(?P<unit>[mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class UsageError(ValueError):
    """A bad argument or combination of arguments (exit code 2); the message says what to do."""


class CliParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line naming the command and pointing at --help, exit code 2."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: {message} (see {self.prog} --help)\n")
        raise SystemExit(2)


@cache
def _available_regions(service: str) -> frozenset[str]:
    session = botocore.session.Session()
    return frozenset(region for partition in PARTITIONS for region in session.get_available_regions(service, partition))


def account_id(value: str) -> str:
    value = value.strip()
    if not ACCOUNT_ID.match(value):
        raise argparse.ArgumentTypeError(f"{value!r} is not an AWS account ID: pass 12 digits, e.g. 123456789012")
    return value


def wa_region(value: str) -> str:
    """A region where the Well-Architected Tool runs (botocore's endpoint data, so no call is needed)."""
    value = value.strip()
    known = _available_regions("wellarchitected")
    if value not in known:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a Well-Architected Tool region: pass one of {', '.join(sorted(known))}"
        )
    return value


STACK_NAME = re.compile(r"^[A-Za-z][-A-Za-z0-9]{0,127}$")  # CloudFormation's own rule for stack names


def stack_name(value: str) -> str:
    if not STACK_NAME.match(value):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a CloudFormation stack name: letters, digits and hyphens, starting with a letter"
        )
    return value


def aws_region(value: str) -> str:
    value = value.strip()
    if value not in _available_regions("cloudformation"):
        raise argparse.ArgumentTypeError(f"{value!r} is not an AWS region: pass a region name such as us-east-1")
    return value


def duration(value: str) -> timedelta:
    match = _DURATION.match(value.strip().lower())
    if match is None or int(match["amount"]) == 0:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a duration: pass a positive number and a unit m, h, d or w, e.g. 90m, 2h, 3d"
        )
    return timedelta(**{_UNITS[match["unit"]]: int(match["amount"])})


def timestamp(value: str) -> datetime:
    """ISO 8601; a time without a zone is taken as UTC (CloudTrail and EventBridge speak UTC)."""
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a time: pass ISO 8601 such as 2026-05-01T10:00Z or 2026-05-01 10:00"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
