"""The README's worked example of "Stores and endpoints" is what clusterkg prints (against a live Oxigraph server)."""

from __future__ import annotations

import re
import shlex

from click.testing import CliRunner

from clusterkg.cli import cli
from conftest import ROOT

README_URL = "http://127.0.0.1:7878"


def _example() -> list[tuple[list[str], list[str]]]:
    """(command arguments, expected output lines) of each ``$ clusterkg`` line of the example."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Stores and endpoints", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"A worked example.*?```\n(.*?)```", section, re.S).group(1)
    steps: list[tuple[list[str], list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            words = shlex.split(line[2:])
            steps.append((words[1:] if words[0] == "clusterkg" else [], []))
        elif steps:
            steps[-1][1].append(line)
    return [step for step in steps if step[0]]


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
