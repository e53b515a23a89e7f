"""The SPARQL 1.1 Protocol endpoint of ``clusterkg serve``, through SPARQLWrapper and plain HTTP.

A real server process runs on 127.0.0.1 for the module (see serve_helpers).
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
from serve_helpers import clusterkg_server
from SPARQLWrapper import CSV, JSON, TSV, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

from clusterkg.namespaces import CKG, CKI, case_graph, kb_graph
from clusterkg.stores import open_embedded

pytestmark = pytest.mark.server

TIMEOUT_S = 3
MAX_RESULTS = 1000
CLUSTERS = f"""PREFIX ckg: <{CKG}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?cluster ?label WHERE {{
  ?cluster a/rdfs:subClassOf* ckg:IndustrialCluster ; rdfs:label ?label FILTER(lang(?label) = "en")
}} ORDER BY ?label"""
# Every triple of the knowledge base joined with itself three times: billions of rows.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    store = tmp_path_factory.mktemp("serve-store")
    with clusterkg_server(store, "--timeout", str(TIMEOUT_S), "--max-results", str(MAX_RESULTS), "--workers", "2") as srv:
        yield srv


def http(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None, method: str | None = None):
    """(status, headers, body) of a request; HTTP errors are returned, not raised."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def get(server, query: str, accept: str | None = None, **params: str):
    url = server.sparql_url + "?" + urllib.parse.urlencode({"query": query, **params})
    return http(url, headers={"Accept": accept} if accept else {})


def post_form(server, fields: dict[str, str], accept: str | None = None):
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if accept:
        headers["Accept"] = accept
    return http(server.sparql_url, data=urllib.parse.urlencode(fields).encode(), headers=headers)


# --- SPARQLWrapper, unchanged ---------------------------------------------------


def test_sparqlwrapper_select_json(server) -> None:
    client = SPARQLWrapper(server.sparql_url)
    client.setQuery(CLUSTERS)
    client.setReturnFormat(JSON)
    result = client.query().convert()
    labels = [b["label"]["value"] for b in result["results"]["bindings"]]
    assert "Seoul Venture Valley" in labels and "Dongdaemun apparel cluster" in labels
    assert result["head"]["vars"] == ["cluster", "label"]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_xml_csv_tsv(server, method: str) -> None:
    client = SPARQLWrapper(server.sparql_url)
    client.setMethod(method)
    client.setQuery(CLUSTERS)
    client.setReturnFormat(XML)
    document = client.query().convert()  # an xml.dom document
    literals = [n.firstChild.data for n in document.getElementsByTagName("literal")]
    assert "Seoul Venture Valley" in literals
    client.setReturnFormat(CSV)
    csv_text = client.query().convert().decode()
    assert csv_text.splitlines()[0] == "cluster,label"
    assert f"{CKI}cluster-seoul-venture-valley,Seoul Venture Valley" in csv_text
    client.setReturnFormat(TSV)
    tsv_text = client.query().convert().decode()
    assert tsv_text.splitlines()[0] == "?cluster\t?label"
    assert f'<{CKI}cluster-seoul-venture-valley>\t"Seoul Venture Valley"@en' in tsv_text


def test_sparqlwrapper_construct_and_ask(server) -> None:
    client = SPARQLWrapper(server.sparql_url)
    client.setQuery(f"PREFIX ckg: <{CKG}> CONSTRUCT {{ ?c ckg:hasFeature ?f }} WHERE {{ ?c ckg:hasFeature ?f }}")
    graph = client.queryAndConvert()  # an rdflib graph
    assert len(graph) >= 15  # the comparison table: 7 + 8 cells of section 3.1
    client.setQuery(f"ASK {{ <{CKI}cluster-seoul-venture-valley> ?p ?o }}")
    client.setReturnFormat(JSON)
    assert client.queryAndConvert()["boolean"] is True


def test_sparqlwrapper_syntax_error_is_bad_request(server) -> None:
    client = SPARQLWrapper(server.sparql_url)
    client.setQuery("SELECT ?x WHERE { ?x ?y }")
    client.setReturnFormat(JSON)
    with pytest.raises(QueryBadFormed):
        client.query()


# --- content negotiation over plain HTTP -----------------------------------------


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/html,application/xhtml+xml;q=0.9,*/*;q=0.8", "application/sparql-results+json"),
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
        (None, "application/sparql-results+json"),
    ],
)
def test_select_formats(server, accept: str | None, media: str) -> None:
    status, headers, body = get(server, CLUSTERS, accept)
    assert status == 200, body
    assert headers["Content-Type"].split(";")[0] == media
    assert "Seoul Venture Valley" in body.decode()
    if media.endswith("+json"):
        parsed = json.loads(body)
        assert len(parsed["results"]["bindings"]) >= 10
    elif media.endswith("+xml"):
        root = ET.fromstring(body)
        assert root.tag == "{http://www.w3.org/2005/sparql-results#}sparql"


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])  # CSV is lossy: checked above
def test_select_results_parse_back(server, fmt: str) -> None:
    """Each answer parses with pyoxigraph's own results parser into the same rows."""
    status, _, body = get(server, CLUSTERS, format=fmt)
    assert status == 200
    parsed = ox.parse_query_results(body, format=getattr(ox.QueryResultsFormat, fmt.upper()))
    rows = [(s["cluster"].value, s["label"].value) for s in parsed]
    assert (f"{CKI}cluster-dongdaemun-apparel", "Dongdaemun apparel cluster") in rows


@pytest.mark.parametrize(
    ("accept", "rdf_format"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/n-quads", ox.RdfFormat.N_QUADS),
        ("*/*", ox.RdfFormat.TURTLE),
    ],
)
def test_construct_formats(server, accept: str, rdf_format: ox.RdfFormat) -> None:
    query = f"DESCRIBE <{CKI}cluster-seoul-venture-valley>"
    status, headers, body = get(server, query, accept)
    assert status == 200, body
    assert headers["Content-Type"].split(";")[0] == rdf_format.media_type
    quads = list(ox.parse(body, format=rdf_format))
    subjects = {q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)}
    assert f"{CKI}cluster-seoul-venture-valley" in subjects
    assert len(quads) >= 10


def test_ask_formats(server) -> None:
    for fmt, expected in [("json", b'"boolean":false'), ("xml", b"<boolean>false</boolean>"), ("csv", b"false")]:
        status, _, body = get(server, f"ASK {{ <{CKI}no-such-thing> ?p ?o }}", format=fmt)
        assert status == 200 and expected in body


def test_post_direct_and_form(server) -> None:
    status, headers, body = http(
        server.sparql_url, data=CLUSTERS.encode(), headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"}
    )
    assert status == 200 and b"Seoul Venture Valley" in body
    status, _, body = post_form(server, {"query": CLUSTERS}, "text/csv")
    assert status == 200 and b"Seoul Venture Valley" in body


def test_default_graph_uri_restricts_the_dataset(server) -> None:
    query = f"PREFIX ckg: <{CKG}> SELECT (COUNT(?m) AS ?n) WHERE {{ ?m a ckg:Myth }}"
    _, _, union = get(server, query, "application/sparql-results+json")
    _, _, paper = get(server, query, "application/sparql-results+json", **{"default-graph-uri": kb_graph("paper")})
    _, _, cases = get(server, query, "application/sparql-results+json", **{"default-graph-uri": kb_graph("cases")})
    count = lambda body: int(json.loads(body)["results"]["bindings"][0]["n"]["value"])  # noqa: E731
    assert count(union) == count(paper) == 3  # the three myths of section 1
    assert count(cases) == 0


def test_service_description_without_query(server) -> None:
    status, headers, body = http(server.sparql_url)
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    triples = list(ox.parse(body, format=ox.RdfFormat.TURTLE))
    kinds = {t.object.value for t in triples if t.predicate.value.endswith("#type")}
    assert "http://www.w3.org/ns/sparql-service-description#Service" in kinds


def test_cors_allows_browser_clients(server) -> None:
    status, headers, _ = http(server.sparql_url + "?query=ASK%7B%7D", headers={"Origin": "http://example.org"})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"


# --- errors ---------------------------------------------------------------------


def test_errors_are_clear(server) -> None:
    status, _, body = get(server, "SELECT ?x WHERE { ?x ?y }")
    assert status == 400 and b"syntax error" in body
    status, _, body = get(server, CLUSTERS, "image/png")
    assert status == 406 and b"application/sparql-results+json" in body
    status, _, body = get(server, CLUSTERS, format="turtle")
    assert status == 406 and b"SELECT" in body
    status, _, body = http(server.sparql_url, data=b"x", headers={"Content-Type": "text/plain"})
    assert status == 415 and b"application/sparql-query" in body
    status, _, body = http(server.sparql_url + "?query=ASK%7B%7D&query=ASK%7B%7D")
    assert status == 400 and b"more than one" in body
    status, _, body = http(server.url + "/sparql", method="DELETE")
    assert status == 405


def test_updates_are_refused_and_nothing_changes(server) -> None:
    triple = f"<{CKI}x> <{CKG}y> <{CKI}z>"
    before = get(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", format="csv")[2]
    for status, body in [
        post_form(server, {"update": f"INSERT DATA {{ {triple} }}"})[::2],
        http(server.sparql_url, data=f"INSERT DATA {{ {triple} }}".encode(),
             headers={"Content-Type": "application/sparql-update"})[::2],
        post_form(server, {"query": f"PREFIX x: <{CKI}> INSERT DATA {{ {triple} }}"})[::2],
        get(server, "DROP ALL")[::2],
        http(server.url + "/update", data=b"update=CLEAR%20ALL",
             headers={"Content-Type": "application/x-www-form-urlencoded"})[::2],
    ]:
        assert status == 403
        assert b"read-only" in body
    client = SPARQLWrapper(server.sparql_url)
    client.setMethod("POST")
    client.setQuery(f"INSERT DATA {{ {triple} }}")
    with pytest.raises((SPARQLWrapperException, urllib.error.HTTPError)):
        client.query()
    assert get(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", format="csv")[2] == before


def test_service_is_refused_by_default(server) -> None:
    status, _, body = get(server, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert status == 403 and b"--allow-service" in body
    # the word inside a string or an IRI is no SERVICE call
    status, _, _ = get(server, 'SELECT * WHERE { BIND("SERVICE <x>" AS ?s) }')
    assert status == 200


def test_result_size_limit(server) -> None:
    status, _, body = get(server, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 422 and f"more than {MAX_RESULTS} rows".encode() in body and b"LIMIT" in body
    status, _, body = get(server, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert status == 422 and b"triples" in body
    status, _, body = get(server, f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {MAX_RESULTS}", format="csv")
    assert status == 200 and len(body.decode().splitlines()) == MAX_RESULTS + 1


def test_runaway_query_is_stopped_while_others_are_served(server) -> None:
    outcome: dict[str, object] = {}

    def runaway() -> None:
        started = time.monotonic()
        outcome["status"], _, outcome["body"] = get(server, RUNAWAY)
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.5)  # the runaway query now occupies a worker
    served = []
    while thread.is_alive() and len(served) < 20:
        started = time.monotonic()
        status, _, body = get(server, f"# {len(served)}\n{CLUSTERS}", format="csv")  # each new: no cache hit
        served.append((status, time.monotonic() - started))
        time.sleep(0.1)
    thread.join(timeout=TIMEOUT_S + 30)
    assert outcome["status"] == 503, outcome
    assert b"stopped" in outcome["body"]  # type: ignore[operator]
    assert TIMEOUT_S - 0.5 <= outcome["seconds"] < TIMEOUT_S + 10  # type: ignore[operator]
    assert served and all(status == 200 for status, _ in served)
    assert max(seconds for _, seconds in served) < TIMEOUT_S  # not queued behind the runaway query
    assert get(server, f"# after\n{CLUSTERS}", format="csv")[0] == 200  # the stopped worker was replaced


# --- named queries and the page's API --------------------------------------------------


def test_named_query_catalogue_and_run(server) -> None:
    status, _, body = http(server.url + "/api/queries")
    catalogue = json.loads(body)
    assert status == 200
    entry = next(q for q in catalogue if q["name"] == "myths-and-findings")
    assert entry["title"]["ko"] and entry["params"][0]["name"] == "lang"
    status, headers, body = http(server.url + "/api/queries/myths-and-findings?lang=ko",
                                 headers={"Accept": "application/sparql-results+json"})
    assert status == 200
    answer = json.loads(body)
    rows = answer["results"]["bindings"]
    assert rows and all(r["mythLabel"]["xml:lang"] == "ko" for r in rows if "mythLabel" in r)
    status, headers, body = http(server.url + "/api/queries/myths-and-findings?lang=en&format=csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    lines = body.decode().splitlines()
    assert lines[0] == ",".join(answer["head"]["vars"]) and len(lines) == len(rows) + 1


def test_named_query_errors(server) -> None:
    status, _, body = http(server.url + "/api/queries/no-such-query")
    assert status == 404 and b"myths-and-findings" in body
    status, _, body = http(server.url + "/api/queries/myths-and-findings?lang=not%20a%20tag")
    assert status == 400 and b"language tag" in body
    status, _, body = http(server.url + "/api/queries/myths-and-findings?colour=red")
    assert status == 400 and b"'colour'" in body and b"lang, format, output, results" in body  # issue 12


def test_info_and_page(server) -> None:
    status, _, body = http(server.url + "/api/info")
    info = json.loads(body)
    assert info["timeout_s"] == TIMEOUT_S and info["max_results"] == MAX_RESULTS and info["triples"] > 1000
    status, headers, body = http(server.url + "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html") and b"app.js" in body
    for path in ["/static/app.js", "/static/vendor/yasgui/yasgui.min.js", "/static/vendor/leaflet/leaflet.js",
                 "/static/vendor/cytoscape/cytoscape.min.js", "/static/vendor/world-atlas/countries-50m.json"]:
        assert http(server.url + path)[0] == 200, path


def test_page_needs_no_outside_server() -> None:
    """No file of the page loads anything from another host (no CDN, no tiles)."""
    static = Path(__file__).resolve().parent.parent / "clusterkg" / "server" / "static"
    for name in ["index.html", "yasgui.html", "app.js", "style.css"]:
        text = (static / name).read_text()
        assert "src=\"http" not in text and "href=\"http" not in text and "@import" not in text, name
        assert "tile" not in text.lower() or name == "style.css", name


# --- a writer beside a running server ----------------------------------------------------


def test_writes_are_not_blocked_and_are_served(tmp_path: Path) -> None:
    store = tmp_path / "store"
    with clusterkg_server(store, "--reload-interval", "0.5") as srv:
        ask = f"ASK {{ <{CKI}test-case> ?p ?o }}"
        assert b"false" in get(srv, ask, format="csv")[2]
        started = time.monotonic()
        with open_embedded(store, writable=True) as writable:  # would time out if the server held the lock
            triple = ox.Triple(ox.NamedNode(CKI + "test-case"), ox.NamedNode(CKG + "label"), ox.Literal("x"))
            writable.replace_graphs({case_graph("test-case"): [triple]})
        assert time.monotonic() - started < 10
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and b"true" not in get(srv, ask, format="csv")[2]:
            time.sleep(0.2)
        assert b"true" in get(srv, ask, format="csv")[2]
        info = json.loads(http(srv.url + "/api/info")[2])
        assert info["snapshot"] >= 2


def test_answers_are_cached_until_the_snapshot_changes(server) -> None:
    query = f"# cache test\n{CLUSTERS}"
    cached = lambda: json.loads(http(server.url + "/api/info")[2])["cached_answers"]  # noqa: E731
    before = cached()
    first = get(server, query, format="json")
    assert cached() == before + 1
    second = get(server, query, format="json")
    assert cached() == before + 1  # answered from the cache
    assert first[0] == second[0] == 200 and first[2] == second[2]
    assert get(server, query, format="tsv")[2] != first[2]  # the format is part of the key
