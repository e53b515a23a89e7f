"""The user's own data in any store: loading RDF into user graphs, listing and dropping graphs, SPARQL Update.

A store holds clusterkg's own graphs (under ``https://w3id.org/clusterkg/graph/``:
the shipped knowledge base ``kb/...``, cases, links, inferences) and the
user's graphs: any other IRI, or a short name under ``.../graph/user/``. The
functions here write the user's graphs only; clusterkg's own never change
through them (a request that names one is refused and nothing is written).

* :func:`load_files`: RDF files of any syntax, each into a user graph (its
  file name under ``.../graph/user/`` unless ``graph`` is given), parsed in full
  before anything is written, then written in one transaction (an endpoint:
  one update request per batch);
* :func:`graph_sizes` and :func:`origin`: what ``clusterkg graphs`` lists;
* :func:`drop_graphs`: ``clusterkg drop``;
* :func:`run_update`: SPARQL 1.1 Update on the user's dataset (see :mod:`clusterkg.sparql.updates`).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..errors import InputError, NotFoundError, QueryError
from ..inputs import MAX_DATA_MB, check_rdf_file, parse_rdf, rdf_format, read_text
from ..namespaces import (
    ENRICHMENT_GRAPH,
    GRAPH,
    INFERRED_GRAPH,
    LINKS_GRAPH,
    OPENDATA_GRAPH,
    USER_DEFAULT_GRAPH,
    USER_GRAPH,
    case_graph,
    is_own_graph,
    kb_graph,
    prefix_lines,
    user_graph,
)
from ..progress import ProgressStart
from ..sparql import formats
from ..sparql.syntax import error_position, explain_syntax_error
from ..sparql.updates import Rewritten, UserGraphs, rewrite_update
from .base import Store

SIZES_QUERY = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
STDIN = "-"


def graph_iri(name: str) -> str:
    """A graph named by the user: an absolute IRI as it is, a short name under ``.../graph/user/``.

    >>> graph_iri("mydata"), graph_iri("http://example.org/g")
    ('https://w3id.org/clusterkg/graph/user/mydata', 'http://example.org/g')
    """
    text = name.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if not text:
        raise InputError("a graph name cannot be empty")
    if ":" not in text:
        text = user_graph(urllib.parse.quote(text, safe="/-._~"))
    try:
        return ox.NamedNode(text).value
    except ValueError:
        raise InputError(f"not a graph IRI: {name!r}") from None


def _own(iri: str, doing: str) -> InputError:
    return InputError(
        f"refused: <{iri}> is one of clusterkg's own graphs (the shipped knowledge base, cases, links, inferences) "
        f"and is never {doing} by hand; your graphs are any other IRI, or a short name under {USER_GRAPH}"
    )


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------
@dataclass
class LoadSummary:
    """What a load wrote: the triples read into each graph."""

    graphs: dict[str, int] = field(default_factory=dict)
    files: int = 0
    replaced: bool = False

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())


def file_format(name: str, path: Path, given: str | None) -> ox.RdfFormat:
    """The RDF syntax of an input: ``given`` (a name of the format table, ``ttl``, ``nq``, ``rdfxml``, ...) or its suffix."""
    if given:
        found = formats.lookup(given, "rdf")
        if found is None or found.rdf is None:
            names = ", ".join(f.name for f in formats.of_kind("rdf"))
            raise InputError(f"unknown RDF format {given!r}; use one of {names}")
        return found.rdf
    if name == STDIN:
        return ox.RdfFormat.TURTLE
    return rdf_format(path)


def read_source(name: str, fmt: str | None, stdin: bytes | None = None) -> list[ox.Quad]:
    """The quads of one input (a file, or ``-`` with ``stdin``'s bytes); InputError with file, line and column."""
    if name == STDIN:
        try:
            text = (stdin or b"").decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(f"standard input: not UTF-8 text (byte {exc.start})") from None
        return parse_rdf(Path("standard input"), file_format(name, Path(name), fmt), text, base_iri=Path.cwd().as_uri() + "/")
    path = Path(name)
    if not path.is_file():
        raise InputError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    rdf = file_format(name, path, fmt)
    check_rdf_file(path, rdf)  # the size limit of data files, RDF/XML's entities: refused before it is read
    return parse_rdf(path, rdf, read_text(path, MAX_DATA_MB))


def load_files(
    store: Store,
    names: Sequence[str],
    *,
    graph: str | None = None,
    fmt: str | None = None,
    replace: bool = False,
    stdin: bytes | None = None,
    reading: ProgressStart | None = None,
    writing: ProgressStart | None = None,
) -> LoadSummary:
    """Load RDF files (``-``: ``stdin``) into user graphs: all of them, or nothing if one cannot be read.

    Each file goes into ``graph`` if given, else into the user graph of its file
    name (``.../graph/user/data.ttl``; standard input: ``.../graph/user/stdin``).
    The named graphs of N-Quads and TriG keep their names. With ``replace`` the
    graphs written are emptied first; otherwise triples are added to them.
    """
    if not names:
        raise InputError("no file to load")
    target = graph_iri(graph) if graph else None
    sizes = [0 if n == STDIN else (Path(n).stat().st_size if Path(n).is_file() else 0) for n in names]
    advance = reading(sum(sizes)) if reading else None
    graphs: dict[str, list[ox.Triple]] = {}
    seen: dict[str, str] = {}
    for name, size in zip(names, sizes):
        into = target or user_graph("stdin" if name == STDIN else urllib.parse.quote(Path(name).name))
        if target is None and into in seen:
            raise InputError(f"{name} and {seen[into]} would both go into <{into}>: give --graph")
        seen[into] = name
        for quad in read_source(name, fmt, stdin):
            where = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else into
            graphs.setdefault(where, []).append(quad.triple)
        graphs.setdefault(into, [])
        if advance:
            advance(size)
    for name in graphs:
        if is_own_graph(name):
            raise _own(name, "loaded")
    summary = LoadSummary({name: len(triples) for name, triples in graphs.items()}, len(names), replace)
    progress = writing(summary.triples) if writing else None
    if replace:
        store.replace_graphs(graphs, progress=progress)
    else:
        store.add_to_graphs(graphs, progress=progress)
    return summary


# --------------------------------------------------------------------------
# Listing and dropping
# --------------------------------------------------------------------------
def graph_sizes(store: Store) -> dict[str, int]:
    """The number of triples in each named graph of the store (empty graphs too), in one query."""
    sizes = {name: 0 for name in store.graph_names()}
    for row in store.query(SIZES_QUERY).rows:
        name, count = row[0], row[1]
        if isinstance(name, ox.NamedNode) and isinstance(count, ox.Literal) and name.value in sizes:
            sizes[name.value] = int(count.value)
    return sizes


def origin(iri: str) -> str:
    """Where a graph comes from, in a few words.

    >>> origin(kb_graph("cases")), origin("http://example.org/g")
    ('shipped: ontology/cases.ttl', 'yours')
    """
    if iri.startswith(kb_graph("")):
        return f"shipped: ontology/{iri[len(kb_graph('')):]}.ttl"
    if iri.startswith(case_graph("")):
        return "case: clusterkg add"
    named = {LINKS_GRAPH: "links: clusterkg link", OPENDATA_GRAPH: "identifiers: clusterkg codes",
             ENRICHMENT_GRAPH: "enrichment: clusterkg enrich", INFERRED_GRAPH: "inferences: clusterkg reason --write",
             USER_DEFAULT_GRAPH: "yours: the default graph of updates"}
    if iri in named:
        return named[iri]
    return "clusterkg" if iri.startswith(GRAPH) and not iri.startswith(USER_GRAPH) else "yours"


def drop_graphs(store: Store, names: Sequence[str]) -> list[str]:
    """Drop user graphs; clusterkg's own are refused, an unknown one is an error (nothing is dropped then)."""
    iris = [graph_iri(name) for name in names]
    for iri in iris:
        if is_own_graph(iri):
            raise _own(iri, "dropped")
    present = set(store.graph_names())
    missing = [iri for iri in iris if iri not in present]
    if missing:
        mine = sorted(g for g in present if not is_own_graph(g))
        known = ", ".join(f"<{g}>" for g in mine) or "none"
        raise NotFoundError(f"no graph <{missing[0]}> in the store; your graphs: {known}")
    store.replace_graphs({}, drop=iris)
    return iris


# --------------------------------------------------------------------------
# SPARQL Update
# --------------------------------------------------------------------------
@dataclass
class UpdateSummary:
    """The sizes of the user's graphs before and after an update (graphs that changed only)."""

    changes: dict[str, tuple[int, int]] = field(default_factory=dict)


def run_update(
    store: Store,
    request: str,
    *,
    base_iri: str | None = None,
    inline: bool = False,
    using: Sequence[str] = (),
    using_named: Sequence[str] = (),
    allow_load: bool = True,
) -> UpdateSummary:
    """Run a SPARQL 1.1 Update on the user's dataset, in one transaction on the embedded store.

    ``inline`` predeclares the project's prefixes (``clusterkg update -e``).
    Refused (QueryError, nothing applied): a query, an update that names one of
    clusterkg's graphs as a target, protocol ``using`` parameters beside ``USING``
    or ``WITH``, and ``LOAD`` unless ``allow_load``.
    """
    prologue = prefix_lines(separator=" ") if inline else ""
    before = _user_sizes(store)
    rewritten = rewrite_update(prologue + request, UserGraphs(USER_DEFAULT_GRAPH, tuple(
        g for g in before if g != USER_DEFAULT_GRAPH)), base_iri=base_iri, using=using, using_named=using_named,
        allow_load=allow_load)
    if rewritten.empty:
        return UpdateSummary()  # an empty request (or a prologue alone) is a valid update that does nothing
    try:
        store.update(rewritten.text, base_iri=base_iri)
    except QueryError as exc:
        message = str(exc).removeprefix("SPARQL syntax error:")
        position = error_position(message)
        if position is not None:
            raise QueryError(_explain(message, position, rewritten, request, len(prologue))) from None
        raise
    after = _user_sizes(store)
    changed = {g: (before.get(g, 0), after.get(g, 0)) for g in sorted({*before, *after})
               if before.get(g, -1) != after.get(g, -1)}
    return UpdateSummary(changed)


def _user_sizes(store: Store) -> dict[str, int]:
    return {g: n for g, n in graph_sizes(store).items() if not is_own_graph(g)}


def _explain(message: str, position: tuple[int, int], rewritten: Rewritten, request: str, skipped: int) -> str:
    """An engine's syntax error on the rewritten text, placed in the user's text (``skipped``: the prologue added)."""
    line, column = position
    lines = rewritten.text.split("\n")
    offset = sum(len(text) + 1 for text in lines[: line - 1]) + column - 1
    original = max(0, rewritten.original_offset(offset) - skipped)
    before = request[:original]
    at_line, at_column = before.count("\n") + 1, original - (before.rfind("\n") + 1) + 1
    detail = message.replace(f"error at {line}:{column}", f"error at {at_line}:{at_column}", 1)
    return explain_syntax_error(detail, request).replace("SPARQL syntax error", "SPARQL Update syntax error", 1)
