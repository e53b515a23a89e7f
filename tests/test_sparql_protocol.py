"""Content negotiation, serialisers and query checks of the SPARQL protocol layer."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest

from clusterkg.sparql.protocol import (
    ProtocolError,
    TooLarge,
    answer,
    check_query,
    looks_like_update,
    negotiate,
    take,
    uses_service,
)
from clusterkg.sparql.results import serialize_boolean as serialize_ask
from clusterkg.sparql.results import serialize_solutions as serialize_select

EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.mark.parametrize(
    ("kind", "accept", "param", "expected"),
    [
        ("select", None, None, "json"),
        ("select", "*/*", None, "json"),
        ("select", "text/csv", None, "csv"),
        ("select", "text/csv;q=0.2, application/sparql-results+xml;q=0.9", None, "xml"),
        ("select", "image/png, text/tab-separated-values;q=0.1", None, "tsv"),
        ("select", "application/sparql-results+json", "csv", "csv"),  # format= wins
        ("select", None, "application/sparql-results+xml", "xml"),
        ("ask", "application/json", None, "json"),
        ("graph", None, None, "ttl"),
        ("graph", "application/ld+json", None, "jsonld"),
        ("graph", "application/rdf+xml;q=0.5, application/n-triples", None, "nt"),
        ("graph", None, "xml", "rdfxml"),  # what SPARQLWrapper sends for CONSTRUCT
        ("graph", None, "json", "jsonld"),
        ("graph", "text/html,application/xhtml+xml,*/*;q=0.8", None, "ttl"),
    ],
)
def test_negotiate(kind: str, accept: str | None, param: str | None, expected: str) -> None:
    assert negotiate(kind, accept, param) == expected


@pytest.mark.parametrize(
    ("kind", "accept", "param"),
    [("select", "image/png", None), ("select", "text/turtle", None), ("graph", None, "csv"),
     ("select", "text/csv;q=0", None)],
)
def test_negotiate_refuses(kind: str, accept: str | None, param: str | None) -> None:
    with pytest.raises(ProtocolError) as info:
        negotiate(kind, accept, param)
    assert info.value.status == 406


@pytest.mark.parametrize(
    ("text", "update"),
    [
        ("INSERT DATA { <a:b> <a:b> <a:b> }", True),
        ("PREFIX ex: <http://example.org/>\n# a comment\ndelete where { ?s ?p ?o }", True),
        ("BASE <http://x/> LOAD <http://x/y>", True),
        ("DROP ALL", True),
        ("SELECT * WHERE { ?s ?p 'INSERT DATA' }", False),
        ("# INSERT DATA\nASK {}", False),
        ("CONSTRUCT WHERE { ?s ?p ?o }", False),
    ],
)
def test_looks_like_update(text: str, update: bool) -> None:
    assert looks_like_update(text) is update


@pytest.mark.parametrize(
    ("text", "service"),
    [
        ("SELECT * { SERVICE <http://x/sparql> { ?s ?p ?o } }", True),
        ("select * { service silent <http://x/sparql> { ?s ?p ?o } }", True),
        ("SELECT * { ?x ?y ?z . SERVICE ?endpoint { ?s ?p ?o } }", True),
        ("SELECT * { ?service ?p ?o }", False),
        ('SELECT * { ?s ?p "SERVICE <x>" }', False),
        ("SELECT * { ?s ?p '''a\nSERVICE <x>''' }", False),
        ("SELECT * { <http://x/SERVICE> ?p ?o }", False),
        ("PREFIX ex: <http://x/>\nSELECT * { ex:SERVICE ?p ?o }", False),
        ("# SERVICE <x>\nSELECT * { ?s ?p ?o }", False),
    ],
)
def test_uses_service(text: str, service: bool) -> None:
    assert uses_service(text) is service


def test_check_query() -> None:
    check_query("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }", allow_service=True)
    for text, status in [("  ", 400), ("CLEAR ALL", 403), ("SELECT * { SERVICE <http://x/> {} }", 403)]:
        with pytest.raises(ProtocolError) as info:
            check_query(text, allow_service=False)
        assert info.value.status == status


ROWS = [
    (ox.NamedNode(EX + "a"), ox.Literal("x, \"quoted\"\nline", language="en")),
    (ox.BlankNode("b1"), ox.Literal("5", datatype=ox.NamedNode(XSD + "integer"))),
    (None, ox.Literal("tab\there")),
]


def test_select_json_xml_round_trip() -> None:
    for fmt in ("json", "xml", "tsv"):
        body = serialize_select(["s", "o"], ROWS, fmt)
        parsed = list(ox.parse_query_results(body, format=getattr(ox.QueryResultsFormat, fmt.upper())))
        assert [tuple(s) for s in parsed] == ROWS, fmt
    doc = json.loads(serialize_select(["s", "o"], ROWS, "json"))
    assert doc["results"]["bindings"][0]["o"] == {"type": "literal", "value": 'x, "quoted"\nline', "xml:lang": "en"}
    assert "s" not in doc["results"]["bindings"][2]  # unbound
    ET.fromstring(serialize_select(["s", "o"], ROWS, "xml"))


def test_select_csv() -> None:
    text = serialize_select(["s", "o"], ROWS, "csv").decode()
    assert text == f's,o\r\n{EX}a,"x, ""quoted""\nline"\r\n_:b1,5\r\n,tab\there\r\n'


def test_ask() -> None:
    assert json.loads(serialize_ask(True, "json")) == {"head": {}, "boolean": True}
    assert bool(ox.parse_query_results(serialize_ask(False, "xml"), format=ox.QueryResultsFormat.XML)) is False
    assert serialize_ask(True, "csv") == b"_askResult\r\ntrue\r\n"


def test_limit() -> None:
    assert take(range(3), 3, "rows") == [0, 1, 2]
    with pytest.raises(TooLarge, match="more than 2 rows"):
        take(range(3), 2, "rows")
    store = ox.Store()
    for i in range(5):
        store.add(ox.Quad(ox.NamedNode(EX + str(i)), ox.NamedNode(EX + "p"), ox.Literal(str(i))))
    with pytest.raises(TooLarge, match="triples"):
        answer(store.query("CONSTRUCT WHERE { ?s ?p ?o }"), None, None, 4)
    result = answer(store.query("CONSTRUCT WHERE { ?s ?p ?o }"), "application/n-triples", None, 5)
    assert result.media_type == "application/n-triples" and len(result.body.splitlines()) == 5
