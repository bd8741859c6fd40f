"""What every function builds once per execution environment: its settings from env, and the sessions."""

from __future__ import annotations

from botocore.config import Config

from wa_share.aws.access import BOTO_CONFIG, Sessions
from wa_share.settings import FunctionSettings, MemberSettings


def build_runtime[S: FunctionSettings](model: type[S], config: Config = BOTO_CONFIG) -> tuple[S, Sessions]:
    """The function's settings (`model`, read from os.environ) and its sessions; a function whose settings
    name no member role (the probe) gets sessions that cannot assume one."""
    settings = model.from_env()
    role = settings.member_role_name if isinstance(settings, MemberSettings) else None
    return settings, Sessions(member_role_name=role, home_region=settings.home_region, config=config)
