"""The rooms of the code base keep their doors: what Lambda runs (handlers/) imports neither the CLI nor the
simulator; the CLI reaches the simulator only when `wa-share sandbox` runs; nothing that ships imports tests
or the benchmark; inside the functions' package, each room (aws, runtime, rules, followup, realtime, sweep,
probe) enters only the rooms its door names, AWS is reached through the aws room alone, and observability and
the domain facts depend on nothing of it; the WA backend is layered as moto's services are; unit tests never
load moto."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = {"handlers": ROOT / "handlers", "cli": ROOT / "cli", "sandbox": ROOT / "sandbox"}
WA_LAYERS = ("exceptions", "lifecycle", "models", "faults", "cloudtrail", "responses", "urls")


def _imports(path: Path, *, top_level_only: bool) -> Iterator[str]:
    """Absolute module names a file imports (at module level only, if asked: a function's import is lazy)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    for node in nodes:
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _offenders(room: str, forbidden: tuple[str, ...], *, top_level_only: bool = False) -> list[str]:
    found = []
    for path in sorted(SHIPPED[room].rglob("*.py")):
        for name in _imports(path, top_level_only=top_level_only):
            if name.split(".")[0] in forbidden:
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


def test_what_lambda_runs_imports_neither_the_cli_nor_the_simulator() -> None:
    assert _offenders("handlers", ("wa_share_cli", "wa_share_sandbox", "moto", "tests", "bench")) == []


def test_the_cli_loads_the_simulator_only_when_the_sandbox_command_runs() -> None:
    assert _offenders("cli", ("wa_share_sandbox", "moto"), top_level_only=True) == []
    assert _offenders("cli", ("tests", "bench")) == []


def test_the_simulator_imports_no_test_or_benchmark_code() -> None:
    assert _offenders("sandbox", ("tests", "bench")) == []


@pytest.mark.parametrize("layer", WA_LAYERS)
def test_each_layer_of_the_wa_backend_imports_only_the_layers_before_it(layer: str) -> None:
    package = "wa_share_sandbox.wellarchitected"
    path = SHIPPED["sandbox"] / "wa_share_sandbox" / "wellarchitected" / f"{layer}.py"
    used = {name.removeprefix(package + ".").split(".")[0] for name in _imports(path, top_level_only=False)}
    used &= set(WA_LAYERS)
    allowed = set(WA_LAYERS[: WA_LAYERS.index(layer)])
    assert used <= allowed, f"{layer} imports {sorted(used - allowed)}, which come after it"


def test_unit_tests_load_no_simulator() -> None:
    modules = ["tests.conftest"] + [
        f"tests.unit.{path.stem}"
        for path in sorted(Path(__file__).parent.glob("test_*.py"))
        if path.stem != "test_layout"
    ]
    probe = "import importlib, sys\n"
    probe += "".join(f"importlib.import_module({name!r})\n" for name in modules)
    probe += "print(sorted({m.split('.')[0] for m in sys.modules} & {'moto', 'wa_share_sandbox'}))"
    paths = [str(ROOT / room) for room in ("handlers", "cli", "sandbox")] + [str(ROOT)]
    environment = {"PYTHONPATH": ":".join(paths), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(  # noqa: S603 - our own interpreter, a fixed script
        [sys.executable, "-c", probe], capture_output=True, text=True, env=environment, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]", f"{len(modules)} unit modules pulled in {result.stdout.strip()}"


def _package_imports(module: str) -> set[str]:
    path = SHIPPED["handlers"] / Path(*module.split(".")).with_suffix(".py")
    return {name for name in _imports(path, top_level_only=False) if name.split(".")[0] == "wa_share"}


def _modules(names: set[str]) -> set[str]:
    """`from wa_share.x import y` yields both wa_share.x and wa_share.x.y: keep the modules."""
    return {name for name in names if (SHIPPED["handlers"] / Path(*name.split("."))).with_suffix(".py").exists()}


def test_observability_and_the_domain_facts_import_nothing_of_the_functions_package() -> None:
    assert _package_imports("wa_share.observability") == set()
    assert _package_imports("wa_share.domain") == set()


def test_settings_import_the_domain_and_no_function_code() -> None:
    imported = _modules(_package_imports("wa_share.settings"))
    assert imported == {"wa_share.domain", "wa_share.probe.rule", "wa_share.validation"}


PACKAGE = SHIPPED["handlers"] / "wa_share"
FOUNDATIONS = {"domain", "validation", "observability", "settings"}  # any room may import these
# The rooms each room may enter (besides itself and the foundations). The real-time path and the sweep never
# enter each other: what both need lives in rules/ (the share rules) or followup/ (what follows a share).
DOORS = {
    "aws": set(),
    "runtime": {"aws"},
    "rules": {"aws"},
    "followup": {"aws", "rules", "runtime"},
    "probe": {"aws", "rules", "runtime"},
    "realtime": {"aws", "rules", "runtime", "followup", "probe"},
    "sweep": {"aws", "rules", "runtime", "followup"},
}


def _rooms_entered(room: str) -> dict[str, set[str]]:
    entered: dict[str, set[str]] = {}
    for path in sorted((PACKAGE / room).rglob("*.py")):
        for name in _imports(path, top_level_only=False):
            parts = name.split(".")
            if parts[0] == "wa_share" and len(parts) > 1 and parts[1] not in FOUNDATIONS | {room}:
                entered.setdefault(parts[1], set()).add(path.name)
    return entered


def test_the_package_is_its_foundations_and_its_rooms() -> None:
    modules = {path.stem for path in PACKAGE.glob("*.py")} - {"__init__"}
    rooms = {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").exists()}
    assert (modules, rooms) == (FOUNDATIONS, set(DOORS))


@pytest.mark.parametrize("room", sorted(DOORS))
def test_each_room_enters_only_the_rooms_its_door_names(room: str) -> None:
    entered = _rooms_entered(room)
    assert set(entered) <= DOORS[room], {other: entered[other] for other in set(entered) - DOORS[room]}


# botocore's errors classified, and expired credentials answered, in one place each.
INSIDE_THE_BOUNDARY = {"wa_share.aws.access.aws_call", "wa_share.aws.access.EXPIRED_TOKEN_CODES"}


def test_aws_is_reached_through_the_aws_room_alone() -> None:
    """The one boundary: botocore's errors are classified (aws_call) and clients imported only in wa_share.aws;
    everywhere else a client is only a type (under TYPE_CHECKING)."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.is_relative_to(PACKAGE / "aws"):
            continue
        for name in _imports(path, top_level_only=True):
            if name.split(".")[0] in {"boto3", "botocore"} or name in INSIDE_THE_BOUNDARY:
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []
