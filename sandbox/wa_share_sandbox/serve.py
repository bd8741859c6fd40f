"""`wa-share sandbox --serve`: the simulated organization behind a local moto server, still running.

The server shares the story's in-process state, so the AWS CLI and the `wa-share` commands see the same
organization, stack and workloads. While it serves, the share function keeps taking the share rule's
events: a workload created through the server is shared within a second. Profiles for every account go
in an AWS config file next to the logs (the management keys are moto's well-known fakes); no credential
is printed.
"""

from __future__ import annotations

import logging
import threading
import warnings
from pathlib import Path

from moto.server import ThreadedMotoServer
from rich.console import Console

from wa_share_sandbox.organization import ACCESS_ROLE, HOME_REGION
from wa_share_sandbox.runner import Invocation
from wa_share_sandbox.story import Story

# EventBridge pushes to Lambda; the stand-in queue is polled: a quarter second keeps an event's wait short.
POLL_SECONDS = 0.25


def serve(story: Story, *, port: int, console: Console, folder: Path, stop: threading.Event | None = None) -> None:
    """Serve until Ctrl-C (or until `stop` is set, for tests)."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request on the terminal
    # The simulator's AccessDenied for AssumeRole has no shape in moto's STS model: moto warns, AWS would not.
    warnings.filterwarnings("ignore", message=".*does not match an error shape", category=UserWarning)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        host, bound = server.get_host_and_port()
        endpoint = f"http://{host}:{bound}"
        config, credentials = write_profiles(story, endpoint, folder)
        _instructions(console, story, endpoint, config, credentials)
        _deliver_until(story, console, stop or threading.Event())
    except KeyboardInterrupt:
        console.print("stopped")
    finally:
        server.stop()


def write_profiles(story: Story, endpoint: str, folder: Path) -> tuple[Path, Path]:
    """`sandbox-<account name>` profiles: the management account's keys, role chaining to the others."""
    sections = [f"[default]\nregion = {HOME_REGION}\nendpoint_url = {endpoint}\n"]
    for account, name in story.names.items():
        section = f"[profile sandbox-{name}]\nregion = {HOME_REGION}\nendpoint_url = {endpoint}\n"
        if account != story.org.management:
            role = f"arn:aws:iam::{account}:role/{ACCESS_ROLE}"
            section += f"role_arn = {role}\nsource_profile = sandbox-management\nrole_session_name = sandbox-operator\n"
        sections.append(section)
    config = folder / "aws-config"
    config.write_text("\n".join(sections), encoding="utf-8")
    credentials = folder / "aws-credentials"
    # moto's well-known fake keys of the management account: nothing secret, still kept off the terminal.
    keys = "aws_access_key_id = testing\naws_secret_access_key = testing\n"
    credentials.write_text(f"[default]\n{keys}\n[sandbox-management]\n{keys}", encoding="utf-8")
    for path in (config, credentials):
        path.chmod(0o600)
    return config, credentials


def _instructions(console: Console, story: Story, endpoint: str, config: Path, credentials: Path) -> None:
    console.print(f"\n[bold]Serving the simulated organization at {endpoint}[/] (Ctrl-C stops it)")
    console.print("In another terminal (new workloads are shared within a second, and shown here):")
    console.print(f"  export AWS_CONFIG_FILE={config}", highlight=False, soft_wrap=True)
    console.print(f"  export AWS_SHARED_CREDENTIALS_FILE={credentials}", highlight=False, soft_wrap=True)
    console.print(
        f"  export AWS_ENDPOINT_URL={endpoint} AWS_PROFILE=sandbox-automation", highlight=False, soft_wrap=True
    )
    console.print("  wa-share report --stack-name wa-share", highlight=False, soft_wrap=True)
    console.print("  aws cloudformation describe-stacks --stack-name wa-share", highlight=False, soft_wrap=True)
    member = next(name for name in story.names.values() if name.startswith("member-"))
    console.print(
        f"  aws --profile sandbox-{member} wellarchitected create-workload --workload-name try-me "
        "--description demo --environment PREPRODUCTION --lenses wellarchitected "
        "--aws-regions us-east-1 --review-owner me@example.com",
        highlight=False,
        soft_wrap=True,
    )
    console.print(
        f"Profiles: {', '.join(f'sandbox-{name}' for name in story.names.values())}", highlight=False, soft_wrap=True
    )


def _deliver_until(story: Story, console: Console, stop: threading.Event) -> None:
    while not stop.wait(POLL_SECONDS):
        for invocation in story.runner.deliver_share_events():
            console.print(_describe(story, invocation), highlight=False, soft_wrap=True)


def _describe(story: Story, invocation: Invocation) -> str:
    detail = invocation.event.get("detail", {}) if isinstance(invocation.event, dict) else {}
    owner = story.names.get(str(detail.get("recipientAccountId")), "?")
    where = f"{owner} {detail.get('awsRegion', '?')}"
    if invocation.error is not None:
        return f"✗ {where}: {invocation.error}"
    outcomes = [str(item["outcome"]) for item in invocation.result.get("results", [])]
    outcomes += [f"outside the organization: {item['shared_with']}" for item in invocation.result.get("external", [])]
    event = invocation.result.get("event", {})
    kind = f"{event['event_name']} " if "event_name" in event else ""
    workload = event.get("workload_id", "?")
    told = ", ".join(outcomes) or "nothing to do"
    return f"✓ {where} {kind}workload {workload}: {told} ({invocation.seconds * 1000:.0f} ms)"
