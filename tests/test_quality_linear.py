"""The quality report's linear queries (issue 16) give the same rows as the queries they replaced.

The reference queries are kept in ``tests/quality_reference.py``. They are run beside the report's own on the
paper with every defect of ``tests/fixtures/report`` added (so that each check has rows to agree on), and on
the same with 10k triples of ``bench/generate.py`` beside it. The 100k and 1M figures are in ``bench/``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from quality_reference import OLD_QUERIES

from clusterkg import quality
from clusterkg.namespaces import prefix_lines
from clusterkg.resources import ontology_files
from clusterkg.stores.files import open_files

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "report"


def _rows(store, text: str) -> set[tuple[str, str]]:
    return {(str(entity), str(value)) for entity, value in store.query(prefix_lines() + text).rows}


def _agree(*data: Path) -> dict[str, int]:
    """Every check's rows by its query and by the reference, asserted equal; the number of rows of each."""
    store = open_files([*ontology_files(), *sorted(FIXTURES.glob("*.ttl")), *data])
    try:
        counts = {}
        for name, old in OLD_QUERIES.items():
            new = _rows(store, quality.check(name).query)
            assert new == _rows(store, old), name
            counts[name] = len(new)
        return counts
    finally:
        store.close()


def test_the_reference_covers_every_rewritten_check():
    assert set(OLD_QUERIES) <= {c.name for c in quality.CHECKS}


def test_same_rows_as_before_on_the_paper_with_its_defects():
    counts = _agree()
    assert all(counts[name] > 0 for name in OLD_QUERIES), counts  # each check has rows to agree on


@pytest.mark.slow  # generates 10k triples; the reference duplicate_label query takes seconds
def test_same_rows_as_before_beside_generated_data(tmp_path: Path):
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "10k", str(tmp_path)], check=True,
                   capture_output=True)
    counts = _agree(tmp_path / "synthetic-10k.nt")
    assert counts["class_without_instances"] > 0 and counts["unused_property"] > 0
