"""The deployment commands of the README or a docs page, as a shell would run them: code blocks of one section,
continuation lines joined, comments dropped, each `aws …` or `wa-share …` command split into its words."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from wa_share_sandbox.cfn_templates import repo_root

_COMMAND = re.compile(r"\b((?:aws|wa-share) [^;\n]*?)(?:\s*;;|\s*$)", re.MULTILINE)


@dataclass(frozen=True)
class Command:
    words: tuple[str, ...]
    redirect: str | None  # the file after `>`, if any

    def option(self, name: str) -> str | None:
        """The value of `--name VALUE` (the first), or None."""
        words = list(self.words)
        return words[words.index(name) + 1] if name in words else None

    def values(self, name: str) -> list[str]:
        """Every word after `--name` up to the next option (`--regions a b c`)."""
        words = list(self.words)
        if name not in words:
            return []
        following = words[words.index(name) + 1 :]
        return following[: next((i for i, word in enumerate(following) if word.startswith("--")), len(following))]


def section_commands(heading: str, page: str = "README.md") -> list[Command]:
    """The commands of the bash blocks of `page` (a path from the repository's root) between the paragraph that
    starts with `heading` and the next heading or bold paragraph."""
    text = (repo_root() / page).read_text(encoding="utf-8")
    start = text.index(heading)
    end = min(
        (position for position in (text.find("\n**", start + 1), text.find("\n##", start + 1)) if position > 0),
        default=len(text),
    )
    blocks = re.findall(r"```bash\n(.*?)```", text[start:end], flags=re.DOTALL)
    commands: list[Command] = []
    for block in blocks:
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            code = line.split(" #", 1)[0] if not line.lstrip().startswith("#") else ""
            commands.extend(_parse(match) for match in _COMMAND.findall(code))
    return commands


def _parse(command: str) -> Command:
    words, redirect = shlex.split(command), None
    if ">" in words:
        redirect = words[words.index(">") + 1]
        words = words[: words.index(">")]
    return Command(tuple(words), redirect)
