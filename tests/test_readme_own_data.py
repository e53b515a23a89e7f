"""The README's "Bring your own data" example is what clusterkg prints: load, graphs, query, update, push, drop.

Run in a fresh store, in a directory holding the README's ``firms.ttl``, against a live Oxigraph server for
the push (its URL put in place of the README's ``http://127.0.0.1:7878``).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from readme_examples import console_steps, section

from clusterkg.cli import cli

README_URL = "http://127.0.0.1:7878"


def _shown_matches(lines: list[str], shown: list[str]) -> bool:
    """Whether output lines are those shown; a ``...`` line stands for any lines."""
    if "..." not in shown:
        return lines == shown
    cut = shown.index("...")
    head, tail = shown[:cut], shown[cut + 1 :]
    return lines[: len(head)] == head and (not tail or lines[-len(tail):] == tail) and len(lines) >= len(head) + len(tail)


def test_bring_your_own_data_example(oxigraph, store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = section("Bring your own data")
    turtle = re.search(r"```turtle\n(.*?)```", text, re.S)
    console = re.search(r"```\n(\$ clusterkg.*?)```", text, re.S)
    assert turtle and console
    (tmp_path / "firms.ttl").write_text(turtle.group(1))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CLUSTERKG_STORE", str(store_dir))
    steps = console_steps(console.group(1))
    names = [shlex.split(command)[1] for command, _ in steps]
    assert {"load", "graphs", "query", "update", "push", "drop"} <= set(names)
    runner = CliRunner()
    for command, shown in steps:
        args = [word.replace(README_URL, oxigraph.url) for word in shlex.split(command)[1:]]
        result = runner.invoke(cli, args)
        lines = [line.replace(oxigraph.url, README_URL) for line in result.output.splitlines()]
        refused = shown and shown[0].startswith("Error: ")
        assert result.exit_code == (2 if refused else 0), result.output
        assert _shown_matches(lines, shown), f"{command}\n{result.output}"
