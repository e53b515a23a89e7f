"""The embedded store: built on first use, rebuilt when the ontology changes, locked."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from clusterkg.errors import QueryError, StoreError
from clusterkg.namespaces import CKG, kb_graph
from clusterkg.stores import embedded as store_mod
from clusterkg.stores import open_embedded


def test_built_on_first_use(empty_store_dir: Path) -> None:
    store_dir = empty_store_dir
    assert not store_dir.exists()
    with open_embedded(store_dir) as store:
        assert kb_graph("clusterkg") in store.graph_names()
        result = store.query(f"ASK {{ <{CKG}IndustrialCluster> a <http://www.w3.org/2002/07/owl#Class> }}")
        assert result.boolean is True
    assert json.loads((store_dir / "state.json").read_text())["ontology_digest"]


def test_rebuilt_when_ontology_changes_keeps_other_graphs(store_dir: Path, tmp_path: Path, monkeypatch) -> None:
    onto = tmp_path / "onto"
    onto.mkdir()
    (onto / "a.ttl").write_text("<urn:x> <urn:p> 1 .\n")
    monkeypatch.setattr(store_mod, "ontology_files", lambda: sorted(onto.glob("*.ttl")))
    with open_embedded(store_dir, writable=True) as store:
        store.replace_graphs({"urn:g:case": [ox.Triple(ox.NamedNode("urn:c"), ox.NamedNode("urn:p"), ox.Literal("x"))]})
    (onto / "a.ttl").write_text("<urn:x> <urn:p> 2 .\n")
    with open_embedded(store_dir) as store:
        values = [row[0].value for row in store.query("SELECT ?o WHERE { <urn:x> <urn:p> ?o }").rows]
        assert values == ["2"]
        assert "urn:g:case" in store.graph_names()


def test_bindings_are_terms_not_text(store_dir: Path) -> None:
    with open_embedded(store_dir) as store:
        hostile = ox.Literal('x" } ; DROP ALL ; SELECT * { "')
        rows = list(store.query("SELECT ?v WHERE { BIND(?v AS ?w) }", bindings={"v": hostile}).rows)
        assert rows == [(hostile,)]


def test_syntax_error_is_a_query_error(store_dir: Path) -> None:
    with open_embedded(store_dir) as store, pytest.raises(QueryError, match="syntax"):
        store.query("SELECT WHERE {")


def test_read_only_store_refuses_writes(store_dir: Path) -> None:
    with open_embedded(store_dir) as store, pytest.raises(StoreError, match="read-only"):
        store.replace_graphs({"urn:g": []})


def test_busy_store_is_a_clear_error(store_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv("CLUSTERKG_LOCK_TIMEOUT", "0.2")
    with open_embedded(store_dir, writable=True):
        with pytest.raises(StoreError, match="busy"):
            with open_embedded(store_dir):
                pass


def test_store_path_that_is_a_file(tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.write_text("x")
    with pytest.raises(StoreError, match="not a directory"):
        with open_embedded(path):
            pass


def test_errors_while_reading_an_answer_are_query_errors(store_dir: Path) -> None:
    """A SERVICE call that fails happens while rows are read, not when the query starts."""
    with open_embedded(store_dir) as store:
        result = store.query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
        with pytest.raises(QueryError, match="query failed"):
            list(result.rows)


def test_a_variable_that_is_not_selected_can_be_bound(store_dir: Path) -> None:
    with open_embedded(store_dir) as store:
        result = store.query("SELECT ?x WHERE { BIND(?v AS ?x) }", bindings={"v": ox.Literal("1")})
        assert [tuple(row) for row in result.rows] == [(ox.Literal("1"),)]


def test_from_names_the_default_graph(store_dir: Path) -> None:
    """Without FROM the default graph is the union of all graphs; with FROM, exactly the graphs named."""
    count = "SELECT (COUNT(*) AS ?n) {} WHERE {{ ?s ?p ?o }}"
    with open_embedded(store_dir) as store:
        def n(text: str) -> int:
            return int(next(iter(store.query(text).rows))[0].value)

        everything = n(count.format(""))
        cases = n(count.format(f"FROM <{kb_graph('cases')}>"))
        paper = n(count.format(f"FROM <{kb_graph('paper')}>"))
        both = n(count.format(f"FROM <{kb_graph('cases')}> FROM <{kb_graph('paper')}>"))
        assert 0 < cases < everything and 0 < paper < everything and both == cases + paper
        assert n(count.format(f"FROM NAMED <{kb_graph('cases')}>")) == 0  # FROM NAMED alone: an empty default graph
        named = store.query(f"SELECT DISTINCT ?g FROM NAMED <{kb_graph('cases')}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}")
        assert [row[0].value for row in named.rows] == [kb_graph("cases")]


def test_select_star_columns_follow_the_query(store_dir: Path) -> None:
    with open_embedded(store_dir) as store:
        result = store.query("SELECT * WHERE { ?zz ?b ?a } LIMIT 1")
        assert result.variables == ["zz", "b", "a"]
        row = next(iter(result.rows))
        assert isinstance(row[1], ox.NamedNode)  # the predicate, in its column
