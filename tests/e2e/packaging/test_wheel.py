"""The operator's install: the built wheel, in a clean venv with its declared dependencies only.

No extra, no dev requirements: what `pip install wa-share` gives an operator must start every command,
and must run them against a deployment (here the sandbox served on 127.0.0.1, as `--serve` offers it).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import threading
import time
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from moto import mock_aws
from rich.console import Console

from wa_share_cli.commands.sandbox import SANDBOX_EXTRA_HINT
from wa_share_cli.main import build_parser
from wa_share_sandbox import wellarchitected as wab
from wa_share_sandbox.cfn_templates import repo_root, templates_root
from wa_share_sandbox.iam_trust import uninstall_trust_checks
from wa_share_sandbox.scenario import build_scenario
from wa_share_sandbox.serve import serve
from wa_share_sandbox.story import Story

pytestmark = pytest.mark.slow
ROOT = repo_root()


def _run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False, **kwargs)  # type: ignore[call-overload,no-any-return]  # noqa: S603


def source_copy(target: Path) -> Path:
    """The checkout's files (tracked, and new ones git does not ignore), links kept as links: an in-tree build
    would leave build/ in the checkout, and a stale build/ leaks removed modules into the next wheel."""
    listed = _run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT)
    assert listed.returncode == 0, listed.stderr
    for name in filter(None, listed.stdout.split("\0")):
        source, copy = ROOT / name, target / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree, not yet in git
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            copy.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, copy)
    return target


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wheel")
    source = source_copy(tmp_path_factory.mktemp("source"))
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(folder), str(source)]
    )
    assert built.returncode == 0, built.stderr
    return next(folder.glob("wa_share-*.whl"))


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the wheel and only what it declares: returns its bin folder."""
    target = tmp_path_factory.mktemp("operator-venv")
    venv.create(target, with_pip=True)
    bin_dir = target / "bin"
    done = _run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", str(wheel)])
    assert done.returncode == 0, done.stderr
    return bin_dir


def operator_env(**extra: str) -> dict[str, str]:
    """The operator's shell: no dev venv on PATH or PYTHONPATH, no test credentials."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON", "VIRTUAL_ENV"))}
    return keep | {"AWS_DEFAULT_REGION": "us-east-1"} | extra


def wa_share(bin_dir: Path, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    return _run([str(bin_dir / "wa-share"), *argv], env=operator_env(**env), cwd=bin_dir.parent)


def subcommand_names() -> list[str]:
    actions = [action for action in build_parser()._actions if action.choices and action.dest == "command"]
    return sorted(actions[0].choices)  # type: ignore[arg-type]


def _room_modules() -> set[str]:
    """Every Python file of the three shipped rooms, as the wheel names it (relative to its code root)."""
    roots = (ROOT / "handlers", ROOT / "cli", ROOT / "sandbox")
    return {str(path.relative_to(root)) for root in roots for path in root.rglob("*.py") if "egg-info" not in str(path)}


def test_the_wheel_ships_exactly_the_three_rooms_and_the_templates(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = {
        f"wa_share_sandbox/templates/{p.relative_to(templates_root())}" for p in templates_root().rglob("*.yaml")
    }
    assert templates <= names
    assert not any(name.startswith("wa_share_cli/templates/") for name in names)  # the CLI reads what is deployed
    shipped_code = {name for name in names if name.endswith(".py")}
    assert shipped_code == _room_modules()  # all of handlers/, cli/ and sandbox/; nothing of tests/ or bench/
    top_level = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    lambda_entries = {"share_function.py", "sweep_planner.py", "sweep_worker.py", "probe_function.py"}
    assert top_level == {"wa_share", "wa_share_cli", "wa_share_sandbox"} | lambda_entries


def test_every_member_template_is_shipped_with_the_sandbox() -> None:
    shipped = {path.name for path in (templates_root() / "member_stackset").glob("*.yaml")}
    assert shipped == {path.name for path in (ROOT / "member_stackset").glob("*.yaml")}
    assert (templates_root() / "template.yaml").read_bytes() == (ROOT / "template.yaml").read_bytes()


def test_version_and_help_of_every_command_start_with_declared_dependencies_only(installed: Path) -> None:
    assert _run([str(installed / "python"), "-c", "import moto"]).returncode != 0  # the extra is not there
    version = wa_share(installed, "--version")
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == "wa-share 0.1.0"
    assert wa_share(installed, "--help").returncode == 0
    for name in subcommand_names():
        shown = wa_share(installed, name, "--help")
        assert shown.returncode == 0, f"wa-share {name} --help: {shown.stderr}"
        assert f"usage: wa-share {name}" in shown.stdout


def test_sandbox_without_its_extra_exits_2_with_the_line_that_says_what_to_install(installed: Path) -> None:
    done = wa_share(installed, "sandbox", "--accounts", "1")
    assert done.returncode == 2
    assert done.stderr.strip() == SANDBOX_EXTRA_HINT
    assert done.stdout == ""


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    wab.install()
    stop = threading.Event()
    with mock_aws():
        story = Story(build_scenario({"accounts": 1, "regions": "us-east-1", "workloads": 1}, {}), tmp_path / "log")
        story.build()
        console = Console(file=io.StringIO())
        kwargs = {"port": 0, "console": console, "folder": tmp_path, "stop": stop}
        thread = threading.Thread(target=serve, args=(story,), kwargs=kwargs)
        thread.start()
        deadline = time.monotonic() + 30
        while not (tmp_path / "aws-credentials").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        yield tmp_path
        stop.set()
        thread.join()
        story.close()
    uninstall_trust_checks()


def test_the_installed_cli_reports_on_a_served_deployment(installed: Path, served: Path) -> None:
    profiles = {
        "AWS_CONFIG_FILE": str(served / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(served / "aws-credentials"),
        "AWS_PROFILE": "sandbox-automation",
    }
    done = wa_share(installed, "report", "--output", "json", "--stack-name", "wa-share", **profiles)
    assert done.returncode in (0, 1), done.stderr  # 1: a gap found is an answer, not a crash
    assert '"workload' in done.stdout
