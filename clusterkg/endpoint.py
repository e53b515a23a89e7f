"""A remote SPARQL 1.1 endpoint as a :class:`~clusterkg.store.Store`, through SPARQLWrapper.

How answers stay the same on every engine
-----------------------------------------
clusterkg keeps every graph it writes under ``https://w3id.org/clusterkg/graph/``
(see :mod:`clusterkg.namespaces`). ``clusterkg load`` writes each of them as a
named graph of the endpoint, never into its default graph. Every query is then
sent with the SPARQL Protocol's dataset parameters: ``default-graph-uri`` and
``named-graph-uri`` both list exactly those graphs. The default graph is
therefore the merge of clusterkg's graphs, as in the embedded store, whatever
the engine's own default is (Virtuoso's is the union of all graphs plus its
system triples, Oxigraph's the real default graph, Fuseki's configurable).
An endpoint holding no clusterkg graph is queried with its own default dataset.

Writes (:meth:`EndpointStore.replace_graphs`) use SPARQL Update in batches:
``DROP SILENT GRAPH`` then ``INSERT DATA`` (or ``INSERT {...} WHERE {}`` for a
batch with blank nodes, which Virtuoso refuses in ``INSERT DATA``). Triples
that share a blank node always travel in the same batch, so blank-node
structures (OWL restrictions, lists) survive. A batch the engine finds too big
is split in halves and sent again. A load is not one transaction:
if it fails half-way, run it again.
"""

from __future__ import annotations

import ast
import json
import os
import re
import socket
import urllib.error
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import pyoxigraph as ox

from . import __version__
from .errors import EndpointError, QueryError
from .namespaces import GRAPH
from .sparql_text import QUERY_FORMS, bind_values, require_form
from .store import QueryResult, Term, one_line

DEFAULT_TIMEOUT = 60
TIMEOUT_ENV = "CLUSTERKG_ENDPOINT_TIMEOUT"
DEFAULT_BATCH_SIZE = 2_000  # Virtuoso's SPARQL compiler runs out of stack at about 5000 triples a request
USER_AGENT = f"clusterkg/{__version__} (+https://w3id.org/clusterkg; SPARQLWrapper)"

RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.8, text/tab-separated-values;q=0.5"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5, application/n-quads;q=0.4"

_GRAPH_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "text/n3": ox.RdfFormat.TURTLE,
    "text/rdf+n3": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
_RESULT_FORMATS = {
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "text/csv": ox.QueryResultsFormat.CSV,
}
_GRAPHS_QUERY = (
    "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
    f'FILTER(STRSTARTS(STR(?g), "{GRAPH}")) }}'
)

Progress = Callable[[int], None]
#: An update refused because it was too big (Virtuoso: "memory exhausted", "generated SQL text has
#: exceeded 10000 lines"; others: 413).
_TOO_BIG = re.compile(r"HTTP 413|memory exhausted|too large|too long|has exceeded", re.IGNORECASE)
#: An update sent to a URL that takes queries only.
_WRONG_URL = re.compile(r"HTTP (404|405)|HTTP 400 .*parameter", re.IGNORECASE)


class EndpointStore:
    """A SPARQL 1.1 endpoint (query URL, and an update URL if it differs).

    ``timeout`` is in whole seconds and applies to each HTTP request (default:
    ``$CLUSTERKG_ENDPOINT_TIMEOUT`` or 60).
    ``dataset`` fixes the graphs that queries see; by default they are
    clusterkg's graphs found at the endpoint, and ``[]`` means the endpoint's
    own default dataset.
    """

    def __init__(
        self,
        url: str,
        update_url: str | None = None,
        *,
        timeout: int | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        dataset: Iterable[str] | None = None,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise EndpointError(f"the endpoint URL must start with http:// or https://: {url!r}")
        if update_url and not update_url.startswith(("http://", "https://")):
            raise EndpointError(f"the update endpoint URL must start with http:// or https://: {update_url!r}")
        if batch_size < 1:
            raise EndpointError("the batch size must be at least 1")
        self.url = url
        self.update_url = update_url or url
        self.timeout = max(1, int(timeout if timeout is not None else _timeout_from_env()))
        self.batch_size = batch_size
        self._graphs: list[str] | None = None
        self._dataset = None if dataset is None else [_iri(g, "graph name")[1:-1] for g in dataset]

    # -- reading -----------------------------------------------------------

    def query(
        self, sparql: str, *, bindings: Mapping[str, Term] | None = None, base_iri: str | None = None
    ) -> QueryResult:
        """Run a read-only query on clusterkg's graphs at the endpoint."""
        form = require_form(sparql)
        if form not in QUERY_FORMS:
            raise QueryError(f"only SELECT, ASK, CONSTRUCT and DESCRIBE queries can be run, not {form}")
        text = bind_values(sparql, bindings)
        if base_iri:
            text = f"BASE {_iri(base_iri, 'base IRI')}\n{text}"
        graphs = self.graph_names() if self._dataset is None else self._dataset
        return self._request(text, form, graphs)

    def graph_names(self) -> list[str]:
        """clusterkg's named graphs at the endpoint (the engine's own graphs left out)."""
        if self._graphs is None:
            answer = self._request(_GRAPHS_QUERY, "SELECT", [])
            self._graphs = sorted({row[0].value for row in answer.rows if isinstance(row[0], ox.NamedNode)})
        return list(self._graphs)

    def _request(self, text: str, form: str, graphs: list[str]) -> QueryResult:
        accept = GRAPH_ACCEPT if form in ("CONSTRUCT", "DESCRIBE") else RESULTS_ACCEPT
        wrapper = self._wrapper(self.url, text, accept)
        wrapper.queryType = form
        for graph in graphs:
            wrapper.addParameter("default-graph-uri", graph)
            wrapper.addParameter("named-graph-uri", graph)
        body, content_type = self._send(wrapper)
        if form in ("CONSTRUCT", "DESCRIBE"):
            return parse_graph(body, content_type, self.url)
        return parse_results(body, content_type, self.url)

    # -- writing -----------------------------------------------------------

    def update(self, request: str) -> None:
        """Send one SPARQL Update request to the update URL."""
        form = require_form(request)
        if form in QUERY_FORMS:
            raise QueryError(f"a {form} query is not an update")
        wrapper = self._wrapper(self.update_url, request, "*/*")
        wrapper.queryType = "DELETE" if form == "WITH" else form  # SPARQLWrapper does not know WITH
        try:
            self._send(wrapper)
        except EndpointError as exc:
            if self.update_url == self.url and _WRONG_URL.search(str(exc)):
                raise EndpointError(f"{exc} (if the server takes updates at another URL, give --update-endpoint)") from None
            raise

    def replace_graphs(
        self,
        graphs: Mapping[str, Iterable[ox.Triple]],
        drop: Iterable[str] = (),
        *,
        progress: Progress | None = None,
    ) -> None:
        """Replace whole named graphs and drop others, in batches of ``batch_size`` triples.

        ``progress`` is called with the number of triples written after each batch.
        """
        try:
            for name in drop:
                self.update(f"DROP SILENT GRAPH {_iri(name, 'graph name')}")
            size = self.batch_size
            for name, triples in graphs.items():
                target = _iri(name, "graph name")
                self.update(f"DROP SILENT GRAPH {target}")
                pending = list(batches(list(triples), size))
                while pending:
                    batch = pending.pop(0)
                    try:
                        self.update(insert_request(target, batch))
                    except EndpointError as exc:  # too big for the engine: halve the batches and go on
                        smaller = list(batches(batch, max(1, len(batch) // 2))) if _TOO_BIG.search(str(exc)) else []
                        if len(smaller) < 2:
                            raise
                        size = max(1, len(batch) // 2)
                        pending[:0] = smaller
                        continue
                    if progress:
                        progress(len(batch))
        finally:
            self._graphs = None

    def close(self) -> None:
        """Nothing to release: each request opens its own connection."""

    # -- HTTP --------------------------------------------------------------

    def _wrapper(self, url: str, text: str, accept: str) -> Any:
        from SPARQLWrapper import POST, SPARQLWrapper

        wrapper = SPARQLWrapper(url, updateEndpoint=self.update_url, agent=USER_AGENT)
        with warnings.catch_warnings():  # its own guess of the query form; ours is set afterwards
            warnings.simplefilter("ignore")
            wrapper.setQuery(text)
        wrapper.setMethod(POST)
        wrapper.setOnlyConneg(True)
        wrapper.setTimeout(self.timeout)
        wrapper.addCustomHttpHeader("Accept", accept)
        return wrapper

    def _send(self, wrapper: Any) -> tuple[bytes, str]:
        """Perform the request; every failure becomes an :class:`EndpointError`."""
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        url = wrapper.updateEndpoint if wrapper.isSparqlUpdateRequest() else wrapper.endpoint
        try:
            result = wrapper.query()
            body = result.response.read()
            content_type = result.response.headers.get("Content-Type", "") or ""
        except SPARQLWrapperException as exc:
            raise EndpointError(_wrapper_error(url, exc)) from None
        except urllib.error.HTTPError as exc:
            raise EndpointError(f"{url} answered HTTP {exc.code} {exc.reason}{_detail(_read(exc))}") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError | socket.timeout):
                raise EndpointError(f"{url} did not answer within {self.timeout} s") from None
            raise EndpointError(f"cannot reach the endpoint {url}: {one_line(reason)}") from None  # type: ignore[arg-type]
        except (TimeoutError, socket.timeout):
            raise EndpointError(f"{url} did not answer within {self.timeout} s") from None
        except (OSError, ValueError) as exc:  # connection reset, bad URL, broken response
            raise EndpointError(f"request to {url} failed: {one_line(exc)}") from None
        return body, content_type.split(";")[0].strip().lower()


def _timeout_from_env() -> int:
    value = os.environ.get(TIMEOUT_ENV)
    if not value:
        return DEFAULT_TIMEOUT
    try:
        return int(float(value))
    except ValueError:
        raise EndpointError(f"{TIMEOUT_ENV} must be a number of seconds, not {value!r}") from None


_STATUS = {
    "QueryBadFormed": "400 Bad Request",
    "Unauthorized": "401 Unauthorized",
    "EndPointNotFound": "404 Not Found",
    "URITooLong": "414 URI Too Long",
    "EndPointInternalError": "500 Internal Server Error",
}


def _wrapper_error(url: str, exc: Exception) -> str:
    """A one-line message for SPARQLWrapper's HTTP exceptions, with the endpoint's own first line."""
    status = _STATUS.get(type(exc).__name__, type(exc).__name__)
    message = str(exc)
    body = b""
    if "Response:\n" in message:
        try:
            body = ast.literal_eval(message.split("Response:\n", 1)[1])
        except (ValueError, SyntaxError):
            body = b""
    hint = " (the endpoint may not allow updates)" if status.startswith(("401", "403")) else ""
    return f"{url} answered HTTP {status}{hint}{_detail(body)}"


def _read(exc: urllib.error.HTTPError) -> bytes:
    try:
        return exc.read()
    except OSError:
        return b""


def _detail(body: bytes | str) -> str:
    """The first meaningful line of an error body, shortened."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    for line in text.splitlines():
        line = " ".join(line.split())
        if line and not line.startswith("<"):
            return ": " + (line[:200] + "..." if len(line) > 200 else line)
    return ""


def _iri(value: str, what: str) -> str:
    """``<value>`` after checking that it is an IRI (so it cannot break the request)."""
    try:
        return str(ox.NamedNode(value))
    except ValueError:
        raise QueryError(f"invalid {what}: {value!r}") from None


# -- results -----------------------------------------------------------------


def parse_results(body: bytes, content_type: str, url: str = "the endpoint") -> QueryResult:
    """A SELECT or ASK answer, from SPARQL JSON (Virtuoso's ``typed-literal`` included), XML or TSV."""
    if content_type in _RESULT_FORMATS:
        try:
            parsed = ox.parse_query_results(body, format=_RESULT_FORMATS[content_type])
            if isinstance(parsed, ox.QueryBoolean):
                return QueryResult("ask", boolean=bool(parsed))
            names = [v.value for v in parsed.variables]
            return QueryResult("select", variables=names, rows=[tuple(s) for s in parsed])
        except (SyntaxError, ValueError) as exc:
            raise EndpointError(f"malformed answer from {url}: {one_line(exc)}") from None
    try:
        document = json.loads(body)
        if "boolean" in document:
            if not isinstance(document["boolean"], bool):
                raise ValueError("'boolean' is not true or false")
            return QueryResult("ask", boolean=document["boolean"])
        names = list(document["head"]["vars"])
        blank: dict[str, ox.BlankNode] = {}
        rows = [
            tuple(_json_term(binding[name], blank) if name in binding else None for name in names)
            for binding in document["results"]["bindings"]
        ]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        kind = content_type or "no content type"
        raise EndpointError(f"malformed answer from {url} ({kind}): {one_line(exc) or type(exc).__name__}") from None
    return QueryResult("select", variables=names, rows=rows)


def _json_term(value: dict[str, Any], blank: dict[str, ox.BlankNode]) -> Term:
    kind = value["type"]
    if kind == "uri":
        return ox.NamedNode(value["value"])
    if kind == "bnode":
        label = value["value"]
        if label not in blank:
            blank[label] = ox.BlankNode()  # endpoint labels (Virtuoso's nodeID://...) are not valid ids
        return blank[label]
    if kind in ("literal", "typed-literal"):
        if value.get("xml:lang"):
            return ox.Literal(value["value"], language=value["xml:lang"])
        if value.get("datatype"):
            return ox.Literal(value["value"], datatype=ox.NamedNode(value["datatype"]))
        return ox.Literal(value["value"])
    if kind == "triple":
        triple = value["value"]
        return ox.Triple(*(_json_term(triple[part], blank) for part in ("subject", "predicate", "object")))
    raise ValueError(f"unknown term type {kind!r}")


def parse_graph(body: bytes, content_type: str, url: str = "the endpoint") -> QueryResult:
    """A CONSTRUCT or DESCRIBE answer in N-Triples, Turtle, RDF/XML, N-Quads, TriG or JSON-LD."""
    fmt = _GRAPH_FORMATS.get(content_type)
    if fmt is None:
        raise EndpointError(f"malformed answer from {url}: unexpected content type {content_type or 'none'!r} for a graph")
    try:
        triples = [quad.triple for quad in ox.parse(body, format=fmt)]
    except (SyntaxError, ValueError) as exc:
        raise EndpointError(f"malformed answer from {url}: {one_line(exc)}") from None
    return QueryResult("graph", triples=triples)


# -- batches -----------------------------------------------------------------


def _blank_nodes(triple: ox.Triple) -> Iterator[str]:
    for term in (triple.subject, triple.object):
        if isinstance(term, ox.BlankNode):
            yield term.value


def batches(triples: list[ox.Triple], size: int) -> Iterator[list[ox.Triple]]:
    """Split triples into batches of about ``size``, never separating triples that share a blank node."""
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for triple in triples:
        nodes = list(_blank_nodes(triple))
        for other in nodes[1:]:
            parent[find(other)] = find(nodes[0])
    groups: dict[str, list[ox.Triple]] = {}
    batch: list[ox.Triple] = []
    for triple in triples:
        nodes = list(_blank_nodes(triple))
        if nodes:
            groups.setdefault(find(nodes[0]), []).append(triple)
            continue
        batch.append(triple)
        if len(batch) >= size:
            yield batch
            batch = []
    for group in groups.values():
        if batch and len(batch) + len(group) > size:
            yield batch
            batch = []
        batch.extend(group)
    if batch:
        yield batch


def insert_request(graph: str, triples: list[ox.Triple]) -> str:
    """A SPARQL Update adding ``triples`` to ``graph`` (already written ``<iri>``)."""
    body = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode()
    if any(True for triple in triples for _ in _blank_nodes(triple)):
        return f"INSERT {{ GRAPH {graph} {{\n{body}}} }} WHERE {{}}"
    return f"INSERT DATA {{ GRAPH {graph} {{\n{body}}} }}"
