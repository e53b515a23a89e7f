"""The store's read side over the server's query pool, for library functions run in a thread.

The web API answers with the library's own functions (names resolved by
:mod:`clusterkg.names`, comparisons by :mod:`clusterkg.paper_views`, entity
pages by :mod:`clusterkg.entity_views`, ...), which take a
:class:`~clusterkg.stores.base.Store`. :class:`PoolStore` is one: each query
becomes a :class:`~.pool.Job` that the pool runs on a worker, with its
deadline, limits and cache, while the function waits in a thread of its own
(:func:`call`); the event loop goes on serving meanwhile. The pool needs to
know nothing of it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import pyoxigraph as ox

from ..errors import QueryError, StoreError
from ..progress import Progress
from ..sparql.bindings import bind
from ..sparql.results import QueryResult, Term, parse_graph, parse_results
from .pool import Job, QueryPool

T = TypeVar("T")
ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"


class PoolStore:
    """A read-only :class:`~clusterkg.stores.base.Store` whose queries run on the pool's workers."""

    def __init__(self, pool: QueryPool, loop: asyncio.AbstractEventLoop) -> None:
        self.pool = pool
        self.loop = loop

    def query(self, sparql: str, *, bindings: Mapping[str, Term] | None = None,
              base_iri: str | None = None) -> QueryResult:
        job = Job(sparql=bind(sparql, bindings), accept=ACCEPT, base_iri=base_iri)
        reply = asyncio.run_coroutine_threadsafe(self.pool.run(job), self.loop).result()
        if reply.status != 200:
            raise QueryError(reply.body.decode("utf-8", "replace").strip())
        media = reply.media_type.split(";")[0].strip()
        if media == "application/n-triples":
            return parse_graph(reply.body, media, "the server's store")
        return parse_results(reply.body, media, "the server's store")

    def update(self, request: str, *, base_iri: str | None = None) -> None:
        raise StoreError("the web API only reads the store")

    def graph_names(self) -> list[str]:
        return sorted(self.pool.graphs)

    def replace_graphs(self, graphs: Mapping[str, Iterable[ox.Triple]], drop: Iterable[str] = (), *,
                       progress: Progress | None = None) -> None:
        raise StoreError("the web API only reads the store")

    def add_to_graphs(self, graphs: Mapping[str, Iterable[ox.Triple]], *, progress: Progress | None = None) -> None:
        raise StoreError("the web API only reads the store")

    def close(self) -> None:
        return None


async def call(pool: QueryPool, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``function(store, *args, **kwargs)`` in a thread, its store a :class:`PoolStore` of ``pool``."""
    store = PoolStore(pool, asyncio.get_running_loop())
    return await asyncio.to_thread(function, store, *args, **kwargs)
