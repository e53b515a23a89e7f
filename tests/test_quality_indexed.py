"""The quality report's queries that join and subtract before they read a term's text give the same rows as
the forms they replaced (``tests/quality_reference_indexed.py``).

They run beside each other on the paper with every defect of ``tests/fixtures/report`` and the edge cases of
``tests/fixtures/report-edges`` (IRIs beside literals and blank nodes of the same text, language tags with a
region or in capitals, labels by ``skos:prefLabel``), and on the same with 10k triples of ``bench/generate.py``.
The 100k and 1M figures are in ``bench/README.md``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from quality_reference_indexed import BEFORE

from clusterkg import quality
from clusterkg.namespaces import prefix_lines
from clusterkg.resources import ontology_files
from clusterkg.stores.files import open_files

#: The checks these tests run: the rewritten ones, and duplicate_label, whose query was not rewritten (it has no
#: form before to agree with) but whose rows on the edge cases and on the endpoints are held all the same.
CHECKED = [*BEFORE, "duplicate_label"]
ROOT = Path(__file__).resolve().parent.parent
FIXTURES = [*sorted((ROOT / "tests" / "fixtures" / "report").glob("*.ttl")), ROOT / "tests" / "fixtures" / "report-edges" / "edges.ttl"]


def _rows(store, text: str) -> list[tuple[str, str]]:
    return sorted((_text(entity), _text(value)) for entity, value in store.query(prefix_lines() + text).rows)


def _text(term: object) -> str:
    return f"{type(term).__name__} {getattr(term, 'value', '')}"  # a blank node apart from an IRI of its text


def _agree(*data: Path) -> dict[str, list[tuple[str, str]]]:
    """Every checked query's rows; a rewritten check's by its query and by the form before, asserted equal."""
    store = open_files([*ontology_files(), *FIXTURES, *data])
    try:
        found = {}
        for name in CHECKED:
            rows = _rows(store, quality.check(name).query)
            if name in BEFORE:
                assert rows == _rows(store, BEFORE[name]), name
            found[name] = rows
        return found
    finally:
        store.close()


def test_the_reference_covers_checks_of_the_report():
    assert set(BEFORE) <= {c.name for c in quality.CHECKS}


def test_same_rows_as_before_on_the_paper_with_its_defects_and_edge_cases():
    found = _agree()
    entities = {name: {entity.removeprefix("NamedNode ") for entity, _ in rows} for name, rows in found.items()}
    assert all(found.values()), {name: len(rows) for name, rows in found.items()}
    cki, ckg = "https://w3id.org/clusterkg/id/", "https://w3id.org/clusterkg/ontology#"
    undeclared = entities["undeclared_iri"]
    assert {ckg + "testTypedOddly", cki + "edge-predicate", cki + "edge-leaf", cki + "edge-untyped-subject",
            ckg + "TestEdgeUntypedTerm", ckg + "testEdgeLink"} <= undeclared
    assert not {cki + "edge-not-an-iri", ckg + "NotATerm", cki + "edge-firm"} & undeclared  # literals, typed
    missing = {(entity.removeprefix("NamedNode "), value.removeprefix("Literal ")) for entity, value in
               found["missing_individual_label"]}
    assert (cki + "edge-preflabel", "no label@en") in missing and (cki + "edge-preflabel", "no label@ko") not in missing
    assert {(cki + "edge-plain", "no label@en"), (cki + "edge-plain", "no label@ko")} <= missing
    assert not {e for e, _ in missing if e == cki + "edge-firm"}  # en-GB and KO count as en and ko
    assert ("NamedNode " + cki + "edge-two-english", "Literal 2 rdfs:label@en") in found["multiple_labels"]
    assert {cki + "edge-twin-a", cki + "edge-twin-b"} <= entities["duplicate_label"]
    assert cki + "edge-finding" in entities["claim_without_provenance"]
    assert cki + "edge-finding" in entities["finding_counters_no_myth"]


@pytest.mark.slow  # generates 10k triples and runs both forms of each check on them
def test_same_rows_as_before_beside_generated_data(tmp_path: Path):
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "10k", str(tmp_path)], check=True,
                   capture_output=True)
    found = _agree(tmp_path / "synthetic-10k.nt")
    assert found["unused_property"]


def _endpoint_agrees(query_url: str, update_url: str) -> None:
    """The paper, its defects and the edge cases pushed to an endpoint: each check gives the rows there that it
    gives on the files in memory (blank nodes by kind, as their labels differ from store to store)."""
    import pyoxigraph as ox

    from clusterkg.namespaces import case_graph
    from clusterkg.stores.remote import EndpointStore

    def rows(store, text: str) -> list[tuple[str, str]]:
        return sorted(tuple("BlankNode" if row.startswith("BlankNode ") else row for row in pair)  # type: ignore[misc]
                      for pair in _rows(store, text))

    files = [*ontology_files(), *FIXTURES]
    local = open_files(files)
    try:
        expected = {name: rows(local, quality.check(name).query) for name in CHECKED}
    finally:
        local.close()
    graphs = {case_graph(f"report-forms-{i}"): [q.triple for q in ox.parse(path=str(path))] for i, path in enumerate(files)}
    store = EndpointStore(query_url, update_url)
    try:
        store.replace_graphs(graphs)
        try:
            for name in CHECKED:
                assert rows(store, quality.check(name).query) == expected[name], name
        finally:
            store.replace_graphs({}, drop=list(graphs))
    finally:
        store.close()


@pytest.mark.server
def test_same_rows_on_an_oxigraph_server(oxigraph):
    _endpoint_agrees(oxigraph.query_url, oxigraph.update_url)


@pytest.mark.server
def test_same_rows_on_virtuoso(virtuoso):
    _endpoint_agrees(virtuoso.query_url, virtuoso.update_url)
