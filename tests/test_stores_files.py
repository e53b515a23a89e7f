"""RDF files as a store: formats, default and named graphs, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from clusterkg.errors import InputError
from clusterkg.stores.files import open_files, parse_graph_option


def test_parse_graph_option() -> None:
    assert parse_graph_option("http://g/1=data.ttl") == ("http://g/1", Path("data.ttl"))
    assert parse_graph_option("<http://g/1>=data.ttl") == ("http://g/1", Path("data.ttl"))
    assert parse_graph_option("<http://g?a=b>=dir/x=1.ttl") == ("http://g?a=b", Path("dir/x=1.ttl"))
    with pytest.raises(InputError, match="IRI=FILE"):
        parse_graph_option("data.ttl")


def test_files_in_several_syntaxes_make_default_and_named_graphs(tmp_path: Path) -> None:
    (tmp_path / "a.ttl").write_text("@prefix : <http://e/> . :a :p 1 .\n")
    (tmp_path / "b.nt").write_text("<http://e/b> <http://e/p> \"2\" .\n")
    (tmp_path / "c.rdf").write_text(
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/">'
        '<rdf:Description rdf:about="http://e/c"><e:p>3</e:p></rdf:Description></rdf:RDF>'
    )
    (tmp_path / "d.jsonld").write_text('{"@id": "http://e/d", "http://e/p": "4"}')
    store = open_files([tmp_path / "a.ttl", tmp_path / "b.nt", tmp_path / "c.rdf"], [("http://g/d", tmp_path / "d.jsonld")])
    default = sorted(row[0].value for row in store.query("SELECT ?o { ?s <http://e/p> ?o }").rows)
    assert default == ["1", "2", "3"]  # the named graph is not in the default graph
    named = [row[0].value for row in store.query("SELECT ?o { GRAPH <http://g/d> { ?s ?p ?o } }").rows]
    assert named == ["4"] and store.graph_names() == ["http://g/d"]
    store.close()


def test_relative_iris_in_a_file_resolve_against_the_file(tmp_path: Path) -> None:
    (tmp_path / "r.ttl").write_text("<x> <http://e/p> <y> .\n")
    store = open_files([tmp_path / "r.ttl"])
    subject = next(iter(store.query("SELECT ?s { ?s ?p ?o }").rows))[0]
    assert subject.value == (tmp_path / "x").resolve().as_uri()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [("bad.ttl", "<http://a> <http://b> .", "bad.ttl"), ("x.csv", "a,b", "unknown RDF file extension")],
)
def test_unreadable_files_are_input_errors(tmp_path: Path, name: str, content: str, message: str) -> None:
    (tmp_path / name).write_text(content)
    with pytest.raises(InputError, match=message):
        open_files([tmp_path / name])


def test_a_bad_graph_iri_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "g.nt").write_text("")
    with pytest.raises(InputError, match="invalid graph IRI"):
        open_files([], [("not an iri", tmp_path / "g.nt")])
