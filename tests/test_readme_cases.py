"""The README's "Adding your own cases" walk-through is what clusterkg prints: the template, a first
version with two violations and a warning, the fixes the text describes, validate, add and remove.

Run in a fresh store, in a directory holding the README's ``pangyo.yaml``.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from readme_examples import console_steps, section

from clusterkg.cli import cli

#: The fixes the README's text describes between its two console blocks.
FIXES = {
    "country: Korea": "country: KR",
    "start_year: 2035": "start_year: 2005",
    "instruments: [financial-support, tax-incentive]":
        "instruments: [financial-support, ict-infrastructure, human-resource-support]",
}


def _matches(lines: list[str], shown: list[str]) -> bool:
    """Whether output lines are those shown; a shown line ending with ``(...)`` stands for any line it begins."""
    if len(lines) != len(shown):
        return False
    return all(line == want or (want.endswith("(...)") and line.startswith(want[:-5].rstrip()))
               for line, want in zip(lines, shown))


def _run(runner: CliRunner, command: str) -> tuple[int, list[str]]:
    result = runner.invoke(cli, shlex.split(command, comments=True)[1:])
    return result.exit_code, result.output.splitlines()


@pytest.mark.slow
def test_the_cases_walk_through(store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = section("Adding your own cases")
    case = re.search(r"```yaml\n(.*?)```", text, re.S)
    blocks = re.findall(r"```\n(\$ clusterkg.*?)```", text, re.S)
    assert case and len(blocks) == 2
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CLUSTERKG_STORE", str(store_dir))
    runner = CliRunner()

    code, template = _run(runner, "clusterkg new-case")
    assert code == 0 and template
    (tmp_path / "template.yaml").write_text("\n".join(template) + "\n")
    assert _run(runner, "clusterkg validate template.yaml")[0] == 1  # placeholders fail until filled in

    first = case.group(1)
    for wrong in FIXES:
        assert wrong in first, wrong
    (tmp_path / "pangyo.yaml").write_text(first)
    for command, shown in console_steps(blocks[0]):
        code, lines = _run(runner, command)
        assert code == 1, lines
        assert _matches(lines, shown), "\n".join(lines)

    fixed = first
    for wrong, right in FIXES.items():
        fixed = fixed.replace(wrong, right)
    (tmp_path / "pangyo.yaml").write_text(fixed)
    for command, shown in console_steps(blocks[1]):
        code, lines = _run(runner, command)
        assert code == 0, lines
        assert _matches(lines, shown), f"{command}\n" + "\n".join(lines)
