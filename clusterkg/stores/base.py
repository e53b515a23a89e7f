"""What every store offers, and the settings that choose one.

A store answers SPARQL queries (:meth:`Store.query`) with a
:class:`~clusterkg.sparql.results.QueryResult`, lists its named graphs and
replaces whole named graphs in one request. Backends: the embedded
pyoxigraph store (:mod:`.embedded`), a remote SPARQL 1.1 endpoint
(:mod:`.remote`) and RDF files in memory (:mod:`.files`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from ..errors import QueryError, StoreError, one_line
from ..progress import Progress
from ..sparql.results import QueryResult, Term, from_oxigraph

STORE_ENV = "CLUSTERKG_STORE"



class Store(Protocol):
    """What every backend offers."""

    def query(
        self, sparql: str, *, bindings: Mapping[str, Term] | None = None, base_iri: str | None = None
    ) -> QueryResult: ...

    def graph_names(self) -> list[str]: ...

    def replace_graphs(
        self, graphs: Mapping[str, Iterable[ox.Triple]], drop: Iterable[str] = (), *, progress: Progress | None = None
    ) -> None: ...

    def close(self) -> None: ...


@dataclass
class StoreSettings:
    """How the CLI was told to reach the data."""

    store_dir: Path | None = None
    endpoint: str | None = None
    update_endpoint: str | None = None


def run_oxigraph_query(
    store: ox.Store,
    sparql: str,
    *,
    bindings: Mapping[str, Term] | None = None,
    base_iri: str | None = None,
    union: bool = True,
) -> QueryResult:
    """Run a read-only query on a pyoxigraph store; values are bound as RDF terms."""
    substitutions = {ox.Variable(name): term for name, term in (bindings or {}).items()}
    try:
        answer = store.query(
            sparql,
            base_iri=base_iri,
            use_default_graph_as_union=union,
            substitutions=substitutions or None,
        )
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {one_line(exc)}") from None
    except OSError as exc:
        raise StoreError(f"query failed: {one_line(exc)}") from None
    except RuntimeError as exc:  # e.g. a bound variable that the SELECT clause does not project
        raise QueryError(runtime_message(str(exc), bindings)) from None
    return from_oxigraph(answer)


def runtime_message(message: str, bindings: Mapping[str, Term] | None) -> str:
    """The engine's evaluation error as a message for people (one line; a hint for a bound variable)."""
    message = " ".join(message.split())
    projection = re.search(r"variable \?(\w+) in its SELECT projection", message)
    if projection:
        return (
            f"cannot bind ?{projection[1]}: a parameter of a SELECT query must be one of its selected "
            f"variables (add ?{projection[1]} to the SELECT clause, or use SELECT *)"
        )
    return f"query failed: {message}"


def replace_in_oxigraph(
    store: ox.Store, graphs: Mapping[str, Iterable[ox.Triple]], drop: Iterable[str], progress: Progress | None
) -> None:
    """Replace and drop named graphs of a pyoxigraph store in one transaction (one SPARQL update)."""
    listed = {name: list(triples) for name, triples in graphs.items()}
    try:
        store.update(replace_graphs_update(listed, drop))
    except (OSError, SyntaxError) as exc:
        raise StoreError(f"could not write to the store: {one_line(exc)}") from None
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
