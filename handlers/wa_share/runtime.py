"""What every function builds once per execution environment: settings from env, and the sessions."""

from __future__ import annotations

from wa_share.aws import Sessions
from wa_share.settings import Settings


def build_runtime() -> tuple[Settings, Sessions]:
    settings = Settings.from_env()
    return settings, Sessions(member_role_name=settings.member_role_name, home_region=settings.home_region)
