"""Copying the store to another: a one-way push (``clusterkg push``), every graph, the user's too."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..progress import ProgressStart
from .base import Store
from .embedded import open_embedded
from .remote import DEFAULT_BATCH_SIZE, EndpointStore
from .userdata import graph_sizes

GRAPH_TRIPLES = "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"


@dataclass
class PushSummary:
    """What a push wrote: triples per graph, and the stale graphs it dropped."""

    graphs: dict[str, int] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())


def count_triples(store: Store) -> dict[str, int]:
    """The number of triples in each named graph of ``store``."""
    return graph_sizes(store)


def push(
    source: Store,
    target: Store,
    *,
    progress_start: ProgressStart | None = None,
) -> PushSummary:
    """Make ``target`` hold exactly the named graphs of ``source`` (the whole knowledge base).

    Every graph of the source replaces the graph of the same name in the
    target; clusterkg graphs of the target that the source lacks (a removed
    case, say) are dropped. ``progress_start`` receives the total number of
    triples and returns the function told the number written after each batch.
    """
    counts = count_triples(source)
    progress = progress_start(sum(counts.values())) if progress_start else None
    stale = [graph for graph in target.graph_names() if graph not in counts]
    summary = PushSummary(dropped=stale)
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
) -> PushSummary:
    """Push the embedded store's whole knowledge base to a SPARQL endpoint."""
    target = EndpointStore(url, update_url, timeout=timeout, batch_size=batch_size or DEFAULT_BATCH_SIZE)
    with open_embedded(store_dir) as source:
        return push(source, target, progress_start=progress_start)
