"""What every store offers, and the settings that choose one.

A store answers SPARQL queries (:meth:`Store.query`) with a
:class:`~clusterkg.sparql.results.QueryResult`, runs SPARQL updates, lists its
named graphs, and replaces or adds to whole named graphs in one request.
Backends: the embedded pyoxigraph store (:mod:`.embedded`), a remote SPARQL
1.1 endpoint (:mod:`.remote`) and RDF files in memory (:mod:`.files`).

The dataset of a query, on every backend, is the one SPARQL 1.1 gives it: the
graphs its ``FROM`` and ``FROM NAMED`` clauses name when it has them, else the
store's own (on the embedded store a default graph that is the union of all
graphs). Values are bound by :func:`clusterkg.sparql.bindings.bind`, into the
text, so that every engine gets the same query.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from ..errors import QueryError, StoreError, one_line
from ..progress import Progress, Say
from ..sparql.bindings import bind
from ..sparql.results import QueryResult, Term, from_oxigraph, in_order
from ..sparql.syntax import has_dataset_clause, star_variables

STORE_ENV = "CLUSTERKG_STORE"
#: What to do about a store directory that cannot be used.
ELSEWHERE = f"or choose another directory with --store DIR or ${STORE_ENV}"


def engine_error(exc: OSError | RuntimeError, where: str, doing: str = "use") -> StoreError:
    """The one reading of an ``OSError`` or ``RuntimeError`` from pyoxigraph's storage: what failed, what to do.

    ``where`` names the store (``the store /home/me/store``), ``doing`` what was
    being done (``open``, ``write to``). RocksDB reports most failures as text
    (``IO error: ...: No space left on device``), so the system's own wording of
    each ``errno`` is looked for in it.

    >>> str(engine_error(OSError("IO error: While appending to file: x/000026.log: No space left on device"),
    ...                  "the store x", "write to"))
    'the disk holding the store x is full: free some space and run the command again'
    """
    message = one_line(exc)

    def says(*codes: int) -> bool:
        return getattr(exc, "errno", None) in codes or any(os.strerror(code) in message for code in codes)

    if says(errno.ENOSPC, errno.EDQUOT):
        text = f"the disk holding {where} is full: free some space and run the command again"
    elif says(errno.EROFS):
        text = f"{where} is on a read-only file system: it can be queried, not changed"
    elif says(errno.EACCES, errno.EPERM) and doing == "change":
        text = (f"cannot change {where}: permission denied (it can still be queried); give your user write access "
                f"to it, {ELSEWHERE}")
    elif says(errno.EACCES, errno.EPERM):
        text = f"cannot {doing} {where}: permission denied; give your user read and write access to it, {ELSEWHERE}"
    elif "corruption" in message.lower():
        text = (f"{where} is damaged ({message}); move the directory aside and run the command again to build a "
                "new store (cases, links and inferences you added must then be added again)")
    elif "lock" in message.lower() and says(errno.EAGAIN, errno.EWOULDBLOCK, errno.ENOLCK):
        text = (f"{where} is open in another program (its database lock is held, by an oxigraph server or a "
                "Python session using the directory, for example): close that program and run the command again")
    else:
        text = f"cannot {doing} {where}: {message}"
    return StoreError(text)


class Store(Protocol):
    """What every backend offers."""

    def query(
        self, sparql: str, *, bindings: Mapping[str, Term] | None = None, base_iri: str | None = None
    ) -> QueryResult: ...

    def update(self, request: str, *, base_iri: str | None = None) -> None: ...

    def graph_names(self) -> list[str]: ...

    def replace_graphs(
        self, graphs: Mapping[str, Iterable[ox.Triple]], drop: Iterable[str] = (), *, progress: Progress | None = None
    ) -> None: ...

    def add_to_graphs(self, graphs: Mapping[str, Iterable[ox.Triple]], *, progress: Progress | None = None) -> None: ...

    def close(self) -> None: ...


@dataclass
class StoreSettings:
    """How the CLI was told to reach the data."""

    store_dir: Path | None = None
    endpoint: str | None = None
    update_endpoint: str | None = None
    #: told when the embedded store is built for the first time (the CLI says so on standard error)
    notify: Say | None = None


def run_oxigraph_query(
    store: ox.Store,
    sparql: str,
    *,
    bindings: Mapping[str, Term] | None = None,
    base_iri: str | None = None,
    union: bool = True,
    where: str = "the store",
) -> QueryResult:
    """Run a read-only query on a pyoxigraph store; values are bound as RDF terms into the text.

    ``union``: without ``FROM``/``FROM NAMED`` the default graph is the union of all graphs
    (else the store's default graph); a query with them runs on exactly the graphs it names.
    ``where`` names the store in the message of a storage failure (see :func:`engine_error`).
    """
    text = bind(sparql, bindings)
    union = union and not has_dataset_clause(text)
    try:
        answer = store.query(text, base_iri=base_iri, use_default_graph_as_union=union)
    except SyntaxError as exc:
        if text != sparql and local_syntax_error(sparql) is None:
            names = ", ".join(f"?{name} = {term}" for name, term in (bindings or {}).items())
            raise QueryError(f"the query with {names} bound is not valid SPARQL (is a value bound where the "
                             f"query needs an IRI, such as a predicate?): {one_line(exc)}") from None
        raise QueryError(f"SPARQL syntax error: {one_line(exc)}") from None
    except ValueError as exc:  # a base IRI or a value the engine refuses
        raise QueryError(one_line(exc)) from None
    except OSError as exc:
        raise engine_error(exc, where, "read") from None
    except RuntimeError as exc:
        if "corruption" in str(exc).lower():
            raise engine_error(exc, where, "read") from None
        raise QueryError(runtime_message(str(exc))) from None
    return in_order(from_oxigraph(answer), star_variables(sparql))


def local_syntax_error(sparql: str) -> str | None:
    """The embedded engine's syntax error for a query, or None if it parses (it runs on an empty store)."""
    try:
        ox.Store().query(sparql)
    except SyntaxError as exc:
        return str(exc)
    except Exception:  # an evaluation problem is not a syntax error
        return None
    return None


def runtime_message(message: str) -> str:
    """The engine's evaluation error as a message for people (one line)."""
    return f"query failed: {' '.join(message.split())}"


def run_oxigraph_update(store: ox.Store, request: str, *, base_iri: str | None = None) -> None:
    """Run a SPARQL update on a pyoxigraph store, in one transaction (all of it or none)."""
    try:
        store.update(request, base_iri=base_iri)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {one_line(exc)}") from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise QueryError(f"the update failed, nothing was applied: {one_line(exc)}") from None


def add_in_oxigraph(store: ox.Store, graphs: Mapping[str, Iterable[ox.Triple]], progress: Progress | None) -> None:
    """Add triples to named graphs of a pyoxigraph store in one transaction."""
    listed = {name: list(triples) for name, triples in graphs.items()}
    try:
        store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(name))
                     for name, triples in listed.items() for t in triples)
    except (OSError, ValueError) as exc:
        raise StoreError(f"could not write to the store: {one_line(exc)}") from None
    if progress:
        for triples in listed.values():
            progress(len(triples))


def replace_in_oxigraph(
    store: ox.Store, graphs: Mapping[str, Iterable[ox.Triple]], drop: Iterable[str], progress: Progress | None,
    where: str = "the store",
) -> None:
    """Replace and drop named graphs of a pyoxigraph store in one transaction (one SPARQL update)."""
    listed = {name: list(triples) for name, triples in graphs.items()}
    try:
        store.update(replace_graphs_update(listed, drop))
    except SyntaxError as exc:
        raise StoreError(f"could not write to {where}: {one_line(exc)}") from None
    except (OSError, RuntimeError) as exc:
        raise engine_error(exc, where, "write to") from None
    if progress:
        for triples in listed.values():
            progress(len(triples))


def replace_graphs_update(graphs: Mapping[str, Iterable[ox.Triple]], drop: Iterable[str] = ()) -> str:
    """A SPARQL Update request that replaces ``graphs`` and drops ``drop``, as one request."""
    parts = [f"DROP SILENT GRAPH <{name}>" for name in [*drop, *graphs]]
    blocks = []
    for name, triples in graphs.items():
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        text = body.decode() if body else ""
        blocks.append(f"GRAPH <{name}> {{\n{text}}}")
    if blocks:
        parts.append("INSERT DATA {\n" + "\n".join(blocks) + "\n}")
    return " ;\n".join(parts)
