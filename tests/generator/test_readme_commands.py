"""Every ``python -m generator …`` line in the README's shell blocks names a real subcommand
with flags it takes (placeholders such as ``DIR`` and ``[--check]`` read as written)."""

from __future__ import annotations

import re
import shlex

import pytest

from generator.cli import build_parser
from tests.test_readme import readme_blocks


def _generator_commands() -> list[str]:
    shell = "\n".join(readme_blocks("sh")).replace("\\\n", " ")
    lines = [line.split("#")[0].split(">")[0].strip() for line in shell.splitlines()]
    # subcommands only: `python -m generator --help` is not one
    return [line for line in lines if re.match(r"python -m generator [a-z]", line)]


COMMANDS = _generator_commands()


def test_the_readme_shows_each_subcommand() -> None:
    used = {shlex.split(command)[3] for command in COMMANDS}
    assert used == {"pull", "generate", "drift", "diff", "vendor", "upgrade"}


@pytest.mark.parametrize("command", COMMANDS)
def test_each_generator_command_in_the_readme_parses(command: str) -> None:
    argv = shlex.split(re.sub(r"[\[\]]|\.\.\.(?=\s|$)", "", command))[3:]
    build_parser().parse_args(argv)  # argparse exits (the test fails) on an unknown flag
