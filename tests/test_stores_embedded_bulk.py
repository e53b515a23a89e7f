"""EmbeddedStore.load_file: big files through the bulk loader, without harm on failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from clusterkg.errors import StoreError
from clusterkg.namespaces import case_graph
from clusterkg.stores import open_embedded

GRAPH = case_graph("bulk")
COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"


def _count(store) -> int:
    return int(next(iter(store.query(COUNT).rows))[0].value)


def test_load_replace_and_refuse_a_bad_file(store_dir: Path, tmp_path: Path) -> None:
    first, second, bad = tmp_path / "a.nt", tmp_path / "b.nt", tmp_path / "bad.nt"
    first.write_text("".join(f"<urn:s{i}> <urn:p> \"{i}\" .\n" for i in range(100)))
    second.write_text("<urn:x> <urn:p> _:b .\n_:b <urn:q> \"서울\"@ko .\n")
    bad.write_text("<urn:x> <urn:p> \"fine\" .\n<urn:y> <urn:p> .\n")
    with open_embedded(store_dir, writable=True) as store:
        kb_graphs = [g for g in store.graph_names() if g != GRAPH]
        store.load_file(first, GRAPH)
        assert _count(store) == 100
        store.load_file(second, GRAPH)
        assert _count(store) == 2
        with pytest.raises(StoreError, match="could not load .*bad.nt"):
            store.load_file(bad, GRAPH)
        assert _count(store) == 2  # the graph as it was
        assert [g for g in store.graph_names() if g != GRAPH] == kb_graphs
        with pytest.raises(StoreError, match="could not load"):
            store.load_file(tmp_path / "missing.nt", GRAPH)


def test_read_only_store_refuses(tmp_path: Path) -> None:
    with open_embedded() as store, pytest.raises(StoreError, match="read-only"):
        store.load_file(tmp_path / "x.nt", GRAPH)
