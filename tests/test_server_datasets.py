"""``clusterkg serve``: datasets, base IRI, columns, negotiation, service description, Graph Store reads, updates.

Real server processes on 127.0.0.1 (see serve_helpers): one read-only, one ``--writable``.
"""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from serve_helpers import clusterkg_server
from SPARQLWrapper import JSONLD, POST, SPARQLWrapper
from test_server_app import get, http, post_form

from clusterkg.cli import cli
from clusterkg.namespaces import CKI, USER_DEFAULT_GRAPH, kb_graph

pytestmark = pytest.mark.server

SD = "http://www.w3.org/ns/sparql-service-description#"
EX = "http://example.org/"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    store = tmp_path_factory.mktemp("datasets-store")
    data = store.parent / "mine.ttl"
    data.write_text(f"<{EX}a> <{EX}p> 1 .\n<{EX}b> <{EX}p> 2 .\n")
    loaded = CliRunner().invoke(cli, ["--store", str(store), "load", str(data), "--graph", f"{EX}mine"])
    assert loaded.exit_code == 0, loaded.output
    with clusterkg_server(store, "--workers", "1") as srv:
        yield srv


@pytest.fixture()
def writable(store_dir: Path):
    with clusterkg_server(store_dir, "--workers", "1", "--writable", "--reload-interval", "0") as srv:
        yield srv


def _count(server, query: str, **params: str) -> int:
    status, _, body = get(server, query, "application/sparql-results+json", **params)
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def test_from_gives_exactly_the_graphs_named(server) -> None:
    union = _count(server, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    mine = _count(server, f"SELECT (COUNT(*) AS ?n) FROM <{EX}mine> {{ ?s ?p ?o }}")
    cases = _count(server, f"SELECT (COUNT(*) AS ?n) FROM <{kb_graph('cases')}> {{ ?s ?p ?o }}")
    assert mine == 2 and 0 < cases < union
    assert _count(server, f"SELECT (COUNT(*) AS ?n) FROM NAMED <{EX}mine> {{ ?s ?p ?o }}") == 0
    # the protocol's dataset wins over the query's
    assert _count(server, f"SELECT (COUNT(*) AS ?n) FROM <{EX}mine> {{ ?s ?p ?o }}",
                  **{"default-graph-uri": kb_graph("cases")}) == cases


def test_base_iri_is_the_endpoint_url(server) -> None:
    status, _, body = get(server, "CONSTRUCT { <s> <p> 1 } WHERE {}", "application/n-triples")
    assert status == 200, body
    assert body.decode().startswith(f"<{server.url}/s> <{server.url}/p> ")


def test_select_star_columns_follow_the_query(server) -> None:
    status, _, body = get(server, "SELECT * WHERE { ?zebra ?apple ?mango } LIMIT 1", "text/csv")
    assert status == 200 and body.decode().splitlines()[0] == "zebra,apple,mango"


def test_repeated_format_parameters_as_sparqlwrapper_sends_them(server) -> None:
    query = f"CONSTRUCT {{ <{CKI}cluster-bucheon> ?p ?o }} WHERE {{ <{CKI}cluster-bucheon> ?p ?o }}"
    url = server.sparql_url + "?" + urllib.parse.urlencode(
        [("query", query), ("format", "json-ld"), ("format", "application/ld+json,application/x-json+ld")])
    status, headers, body = http(url)
    assert status == 200 and headers["Content-Type"].startswith("application/ld+json"), body
    client = SPARQLWrapper(server.sparql_url)
    client.setQuery(query)
    client.setReturnFormat(JSONLD)
    graph = client.queryAndConvert()
    assert isinstance(graph, rdflib.Graph) and len(graph) > 5


@pytest.mark.parametrize(("accept", "rdf_format"), [("text/turtle", ox.RdfFormat.TURTLE),
                                                    ("application/ld+json", ox.RdfFormat.JSON_LD),
                                                    ("application/rdf+xml", ox.RdfFormat.RDF_XML)])
def test_service_description_is_negotiated_and_complete(server, accept: str, rdf_format: ox.RdfFormat) -> None:
    status, headers, body = http(server.sparql_url, headers={"Accept": accept})
    assert status == 200 and headers["Content-Type"].startswith(rdf_format.media_type)
    store = ox.Store()
    store.load(body, format=rdf_format)

    def ask(pattern: str) -> bool:
        return bool(store.query(f"PREFIX sd: <{SD}> PREFIX void: <http://rdfs.org/ns/void#> ASK {{ {pattern} }}"))

    assert ask(f"<{server.sparql_url}> a sd:Service ; sd:endpoint <{server.sparql_url}> ; "
               "sd:supportedLanguage sd:SPARQL11Query ; sd:feature sd:UnionDefaultGraph")
    assert not ask("?s sd:supportedLanguage sd:SPARQL11Update")  # read-only
    for name in ("N-Quads", "TriG", "Turtle", "JSON-LD", "SPARQL_Results_JSON", "SPARQL_Results_TSV"):
        assert ask(f"?s sd:resultFormat <http://www.w3.org/ns/formats/{name}>"), name
    assert ask("?s sd:defaultDataset [ a sd:Dataset ; sd:defaultGraph [ a sd:Graph ; void:triples ?n ] ]")
    assert ask(f"?s sd:defaultDataset/sd:namedGraph [ sd:name <{EX}mine> ; sd:graph [ void:triples 2 ] ]")
    assert ask(f"?s sd:defaultDataset/sd:namedGraph [ sd:name <{kb_graph('cases')}> ]")


def test_graph_store_read_side(server) -> None:
    status, headers, body = http(f"{server.url}/data?graph={urllib.parse.quote(EX + 'mine')}",
                                 headers={"Accept": "application/n-triples"})
    assert status == 200 and headers["Content-Type"].startswith("application/n-triples")
    assert len(list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))) == 2
    status, headers, body = http(f"{server.url}/data?default")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    assert len(list(ox.parse(body, format=ox.RdfFormat.TURTLE))) > 2000
    assert http(f"{server.url}/data?graph={urllib.parse.quote(EX + 'nothing')}")[0] == 404
    assert http(f"{server.url}/data")[0] == 400
    assert http(f"{server.url}/data?graph=not%20an%20iri")[0] == 400


def test_read_only_refuses_updates(server) -> None:
    status, _, body = post_form(server, {"update": f"INSERT DATA {{ <{EX}x> <{EX}p> 1 }}"})
    assert status == 403 and b"--writable" in body


def test_writable_server_updates_the_user_s_graphs(writable) -> None:
    triple = f"<{EX}x> <{EX}p> 1"
    status, _, body = post_form(writable, {"update": f"INSERT DATA {{ {triple} }}"})
    assert status == 200 and f"<{USER_DEFAULT_GRAPH}> 0 -> 1 triples".encode() in body, body
    assert _count(writable, f"SELECT (COUNT(*) AS ?n) {{ {triple} }}") == 1  # the next query sees it
    status, _, body = http(writable.url + "/update", data=f"DELETE DATA {{ {triple} }}".encode(),
                           headers={"Content-Type": "application/sparql-update"})
    assert status == 200, body
    assert _count(writable, f"SELECT (COUNT(*) AS ?n) {{ {triple} }}") == 0
    client = SPARQLWrapper(writable.sparql_url)
    client.setMethod(POST)
    client.setQuery(f"INSERT DATA {{ GRAPH <{EX}g> {{ {triple} }} }}")
    client.query()
    assert _count(writable, f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{EX}g> {{ {triple} }} }}") == 1
    status, _, body = http(writable.sparql_url, headers={"Accept": "text/turtle"})
    assert f"<{SD}SPARQL11Update>".encode() in body or b"sd:SPARQL11Update" in body


def test_writable_server_refuses_what_the_cli_refuses(writable) -> None:
    before = _count(writable, f"SELECT (COUNT(*) AS ?n) FROM <{kb_graph('cases')}> {{ ?s ?p ?o }}")
    status, _, body = post_form(writable, {"update": f"DROP GRAPH <{kb_graph('cases')}>"})
    assert status == 403 and b"refused: the update would change" in body
    status, _, body = post_form(writable, {"update": "LOAD <file:///etc/hostname>"})
    assert status == 403 and b"LOAD is not run here" in body
    status, _, body = post_form(writable, {"update": "INSERT DATA { <urn:a> <urn:b> }"})
    assert status == 400 and b"syntax error" in body
    status, _, body = post_form(writable, {"update": "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/s> { ?s ?p ?o } }"})
    assert status == 403 and b"--allow-service" in body
    assert _count(writable, f"SELECT (COUNT(*) AS ?n) FROM <{kb_graph('cases')}> {{ ?s ?p ?o }}") == before


def test_writable_is_for_loopback_only(store_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["--store", str(store_dir), "serve", "--writable", "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "--writable serves updates on a loopback address only" in result.stderr
