"""wa-share: the operators' command line. Each subcommand lives in its own module with `register()`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from wa_share_cli.sandbox import command as sandbox_command

COMMANDS = (sandbox_command,)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wa-share",
        description="Operate wa-share: every Well-Architected workload shared with the reviews team.",
    )
    subcommands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.register(subcommands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
