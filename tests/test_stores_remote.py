"""EndpointStore: a live Oxigraph server, and scripted HTTP answers for the failures."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from servers import free_port
from stub_http import Reply, stub_server

from clusterkg import kb
from clusterkg.cli import cli
from clusterkg.errors import EndpointError, QueryError
from clusterkg.namespaces import case_graph
from clusterkg.sparql.results import parse_results
from clusterkg.stores import open_embedded
from clusterkg.stores.copy import push
from clusterkg.stores.remote import EndpointStore, batches

N = ox.NamedNode
GRAPH = case_graph("endpoint-test")
TURTLE = """
@prefix ex: <urn:ex:> .
ex:a ex:p "x" , "서울"@ko , 1.50 ; ex:list ( ex:b ex:c ) ; ex:node [ ex:q "inner" ] .
ex:b ex:p "y" .
"""


def _triples(text: str = TURTLE) -> list[ox.Triple]:
    return [q.triple for q in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)]


def _endpoint(server, **kwargs) -> EndpointStore:
    return EndpointStore(server.query_url, server.update_url, **kwargs)


# -- a live Oxigraph server ----------------------------------------------------


def test_select_ask_construct_describe_with_bindings(oxigraph) -> None:
    store = _endpoint(oxigraph)
    store.replace_graphs({GRAPH: _triples()})
    assert store.graph_names() == [GRAPH]
    select = store.query("SELECT ?s ?o WHERE { ?s <urn:ex:p> ?o }", bindings={"s": N("urn:ex:a")})
    assert select.variables == ["s", "o"]
    assert {str(o) for _, o in select.rows} == {'"x"', '"서울"@ko', '"1.5"^^<http://www.w3.org/2001/XMLSchema#decimal>'}  # servers store decimals canonically
    assert store.query("ASK { ?s <urn:ex:p> ?o }", bindings={"o": ox.Literal("y")}).boolean is True
    assert store.query("ASK { ?s <urn:ex:p> ?o }", bindings={"o": ox.Literal("z")}).boolean is False
    construct = store.query("CONSTRUCT { ?s <urn:ex:seen> ?o } WHERE { ?s <urn:ex:p> ?o }", bindings={"o": ox.Literal("y")})
    assert [str(t) for t in construct.triples] == ['<urn:ex:b> <urn:ex:seen> "y"']
    describe = store.query("DESCRIBE <urn:ex:b>")
    assert {str(t) for t in describe.triples} == {'<urn:ex:b> <urn:ex:p> "y"'}
    based = store.query("SELECT ?x WHERE { BIND(<rel> AS ?x) }", base_iri="http://example.org/base/")
    assert [str(r[0]) for r in based.rows] == ["<http://example.org/base/rel>"]


def test_blank_node_structures_survive_small_batches(oxigraph) -> None:
    written: list[int] = []
    store = _endpoint(oxigraph, batch_size=2)
    store.replace_graphs({GRAPH: _triples()}, progress=written.append)
    assert sum(written) == len(_triples()) and len(written) > 2
    items = store.query(
        "PREFIX ex: <urn:ex:> SELECT ?item ?inner WHERE { ex:a ex:list/<http://www.w3.org/1999/02/22-rdf-syntax-ns#rest>*/"
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#first> ?item ; ex:node/ex:q ?inner }"
    )
    assert sorted(str(r[0]) for r in items.rows) == ["<urn:ex:b>", "<urn:ex:c>"]


def test_batches_keep_blank_node_groups_together() -> None:
    triples = _triples()
    groups = list(batches(triples, 1))
    assert sorted(map(str, (t for g in groups for t in g))) == sorted(map(str, triples))
    for group in groups:
        nodes = {t.subject.value for t in group if isinstance(t.subject, ox.BlankNode)}
        for other in groups:
            if other is not group:
                assert not nodes & {t.object.value for t in other if isinstance(t.object, ox.BlankNode)}


def test_whole_kb_equals_embedded_and_engine_default_graph_is_ignored(oxigraph, tmp_path: Path) -> None:
    stray = tmp_path / "stray.ttl"
    stray.write_text("<urn:stray> <urn:p> <urn:o> .\n")
    oxigraph.load(stray)  # into the server's own default graph: not clusterkg's
    target = _endpoint(oxigraph)
    with open_embedded() as source:
        summary = push(source, target)
        assert target.graph_names() == source.graph_names()
        assert kb.info(target) == kb.info(source)
        assert summary.triples == kb.info(source)["triples"]
        local_export, remote_export = kb.export(source, "nt"), kb.export(target, "nt")
    assert target.query("ASK { <urn:stray> ?p ?o }").boolean is False
    import rdflib
    from rdflib.compare import isomorphic

    local, remote = rdflib.Graph().parse(data=local_export, format="nt"), rdflib.Graph().parse(data=remote_export, format="nt")
    assert isomorphic(local, remote)


def test_a_fixed_dataset(oxigraph) -> None:
    store = _endpoint(oxigraph)
    store.replace_graphs({GRAPH: _triples(), case_graph("other"): _triples('<urn:ex:z> <urn:ex:p> "z" .')})
    only = _endpoint(oxigraph, dataset=[case_graph("other")])
    assert [str(r[0]) for r in only.query("SELECT ?s WHERE { ?s <urn:ex:p> ?o }").rows] == ["<urn:ex:z>"]
    assert len(list(store.query("SELECT ?s WHERE { ?s <urn:ex:p> ?o }").rows)) == 5


def test_endpoint_without_clusterkg_graphs_uses_its_own_dataset(oxigraph, tmp_path: Path) -> None:
    data = tmp_path / "d.ttl"
    data.write_text("<urn:a> <urn:p> <urn:o> .\n")
    oxigraph.load(data)
    store = _endpoint(oxigraph)
    assert store.graph_names() == []
    assert store.query("ASK { <urn:a> <urn:p> <urn:o> }").boolean is True


def test_push_drops_graphs_the_source_lost(oxigraph, store_dir: Path) -> None:
    target = _endpoint(oxigraph)
    target.replace_graphs({case_graph("removed"): _triples()})
    with open_embedded(store_dir) as source:
        summary = push(source, target)
    assert summary.dropped == [case_graph("removed")]
    assert case_graph("removed") not in target.graph_names()


def test_updates_are_refused_as_queries(oxigraph) -> None:
    with pytest.raises(QueryError, match="only SELECT"):
        _endpoint(oxigraph).query("DELETE WHERE { ?s ?p ?o }")


def test_syntax_error_reports_the_endpoint_message(oxigraph) -> None:
    with pytest.raises(EndpointError, match="HTTP 400"):
        _endpoint(oxigraph).query("SELECT * WHERE { ?s ?p }")


# -- failures, with scripted answers (tests/stub_http.py) ------------------------------------------------


def test_unreachable_endpoint() -> None:
    with pytest.raises(EndpointError, match=r"cannot reach the endpoint http://127\.0\.0\.1:\d+/sparql"):
        EndpointStore(f"http://127.0.0.1:{free_port()}/sparql", timeout=5).query("ASK {}")


def _reply(body: bytes, content_type: str, status: int = 200) -> Reply:
    return Reply(status=status, body=body, headers={"Content-Type": content_type})


def test_timeout() -> None:
    with stub_server([Reply(delay=2.5)]) as endpoint:
        with pytest.raises(EndpointError, match="did not answer within 1 s"):
            EndpointStore(endpoint.url, timeout=1).graph_names()


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (500, b"Virtuoso 42000 Error: out of memory\nmore", "HTTP 500 Internal Server Error: Virtuoso 42000 Error: out of memory"),
        (400, b"Parser error at line 1", "HTTP 400 Bad Request: Parser error at line 1"),
        (503, b"busy", "HTTP 503"),
        (401, b"", "HTTP 401 Unauthorized"),
    ],
)
def test_http_errors(status: int, body: bytes, message: str) -> None:
    with stub_server([_reply(body, "text/plain", status)]) as endpoint:
        with pytest.raises(EndpointError, match=message) as caught:
            EndpointStore(endpoint.url, timeout=5).update("DROP SILENT GRAPH <urn:g>")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/sparql-results+json"),
        (b'{"head": {"vars": ["g"]}}', "application/sparql-results+json"),
        (b'{"head": {"vars": ["g"]}, "results": {"bindings": [{"g": {"type": "uri", "value": "not an iri"}}]}}', "application/json"),
        (b"<html>oops</html>", "application/sparql-results+xml"),
    ],
)
def test_malformed_results(body: bytes, content_type: str) -> None:
    with stub_server([_reply(body, content_type)]) as endpoint:
        with pytest.raises(EndpointError, match="malformed answer"):
            EndpointStore(endpoint.url, timeout=5).graph_names()


def test_malformed_graph() -> None:
    with stub_server([Reply()]) as endpoint:
        store = EndpointStore(endpoint.url, timeout=5)
        store.graph_names()
        endpoint.replies[:] = [_reply(b"<html>no</html>", "text/html")]
        with pytest.raises(EndpointError, match="unexpected content type 'text/html'"):
            store.query("CONSTRUCT WHERE { ?s ?p ?o }")
        endpoint.replies[:] = [_reply(b"<urn:a> <urn:p> .", "application/n-triples")]
        with pytest.raises(EndpointError, match="malformed answer"):
            store.query("CONSTRUCT WHERE { ?s ?p ?o }")


def test_requests_say_who_sends_them_and_restrict_the_dataset() -> None:
    graphs = b'{"head": {"vars": ["g"]}, "results": {"bindings": [{"g": {"type": "uri", "value": "https://w3id.org/clusterkg/graph/kb/x"}}]}}'
    with stub_server([_reply(graphs, "application/sparql-results+json")]) as endpoint:
        EndpointStore(endpoint.url, timeout=5).query("SELECT * WHERE { ?s ?p ?o }")
    headers, body = endpoint.requests[-1]["headers"], endpoint.requests[-1]["body"]
    assert headers["User-Agent"].startswith("clusterkg/")
    assert headers["Accept"].startswith("application/sparql-results+json")
    assert b"default-graph-uri=https%3A//w3id.org/clusterkg/graph/kb/x" in body
    assert b"named-graph-uri=https%3A//w3id.org/clusterkg/graph/kb/x" in body


def test_virtuoso_style_json() -> None:
    body = b"""{ "head": { "link": [], "vars": ["s", "o", "u"] }, "results": { "bindings": [
      { "s": { "type": "bnode", "value": "nodeID://b10000" }, "o": { "type": "typed-literal",
        "datatype": "http://www.w3.org/2001/XMLSchema#integer", "value": "3" } },
      { "s": { "type": "bnode", "value": "nodeID://b10000" }, "o": { "type": "literal", "xml:lang": "ko", "value": "\\uC11C\\uC6B8" } } ] } }"""
    result = parse_results(body, "application/sparql-results+json")
    rows = list(result.rows)
    assert rows[0][0] == rows[1][0] and isinstance(rows[0][0], ox.BlankNode)
    assert rows[0][1] == ox.Literal("3", datatype=N("http://www.w3.org/2001/XMLSchema#integer"))
    assert rows[1][1] == ox.Literal("서울", language="ko")
    assert rows[0][2] is None


def test_xml_results() -> None:
    body = b"""<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/><boolean>true</boolean></sparql>"""
    assert parse_results(body, "application/sparql-results+xml").boolean is True


def test_cli_reports_an_unreachable_endpoint_in_one_line() -> None:
    url = f"http://127.0.0.1:{free_port()}/sparql"
    result = CliRunner().invoke(cli, ["--endpoint", url, "info"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"Error: cannot reach the endpoint {url}: [Errno 111] Connection refused"]


def test_bad_urls_are_refused() -> None:
    with pytest.raises(EndpointError, match="must start with http"):
        EndpointStore("localhost:7878/query")


def test_a_batch_too_big_is_split() -> None:
    """Virtuoso's compiler refuses big requests ("memory exhausted"): the batch is halved and sent again."""
    with stub_server([Reply()]) as endpoint:
        sizes: list[int] = []
        original = EndpointStore.update

        def refusing(self, request: str) -> None:
            if request.startswith("INSERT"):
                count = request.count(" .\n")
                sizes.append(count)
                if count > 3:
                    raise EndpointError(f"{self.url} answered HTTP 400 Bad Request: SP030: SPARQL compiler, line 9: memory exhausted")
            else:
                original(self, request)

        triples = [ox.Triple(N(f"urn:s{i}"), N("urn:p"), ox.Literal(str(i))) for i in range(10)]
        written: list[int] = []
        store = EndpointStore(endpoint.url, batch_size=8)
        store.update = refusing.__get__(store)  # type: ignore[method-assign]
        store.replace_graphs({GRAPH: triples}, progress=written.append)
    assert sum(written) == 10 and max(written) <= 3
    assert sizes[0] == 8


def test_an_unsplittable_refusal_is_reported() -> None:
    with stub_server([_reply(b"SP030: memory exhausted", "text/plain", 400)]) as endpoint:
        store = EndpointStore(endpoint.url, batch_size=8)
        with pytest.raises(EndpointError, match="memory exhausted"):
            store.replace_graphs({GRAPH: [ox.Triple(N("urn:s"), N("urn:p"), ox.Literal("x"))]})


def test_timeout_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLUSTERKG_ENDPOINT_TIMEOUT", "1")
    with stub_server([Reply(delay=2.5)]) as endpoint:
        result = CliRunner().invoke(cli, ["--endpoint", endpoint.url, "info"])
    assert result.exit_code == 2
    assert result.output == f"Error: {endpoint.url} did not answer within 1 s\n"
    monkeypatch.setenv("CLUSTERKG_ENDPOINT_TIMEOUT", "soon")
    with pytest.raises(EndpointError, match="CLUSTERKG_ENDPOINT_TIMEOUT must be a number"):
        EndpointStore("http://127.0.0.1:1/sparql")
