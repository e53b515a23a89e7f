"""The W3C SPARQL 1.1 Protocol test suite: reading its manifest and running its requests against a server.

Each ``mf:ProtocolTest`` holds ``ht:Request``s to send in order: method, path
(``/sparql/...``, replaced by the endpoint being tested: the query URL, or for
an update the URL the service description names), body (in its
``cnt:characterEncoding``) and headers, and what each response must be: a
status class (``hts:StatusCode2xx`` ...), a format (``boolean``, ``tabular``,
``RDF``) and, for ASK, the boolean. Requests go through ``http.client`` so that
no header is added that the test does not give (a POST without Content-Type).
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
HT = "http://www.w3.org/2011/http#"
CNT = "http://www.w3.org/2011/content#"
UT = "http://www.w3.org/2009/sparql/tests/test-update#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SD = "http://www.w3.org/ns/sparql-service-description#"

RESULT_TYPES = ("application/sparql-results+json", "application/sparql-results+xml")
TABULAR_TYPES = (*RESULT_TYPES, "text/csv", "text/tab-separated-values")
RDF_TYPES = ("text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json",
             "application/n-quads", "application/trig")


@dataclass
class Request:
    method: str
    path: str
    body: bytes | None
    headers: dict[str, str]
    statuses: set[str]  # "2xx", "4xx", ...
    expected_format: str | None
    expected_boolean: bool | None

    @property
    def is_update(self) -> bool:
        content_type = self.headers.get("content-type", "")
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        form = urllib.parse.parse_qs((self.body or b"").decode("utf-8", "replace")) if "form" in content_type else {}
        return "sparql-update" in content_type or "update" in query or "update" in form


@dataclass
class ProtocolTest:
    name: str
    requests: list[Request] = field(default_factory=list)
    graphs: list[tuple[str, Path]] = field(default_factory=list)  # (graph IRI, data file)

    @property
    def kind(self) -> str:
        """``update`` (a valid update), ``bad update``, ``query`` (valid or bad)."""
        if self.name.startswith("update_"):
            return "update"
        if self.name.startswith("bad_") and ("update" in self.name):
            return "bad update"
        return "query"


def _objects(store: ox.Store, subject: object, predicate: str) -> list:
    return [q.object for q in store.quads_for_pattern(subject, ox.NamedNode(predicate), None)]


def _one(store: ox.Store, subject: object, predicate: str):
    found = _objects(store, subject, predicate)
    return found[0] if found else None


def _list(store: ox.Store, head: object) -> list:
    items = []
    while head is not None and head != ox.NamedNode(RDF + "nil"):
        items.append(_one(store, head, RDF + "first"))
        head = _one(store, head, RDF + "rest")
    return items


def load_tests(manifest: Path) -> list[ProtocolTest]:
    """The manifest's tests, in its order."""
    store = ox.Store()
    base = manifest.resolve().as_uri()
    store.load(path=str(manifest), format=ox.RdfFormat.TURTLE, base_iri=base)
    root = ox.NamedNode(base)
    tests = []
    for entry in _list(store, _one(store, root, MF + "entries")):
        test = ProtocolTest(entry.value.rpartition("#")[2])
        for data in _objects(store, entry, UT + "graphData"):
            test.graphs.append((_one(store, data, RDFS + "label").value,
                                Path(urllib.parse.urlsplit(_one(store, data, UT + "graph").value).path)))
        action = _one(store, entry, MF + "action")
        for request in _list(store, _one(store, action, HT + "requests")):
            body_node = _one(store, request, HT + "body")
            body = None
            if body_node is not None:
                encoding = _one(store, body_node, CNT + "characterEncoding")
                body = _one(store, body_node, CNT + "chars").value.encode(encoding.value if encoding else "utf-8")
            headers = {}
            for header in _list(store, _one(store, request, HT + "headers")):
                headers[_one(store, header, HT + "fieldName").value.lower()] = _one(store, header, HT + "fieldValue").value
            response = _one(store, request, HT + "resp")
            statuses = {s.value.rpartition("#")[2].removeprefix("StatusCode") for s in _objects(store, response, MF + "expectedStatus")}
            fmt = _one(store, response, MF + "expectedFormat")
            boolean = _one(store, response, MF + "expectedBoolean")
            test.requests.append(Request(
                _one(store, request, HT + "methodName").value, _one(store, request, HT + "absolutePath").value,
                body, headers, statuses, fmt.value if fmt else None, boolean.value == "true" if boolean else None,
            ))
        tests.append(test)
    return tests


def update_url(server_url: str, query_path: str) -> str | None:
    """The URL the service description at the query endpoint names for SPARQL 1.1 Update, or None."""
    status, headers, body = send(server_url, "GET", query_path, None, {"accept": "text/turtle"})
    if status != 200:
        return None
    graph = ox.Store()
    graph.load(body, format=ox.RdfFormat.TURTLE)
    for quad in graph.quads_for_pattern(None, ox.NamedNode(SD + "supportedLanguage"), ox.NamedNode(SD + "SPARQL11Update")):
        endpoint = _one(graph, quad.subject, SD + "endpoint")
        if endpoint is not None:
            return endpoint.value
    return None


def send(server_url: str, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> tuple[int, dict, bytes]:
    parts = urllib.parse.urlsplit(server_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        if body is not None:
            connection.putheader("content-length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def _boolean(content_type: str, body: bytes) -> bool | None:
    if content_type.startswith("application/sparql-results+json"):
        return json.loads(body).get("boolean")
    if content_type.startswith("application/sparql-results+xml"):
        found = ET.fromstring(body).find("{http://www.w3.org/2005/sparql-results#}boolean")
        return None if found is None else found.text == "true"
    return None


@dataclass
class Outcome:
    passed: bool
    refused: bool  # an update request answered 403
    detail: str = ""


def run_test(test: ProtocolTest, server_url: str, query_path: str, update_path: str) -> Outcome:
    """Send a test's requests in order; whether every response is as the test expects."""
    refused = False
    for request in test.requests:
        path = request.path.replace("/sparql/", update_path if request.is_update else query_path, 1)
        status, headers, body = send(server_url, request.method, path, request.body, request.headers)
        if request.is_update and status == 403:
            refused = True
        if f"{status // 100}xx" not in request.statuses:
            return Outcome(False, refused, f"{request.method} {path}: HTTP {status} {body[:200]!r}")
        content_type = headers.get("content-type", "")
        wanted = {"boolean": RESULT_TYPES, "tabular": TABULAR_TYPES, "RDF": RDF_TYPES}.get(request.expected_format or "")
        if wanted and not content_type.startswith(wanted):
            return Outcome(False, refused, f"{path}: Content-Type {content_type!r} is not {request.expected_format}")
        if request.expected_boolean is not None and _boolean(content_type, body) != request.expected_boolean:
            return Outcome(False, refused, f"{path}: expected {request.expected_boolean}, got {body[:200]!r}")
    return Outcome(True, refused)
