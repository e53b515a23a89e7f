"""A store made of RDF files, for querying them instead of the knowledge base.

Like Jena's ``arq --data``: the files given with ``--data`` make the
default graph, each ``--graph IRI=FILE`` a named graph. The store lives in
memory and is gone when closed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox

from ..errors import InputError, one_line
from ..progress import Progress
from ..sparql.results import QueryResult, Term
from .base import add_in_oxigraph, replace_in_oxigraph, run_oxigraph_query, run_oxigraph_update


class FileStore:
    """An in-memory store of RDF files; its default graph is the ``--data`` files only."""

    def __init__(self) -> None:
        self.oxigraph = ox.Store()

    def load(self, path: Path | str, graph: str | None = None, *, stdin: bytes | None = None,
             fmt: str | None = None) -> None:
        """Add a file (``-``: the bytes ``stdin``) to the default graph, or to the named graph ``graph``.

        The named graphs of an N-Quads or TriG file keep their names unless ``graph`` is given.
        """
        from .userdata import read_source

        target: ox.NamedNode | ox.DefaultGraph = ox.DefaultGraph()
        if graph is not None:
            try:
                target = ox.NamedNode(graph)
            except ValueError as exc:
                raise InputError(f"invalid graph IRI <{graph}>: {exc}") from None
        quads = read_source(str(path), fmt, stdin)
        try:
            self.oxigraph.extend(
                ox.Quad(q.subject, q.predicate, q.object, q.graph_name if graph is None else target) for q in quads
            )
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot load {path}: {one_line(exc)}") from None

    def query(
        self, sparql: str, *, bindings: Mapping[str, Term] | None = None, base_iri: str | None = None
    ) -> QueryResult:
        return run_oxigraph_query(self.oxigraph, sparql, bindings=bindings, base_iri=base_iri, union=False,
                                  where="the files' store in memory")

    def update(self, request: str, *, base_iri: str | None = None) -> None:
        run_oxigraph_update(self.oxigraph, request, base_iri=base_iri)

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self.oxigraph.named_graphs() if isinstance(g, ox.NamedNode))

    def replace_graphs(
        self, graphs: Mapping[str, Iterable[ox.Triple]], drop: Iterable[str] = (), *, progress: Progress | None = None
    ) -> None:
        replace_in_oxigraph(self.oxigraph, graphs, drop, progress)

    def add_to_graphs(self, graphs: Mapping[str, Iterable[ox.Triple]], *, progress: Progress | None = None) -> None:
        add_in_oxigraph(self.oxigraph, graphs, progress)

    def close(self) -> None:
        del self.oxigraph


def parse_graph_option(item: str) -> tuple[str, Path]:
    """``IRI=FILE`` (from ``--graph``); write ``<IRI>=FILE`` when the IRI or the file name holds '='."""
    if item.startswith("<") and ">=" in item:
        iri, _, file = item[1:].partition(">=")
        return iri, Path(file)
    iri, sep, file = item.rpartition("=")
    if not sep or not iri or not file:
        raise InputError(f"--graph expects IRI=FILE, got {item!r}")
    iri = iri.strip()
    if iri.startswith("<") and iri.endswith(">"):
        iri = iri[1:-1]
    return iri, Path(file)


def open_files(data: Sequence[Path | str] = (), graphs: Sequence[tuple[str, Path | str]] = (), *,
               stdin: bytes | None = None, fmt: str | None = None) -> FileStore:
    """A store holding ``data`` in its default graph and each ``(iri, file)`` of ``graphs`` as a named graph.

    A file named ``-`` is ``stdin``'s bytes; ``fmt`` names the syntax of all files (default: their suffixes).
    """
    store = FileStore()
    for path in data:
        store.load(path, stdin=stdin, fmt=fmt)
    for iri, path in graphs:
        store.load(path, graph=iri, stdin=stdin, fmt=fmt)
    return store
