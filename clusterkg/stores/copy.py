"""Copying the knowledge base from one store to another: a one-way push (``clusterkg load --endpoint``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..progress import ProgressStart
from ..sparql.results import value_of
from .base import Store
from .embedded import open_embedded
from .remote import DEFAULT_BATCH_SIZE, EndpointStore

GRAPH_TRIPLES = "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
GRAPH_COUNT = "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"


@dataclass
class LoadSummary:
    """What a load wrote: triples per graph, and the stale graphs it dropped."""

    graphs: dict[str, int] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())


def count_triples(store: Store) -> dict[str, int]:
    """The number of triples in each named graph of ``store``."""
    counts = {}
    for graph in store.graph_names():
        row = next(iter(store.query(GRAPH_COUNT.format(graph=graph)).rows))
        counts[graph] = int(value_of(row[0])) if row[0] is not None else 0
    return counts


def push(
    source: Store,
    target: Store,
    *,
    progress_start: ProgressStart | None = None,
) -> LoadSummary:
    """Make ``target`` hold exactly the named graphs of ``source`` (the whole knowledge base).

    Every graph of the source replaces the graph of the same name in the
    target; clusterkg graphs of the target that the source lacks (a removed
    case, say) are dropped. ``progress_start`` receives the total number of
    triples and returns the function told the number written after each batch.
    """
    counts = count_triples(source)
    progress = progress_start(sum(counts.values())) if progress_start else None
    stale = [graph for graph in target.graph_names() if graph not in counts]
    summary = LoadSummary(dropped=stale)
    if stale:
        target.replace_graphs({}, drop=stale)
    for graph in counts:
        triples: list[ox.Triple] = list(source.query(GRAPH_TRIPLES.format(graph=graph)).triples)
        target.replace_graphs({graph: triples}, progress=progress)
        summary.graphs[graph] = len(triples)
    return summary


def push_to_endpoint(
    url: str,
    update_url: str | None = None,
    *,
    store_dir: Path | None = None,
    batch_size: int | None = None,
    timeout: int | None = None,
    progress_start: ProgressStart | None = None,
) -> LoadSummary:
    """Push the embedded store's whole knowledge base to a SPARQL endpoint."""
    target = EndpointStore(url, update_url, timeout=timeout, batch_size=batch_size or DEFAULT_BATCH_SIZE)
    with open_embedded(store_dir) as source:
        return push(source, target, progress_start=progress_start)
