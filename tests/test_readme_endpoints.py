"""The README's worked example of "Stores and endpoints" is what clusterkg prints (against a live Oxigraph server)."""

from __future__ import annotations

import re
import shlex

from click.testing import CliRunner
from readme_examples import console_steps, section

from clusterkg.cli import cli

README_URL = "http://127.0.0.1:7878"


def _example() -> list[tuple[list[str], list[str]]]:
    """(command arguments, expected output lines) of each ``$ clusterkg`` line of the example."""
    block = re.search(r"A worked example.*?```\n(.*?)```", section("Stores and endpoints"), re.S).group(1)
    steps = [(shlex.split(command), shown) for command, shown in console_steps(block)]
    return [(words[1:], shown) for words, shown in steps if words[0] == "clusterkg"]


def test_worked_example(oxigraph) -> None:
    steps = _example()
    assert len(steps) == 4
    runner = CliRunner()
    for args, expected in steps:
        args = [a.replace(README_URL, oxigraph.url) for a in args]
        result = runner.invoke(cli, args)
        lines = [line.replace(oxigraph.url, README_URL) for line in result.output.splitlines()]
        if expected[-1] == "...":  # the example shows the first lines only
            expected = expected[:-1]
            lines = lines[: len(expected)]
        if "127.0.0.1:9/" in " ".join(args):
            assert result.exit_code == 2
        else:
            assert result.exit_code == 0, result.output
        assert lines == expected
