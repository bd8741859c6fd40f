"""Log messages are static: a plain string literal, the variable parts in structured keys (extra=/keywords).

A message built with an f-string, `%`, `.format()` or `+` cannot be searched or counted in CloudWatch Logs
Insights, and may carry whatever the formatted value holds; this scan of handlers/ and cli/ finds them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCANNED = (ROOT / "handlers", ROOT / "cli")
LEVELS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical"})


def _is_logger(receiver: ast.expr) -> bool:
    """`logger`, `log`, `self._logger`, `logging`: the receivers this code base logs through."""
    name = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", "")
    return "logger" in name.lower() or name in {"log", "logging"}


def _message_of(call: ast.Call) -> tuple[ast.expr | None, list[ast.expr]]:
    """The message argument and the positional arguments after it (%-style parameters)."""
    assert isinstance(call.func, ast.Attribute)
    position = 1 if call.func.attr == "log" else 0
    keyword = next((kw.value for kw in call.keywords if kw.arg == "msg"), None)
    if len(call.args) > position:
        return call.args[position], call.args[position + 1 :]
    return keyword, []


def _string_constants(module: ast.Module) -> frozenset[str]:
    """Module-level names bound once to a string literal: as static as the literal (an alarm may match one)."""
    bound = [
        (node.targets[0].id, node.value)
        for node in module.body
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
    ]
    names = [name for name, _ in bound]
    return frozenset(
        name
        for name, value in bound
        if isinstance(value, ast.Constant) and isinstance(value.value, str) and names.count(name) == 1
    )


def _is_static(message: ast.expr | None, constants: frozenset[str]) -> bool:
    if isinstance(message, ast.Constant):
        return isinstance(message.value, str)
    return isinstance(message, ast.Name) and message.id in constants


def dynamic_log_calls(source: str, filename: str = "<source>") -> list[str]:
    """`file:line` of each logger call whose message is not a plain string literal, or is %-formatted."""
    module = ast.parse(source, filename)
    constants = _string_constants(module)
    found = []
    for node in ast.walk(module):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in LEVELS | {"log"} or not _is_logger(node.func.value):
            continue
        message, parameters = _message_of(node)
        if not _is_static(message, constants) or parameters:
            found.append(f"{filename}:{node.lineno}")
    return found


def _python_files() -> list[Path]:
    return sorted(path for folder in SCANNED for path in folder.rglob("*.py") if ".venv" not in path.parts)


def test_every_log_message_in_handlers_and_cli_is_a_string_literal() -> None:
    offenders = [hit for path in _python_files() for hit in dynamic_log_calls(path.read_text(), str(path))]
    assert offenders == []


def test_the_scan_sees_the_logger_calls_there_are() -> None:
    """A scan that matched nothing would pass whatever the code did."""
    source = "\n".join(path.read_text() for path in _python_files())
    assert source.count("logger.") > 20
    calls = sum(
        1
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in LEVELS
        and _is_logger(node.func.value)
    )
    assert calls > 20


@pytest.mark.parametrize(
    "line",
    [
        'logger.info(f"share {outcome}", extra={"principal": p})',
        'logger.warning("share %s", outcome)',
        'logger.error("share " + outcome)',
        'logger.info("share {}".format(outcome))',
        "logger.exception(message)",
        'self._logger.debug(f"x{y}")',
        'log.info(msg=f"x{y}")',
        'logging.warning("%s failed", name)',
        'logger.log(20, f"x{y}")',
        'logger.info(message)\nmessage = "bound twice"\nmessage = "a" + suffix',
    ],
)
def test_a_formatted_message_is_found(line: str) -> None:
    assert dynamic_log_calls(line) == ["<source>:1"]


@pytest.mark.parametrize(
    "line",
    [
        'logger.info("share made", extra={"outcome": outcome})',
        'logger.warning("region skipped", region=region)',
        'logger.log(20, "static")',
        'catalog.info(f"not a logger {x}")',
        'MESSAGE = "left unshared"\nlogger.error(MESSAGE, extra={"reason": reason})',
    ],
)
def test_a_static_message_passes(line: str) -> None:
    assert dynamic_log_calls(line) == []
