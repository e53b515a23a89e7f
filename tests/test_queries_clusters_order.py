"""queries/clusters.rq, reordered for speed (issue 16: its single values before its lists), gives the rows of
the text it replaced (``tests/fixtures/clusters-reference.rq``), on the paper and beside generated data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from clusterkg import queries
from clusterkg.namespaces import CKG
from clusterkg.resources import ontology_files
from clusterkg.stores.files import open_files

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = (ROOT / "tests" / "fixtures" / "clusters-reference.rq").read_text(encoding="utf-8")
CASES = [(lang, cls) for lang in ("en", "ko") for cls in ("IndustrialCluster", "BioCluster", "MatureIndustrialCluster")]


def _both(store) -> int:
    """The rows of the shipped query and of the reference, asserted equal in each case; how many rows in all."""
    total = 0
    for lang, cls in CASES:
        bindings = {"lang": ox.Literal(lang), "type": ox.NamedNode(CKG + cls)}
        new = list(queries.run(store, queries.get("clusters").text, bindings, trusted=True).rows)
        old = list(queries.run(store, REFERENCE, bindings, trusted=True).rows)
        assert new == old, (lang, cls)  # the same rows in the same order (the query orders them)
        total += len(new)
    return total


def test_the_reference_is_the_query_before_its_reordering() -> None:
    assert sorted(REFERENCE.splitlines()) == sorted(
        line for line in queries.get("clusters").text.splitlines() if not line.startswith("  # The cluster's single")
        and not line.startswith("  # the lists multiply"))


def test_same_rows_as_before_on_the_paper() -> None:
    store = open_files(list(ontology_files()))
    try:
        assert _both(store) > 20
    finally:
        store.close()


@pytest.mark.slow  # generates 10k triples
def test_same_rows_as_before_beside_generated_data(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "10k", str(tmp_path)], check=True,
                   capture_output=True)
    store = open_files([*ontology_files(), tmp_path / "synthetic-10k.nt"])
    try:
        assert _both(store) > 100
    finally:
        store.close()
