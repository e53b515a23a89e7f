"""A remote SPARQL 1.1 endpoint as a :class:`~clusterkg.stores.base.Store`.

How answers stay the same on every engine
-----------------------------------------
clusterkg keeps every graph it writes under ``https://w3id.org/clusterkg/graph/``
(see :mod:`clusterkg.namespaces`). ``clusterkg push`` writes each of them as a
named graph of the endpoint, never into its default graph. Every query is then
sent with the SPARQL Protocol's dataset parameters: ``default-graph-uri`` and
``named-graph-uri`` both list exactly those graphs. The default graph is
therefore the merge of clusterkg's graphs, as in the embedded store, whatever
the engine's own default is (Virtuoso's is the union of all graphs plus its
system triples, Oxigraph's the real default graph, Fuseki's configurable).
An endpoint holding no clusterkg graph is queried with its own default dataset,
and a query with ``FROM``/``FROM NAMED`` with none: it reads the graphs it names.

Writes (:meth:`EndpointStore.replace_graphs`) use SPARQL Update in batches:
``DROP SILENT GRAPH`` then ``INSERT DATA`` (or ``INSERT {...} WHERE {}`` for a
batch with blank nodes, which Virtuoso refuses in ``INSERT DATA``). Triples
that share a blank node always travel in the same batch, so blank-node
structures (OWL restrictions, lists) survive. A batch the engine finds too big
is split in halves and sent again. A load is not one transaction:
if it fails half-way, run it again.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping

import pyoxigraph as ox

from ..errors import EndpointError, QueryError
from ..namespaces import GRAPH
from ..progress import Progress
from ..sparql import http
from ..sparql.bindings import bind
from ..sparql.results import QueryResult, Term, in_order, parse_graph, parse_results
from ..sparql.syntax import QUERY_FORMS, has_dataset_clause, has_relative_iri, query_form, require_form, star_variables

DEFAULT_TIMEOUT = 60
TIMEOUT_ENV = "CLUSTERKG_ENDPOINT_TIMEOUT"
DEFAULT_BATCH_SIZE = 2_000  # Virtuoso's SPARQL compiler runs out of stack at about 5000 triples a request

RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.8, text/tab-separated-values;q=0.5"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5, application/n-quads;q=0.4"

_GRAPHS_QUERY = (
    "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
    f'FILTER(STRSTARTS(STR(?g), "{GRAPH}")) }}'
)
#: An update refused because it was too big (Virtuoso: "memory exhausted", "generated SQL text has
#: exceeded 10000 lines"; others: 413).
_TOO_BIG = re.compile(r"HTTP 413|memory exhausted|too large|too long|has exceeded", re.IGNORECASE)


class EndpointStore:
    """A SPARQL 1.1 endpoint (query URL, and an update URL if it differs).

    ``timeout`` is in whole seconds and bounds each HTTP request as a whole,
    connecting and every read together (default: ``$CLUSTERKG_ENDPOINT_TIMEOUT`` or 60).
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
        """Run a read-only query on clusterkg's graphs at the endpoint (on the graphs it names, with FROM)."""
        form = require_form(sparql)
        if form not in QUERY_FORMS:
            raise QueryError(f"only SELECT, ASK, CONSTRUCT and DESCRIBE queries can be run, not {form}")
        text = _with_base(bind(sparql, bindings), base_iri)
        if has_dataset_clause(text):
            graphs: list[str] = []  # the protocol's dataset would override the query's own
        else:
            graphs = self.graph_names() if self._dataset is None else self._dataset
        return in_order(self._request(text, form, graphs), star_variables(sparql))

    def graph_names(self) -> list[str]:
        """clusterkg's named graphs at the endpoint (the engine's own graphs left out)."""
        if self._graphs is None:
            answer = self._request(_GRAPHS_QUERY, "SELECT", [])
            self._graphs = sorted({row[0].value for row in answer.rows if isinstance(row[0], ox.NamedNode)})
        return list(self._graphs)

    def _request(self, text: str, form: str, graphs: list[str]) -> QueryResult:
        graph_form = form in ("CONSTRUCT", "DESCRIBE")
        dataset = [(name, graph) for graph in graphs for name in ("default-graph-uri", "named-graph-uri")]
        answer = self._send(self.url, "query", text, GRAPH_ACCEPT if graph_form else RESULTS_ACCEPT, dataset)
        if graph_form:
            return parse_graph(answer.body, answer.content_type, self.url)
        return parse_results(answer.body, answer.content_type, self.url)

    # -- writing -----------------------------------------------------------

    def update(self, request: str, *, base_iri: str | None = None) -> None:
        """Send one SPARQL Update request to the update URL, as it is."""
        form = query_form(request)
        if form in QUERY_FORMS:
            raise QueryError(f"a {form} query is not an update")
        self._graphs = None  # the update may add or drop graphs
        try:
            self._send(self.update_url, "update", _with_base(request, base_iri), "*/*")
        except http.HttpError as exc:
            if exc.status in (401, 403):
                raise EndpointError(f"{exc} (the endpoint may not allow updates)") from None
            wrong_url = exc.status in (404, 405) or (exc.status == 400 and "parameter" in exc.detail)
            if self.update_url == self.url and wrong_url:
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
        self._write(graphs, drop, progress, replace=True)

    def add_to_graphs(self, graphs: Mapping[str, Iterable[ox.Triple]], *, progress: Progress | None = None) -> None:
        """Add triples to named graphs, in batches of ``batch_size`` triples (one request, one transaction, each)."""
        self._write(graphs, (), progress, replace=False)

    def _write(self, graphs: Mapping[str, Iterable[ox.Triple]], drop: Iterable[str], progress: Progress | None,
               replace: bool) -> None:
        try:
            for name in drop:
                self.update(f"DROP SILENT GRAPH {_iri(name, 'graph name')}")
            size = self.batch_size
            for name, triples in graphs.items():
                target = _iri(name, "graph name")
                if replace:
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

    def _send(self, url: str, field: str, text: str, accept: str, params: Iterable[tuple[str, str]] = ()) -> http.Response:
        return http.post_form(url, [(field, text), *params], accept=accept, timeout=self.timeout)


def _timeout_from_env() -> int:
    value = os.environ.get(TIMEOUT_ENV)
    if not value:
        return DEFAULT_TIMEOUT
    try:
        return int(float(value))
    except ValueError:
        raise EndpointError(f"{TIMEOUT_ENV} must be a number of seconds, not {value!r}") from None


def _with_base(text: str, base_iri: str | None) -> str:
    """The text with ``BASE <base_iri>`` before it, when it writes a relative IRI."""
    if base_iri and has_relative_iri(text):
        return f"BASE {_iri(base_iri, 'base IRI')}\n{text}"
    return text


def _iri(value: str, what: str) -> str:
    """``<value>`` after checking that it is an IRI (so it cannot break the request)."""
    try:
        return str(ox.NamedNode(value))
    except ValueError:
        raise QueryError(f"invalid {what}: {value!r}") from None


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
