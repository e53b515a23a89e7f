"""The corpus of hostile inputs (tests/fixtures/hostile/, driven by tests/hostile.py): no traceback, no
signal, no hang, the store unchanged, and the expected exit code and one-line message, for every input
through every command that reads it (issue 12)."""

from __future__ import annotations

import shutil
from pathlib import Path

import hostile
import pytest

ROOT = Path(__file__).resolve().parent


def test_the_table_gives_an_outcome_for_every_input_and_command() -> None:
    table = hostile.file_expectations()
    inputs = hostile.all_inputs()
    assert len(inputs) >= 150
    assert {name for name, _ in table} == set(inputs)
    assert {command for _, command in table} == set(hostile.COMMANDS)


def places(root: Path, tmp: Path) -> dict[str, str]:
    """What the command lines of the corpus refer to, besides the input itself."""
    good = root / "good"
    good.mkdir()
    shutil.copyfile(ROOT / "fixtures" / "cases" / "valid.yaml", good / "case.yaml")
    (good / "data.ttl").write_text("<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n")
    return {"good_case": "good/case.yaml", "good_rdf": "good/data.ttl", "tmp": str(tmp),
            "big_text": "text/huge-20mb.txt", "long_value": "x" * 100_000}


@pytest.mark.slow
def test_no_input_crashes_hangs_or_changes_the_store(tmp_path: Path, built_store_template: Path) -> None:
    root = tmp_path / "corpus"
    inputs = hostile.materialize(root)
    with hostile.servers() as urls:
        where = {**places(root, tmp_path), **urls}
        jobs = hostile.file_jobs(root, where) + hostile.argv_jobs(where)
        outcomes = hostile.run_jobs(jobs, root, built_store_template, tmp_path)
    print("\n" + hostile.summary(outcomes, len(inputs)))
    failed = [f"{o.job.name}: {'; '.join(o.problems)}" for o in outcomes if o.problems]
    assert not failed, f"{len(failed)} of {len(outcomes)} runs:\n" + "\n".join(failed)
