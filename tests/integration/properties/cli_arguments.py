"""Command lines for `wa-share`, generated from its own parser: real commands and options, with values that
are valid, near misses or junk, plus stray tokens and unknown options."""

from __future__ import annotations

import argparse

from hypothesis import strategies as st

from tests.integration.properties.strategies import ACCOUNT_IDS, NEAR_MISSES, REGIONS

_JUNK = st.text(max_size=30) | NEAR_MISSES
_BY_TYPE = {
    "account_id": ACCOUNT_IDS,
    "wa_region": REGIONS,
    "aws_region": REGIONS,
    "duration": st.sampled_from(["2h", "90m", "3d", "1w", "0h", "-1h", "2 h", "h", "\u0662h"]),
    "timestamp": st.sampled_from(["2026-05-01T10:00Z", "2026-05-01 10:00", "2026-05-01T10:00:00+02:00", "yesterday"]),
    "int": st.integers(-5, 50).map(str),
    "float": st.floats(allow_nan=True, allow_infinity=True).map(str),
}


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def cli_commands(parser: argparse.ArgumentParser) -> list[str]:
    return sorted(_subcommands(parser))


def _options(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    """Every option but --help and --version: argparse answers them and exits 0 before reading the rest."""
    actions = parser._actions
    answered_by_argparse = (argparse._HelpAction, argparse._VersionAction)
    return [action for action in actions if action.option_strings and not isinstance(action, answered_by_argparse)]


def _value(action: argparse.Action) -> st.SearchStrategy[str]:
    if action.choices:
        valid: st.SearchStrategy[str] = st.sampled_from([str(choice) for choice in action.choices])
    else:
        valid = _BY_TYPE.get(getattr(action.type, "__name__", ""), st.text(min_size=1, max_size=20))
    return st.one_of(valid, valid, _JUNK)


@st.composite
def _option(draw: st.DrawFn, action: argparse.Action) -> list[str]:
    flag = draw(st.sampled_from(action.option_strings))
    if action.nargs == 0:
        return [flag]
    return [flag, draw(_value(action))]


@st.composite
def command_lines(draw: st.DrawFn, parser: argparse.ArgumentParser, commands: list[str] | None = None) -> list[str]:
    """[global options] COMMAND [its options] [stray tokens], in an order argparse may or may not accept."""
    subcommands = _subcommands(parser)
    names = commands or sorted(subcommands)
    argv: list[str] = []
    for action in draw(st.lists(st.sampled_from(_options(parser)), max_size=2)):
        argv += draw(_option(action))
    command = draw(
        st.sampled_from([*names, "not-a-command"]) if draw(st.integers(0, 9)) == 0 else st.sampled_from(names)
    )
    argv.append(command)
    sub = subcommands.get(command)
    if sub is not None:
        for action in draw(st.lists(st.sampled_from(_options(sub)), max_size=4)):
            argv += draw(_option(action))
    if draw(st.integers(0, 9)) == 0:
        argv.append(draw(st.sampled_from(["--no-such-option", "extra", "--", "-x"]) | _JUNK))
    return argv
