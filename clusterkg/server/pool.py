"""Queries run in worker processes, each with a deadline.

pyoxigraph cannot cancel a query in-process, so a server runs every query
in one of a few worker processes. A query that passes its deadline is
stopped by killing its worker, which is then replaced; the other workers
go on serving.

Each worker holds the knowledge base in memory, loaded from a *snapshot*
(an N-Quads dump) of the embedded store. Taking the snapshot holds the
store's shared lock for a moment only, so ``clusterkg add`` and other
writers are never blocked by a running server. The pool watches the store
directory and takes a new snapshot when a writer has changed it; workers
move to it between queries. Snapshots are kept in a private directory that
is removed when the server stops (:mod:`.snapshots`).

A slow query cannot keep a short one waiting: while a query has run longer
than ``spare_after`` seconds and no worker is free, the pool starts one more
(up to twice ``workers`` processes); the extra ones leave once they are idle.
A query whose client has gone is cancelled: its worker is killed and
replaced, as after a timeout.

An update (``serve --writable``) runs in a process of its own with the same
deadline, on the embedded store itself (:func:`clusterkg.stores.userdata.run_update`),
and the pool takes a new snapshot before it answers, so the next query sees it.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..errors import ClusterKGError, StoreError, one_line
from ..namespaces import PREFIXES
from ..sparql.protocol import ProtocolError, Reply, TooLarge, answer
from ..sparql.syntax import explain_syntax_error, has_dataset_clause, star_variables
from ..sparql.updates import UpdateRefused
from ..stores.base import runtime_message
from ..stores.embedded import default_store_dir, open_embedded
from ..stores.userdata import graph_sizes, run_update
from .cache import ReplyCache
from .snapshots import SnapshotDir, exit_with_parent, store_fingerprint


@dataclass
class Job:
    """One query to run: its text (values already bound into it), how to answer, and what it sees.

    ``default_graphs``/``named_graphs`` are the protocol's dataset; when
    ``dataset`` is set they replace the query's own (even when both are empty).
    """

    sparql: str
    accept: str | None = None
    formats: tuple[str, ...] = ()
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    base_iri: str | None = None
    dataset: bool = False

    def key(self) -> tuple:
        """What identifies the answer (the snapshot aside)."""
        return (self.sparql, self.accept, self.formats, tuple(self.default_graphs), tuple(self.named_graphs),
                self.base_iri, self.dataset)


class QueryTimeout(Exception):
    """The query ran past its deadline and was stopped."""


class ServerBusy(Exception):
    """No worker became free in time."""


# --- the worker process ------------------------------------------------------


def _execute(store: ox.Store, job: Job, limit: int | None) -> Reply:
    """Run one job on the worker's store and serialise its answer.

    The dataset: the protocol's when given, else the query's ``FROM``/``FROM NAMED``, else the union of all graphs.
    """
    kwargs: dict[str, Any] = {"base_iri": job.base_iri}
    try:
        if job.dataset:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
        elif not has_dataset_clause(job.sparql):
            kwargs["use_default_graph_as_union"] = True
        result = store.query(job.sparql, **kwargs)
        reply = answer(result, job.accept, job.formats, limit, PREFIXES, star_variables(job.sparql))
    except SyntaxError as exc:
        return _error(400, explain_syntax_error(str(exc), job.sparql))
    except RuntimeError as exc:
        return _error(400, runtime_message(str(exc)))
    except ValueError as exc:  # a bad IRI in the protocol parameters
        return _error(400, one_line(exc))
    except ProtocolError as exc:
        return _error(exc.status, exc.message)
    except TooLarge as exc:
        return _error(422, str(exc))
    except OSError as exc:
        return _error(500, f"query failed: {' '.join(str(exc).split())}")
    return reply


def _error(status: int, message: str) -> Reply:
    return Reply(status, "text/plain; charset=utf-8", message.encode())


@dataclass
class UpdateJob:
    """One SPARQL update to run on the store: its text, base IRI and the protocol's ``using`` graphs."""

    request: str
    base_iri: str | None = None
    using: tuple[str, ...] = ()
    using_named: tuple[str, ...] = ()
    allow_load: bool = False


def _update_main(conn: Connection, store_dir: str, job: UpdateJob) -> None:
    """Entry point of an update process: run the update on the store, send back the reply."""
    exit_with_parent()
    try:
        with open_embedded(Path(store_dir), writable=True) as store:
            summary = run_update(store, job.request, base_iri=job.base_iri, using=job.using,
                                 using_named=job.using_named, allow_load=job.allow_load)
        changed = ", ".join(f"<{g}> {a} -> {b} triples" for g, (a, b) in summary.changes.items()) or "no graph changed"
        conn.send(Reply(200, "text/plain; charset=utf-8", f"update applied: {changed}\n".encode()))
    except UpdateRefused as exc:
        conn.send(_error(403, one_line(exc)))
    except ClusterKGError as exc:
        conn.send(_error(400 if not isinstance(exc, StoreError) else 503, one_line(exc)))


def _worker_main(conn: Connection, snapshot: str, limit: int | None) -> None:
    """Entry point of a worker process: load the snapshot, then answer jobs."""
    exit_with_parent()
    store = ox.Store()
    store.load(path=snapshot, format=ox.RdfFormat.N_QUADS)
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(_execute(store, job, limit))


# --- the pool, in the server's event loop --------------------------------------


class _Worker:
    def __init__(self, process: multiprocessing.process.BaseProcess, conn: Connection, generation: int) -> None:
        self.process = process
        self.conn = conn
        self.generation = generation

    async def receive(self) -> Any:
        """Wait until the worker writes, without blocking the event loop."""
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()
        fd = self.conn.fileno()

        def wake() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(fd, wake)
        try:
            await ready
        finally:
            loop.remove_reader(fd)
            # the event loop (uvloop) may have made the pipe non-blocking; a
            # reply larger than the pipe's buffer must be read whole
            os.set_blocking(fd, True)
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            raise StoreError("a query worker stopped unexpectedly") from None

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class QueryPool:
    """Worker processes answering queries with a deadline each.

    Use ``await pool.start()`` in the server's event loop, then
    ``await pool.run(job)``; ``await pool.stop()`` at the end.
    """

    def __init__(
        self,
        store_dir: Path | None = None,
        *,
        workers: int = 2,
        timeout: float = 30.0,
        max_results: int | None = 10000,
        reload_interval: float = 2.0,
        cache_bytes: int = 64 << 20,
        spare_after: float = 1.0,
    ) -> None:
        self.store_dir = Path(store_dir) if store_dir else default_store_dir()
        self.size = max(1, workers)
        self.max_size = 2 * self.size  # with the spares started while slow queries run
        self.timeout = timeout
        self.spare_after = min(spare_after, timeout / 2)
        self.max_results = max_results
        self.reload_interval = reload_interval
        self.cache = ReplyCache(cache_bytes)
        self.generation = 0
        self.triples = 0
        self.graphs: dict[str, int] = {}  # named graph -> triples, in the snapshot
        self.snapshots = SnapshotDir()
        self._snapshot: Path | None = None
        self._fingerprint: tuple = ()
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: set[_Worker] = set()
        self._busy: dict[_Worker, float] = {}  # worker -> when (loop time) its query started
        self._growing = self._stopping = False
        self._watcher: asyncio.Task | None = None
        self._context = multiprocessing.get_context("spawn")

    @property
    def running(self) -> int:
        """The number of queries running now."""
        return len(self._busy)

    # snapshots
    def _take_snapshot(self) -> tuple[Path, tuple, int]:
        path = self.snapshots.file(self.generation + 1)
        with open_embedded(self.store_dir) as store:  # no writer can change it meanwhile
            fingerprint = store_fingerprint(self.store_dir)
            store.oxigraph.dump(str(path), format=ox.RdfFormat.N_QUADS)
            count = len(store.oxigraph)
            self.graphs = graph_sizes(store)
        return path, fingerprint, count

    async def reload(self) -> None:
        """Take a new snapshot; workers move to it between queries."""
        path, fingerprint, count = await asyncio.to_thread(self._take_snapshot)
        previous = self._snapshot
        self._snapshot, self._fingerprint, self.triples = path, fingerprint, count
        self.generation += 1
        self.cache.clear()
        if previous is not None:
            previous.unlink(missing_ok=True)  # workers already hold it in memory
            for _ in range(self._idle.qsize()):  # refresh idle workers now
                asyncio.get_running_loop().create_task(self._replace(self._idle.get_nowait()))

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.reload_interval)
            if store_fingerprint(self.store_dir) != self._fingerprint:
                try:
                    await self.reload()
                except StoreError:
                    continue  # a writer still holds the store: try again later

    # workers
    async def _spawn(self) -> _Worker:
        assert self._snapshot is not None
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_worker_main, args=(child, str(self._snapshot), self.max_results), daemon=True
        )
        await asyncio.to_thread(process.start)
        child.close()
        worker = _Worker(process, parent, self.generation)
        self._all.add(worker)
        try:
            message = await asyncio.wait_for(worker.receive(), timeout=max(60.0, self.timeout))
        except (TimeoutError, StoreError):
            self._drop(worker)
            raise StoreError("a query worker could not load the knowledge base") from None
        if message != "ready":
            self._drop(worker)
            raise StoreError("a query worker could not start")
        return worker

    def _drop(self, worker: _Worker) -> None:
        self._all.discard(worker)
        worker.stop()

    def _needs_worker(self) -> bool:
        """Whether to start a worker: fewer than ``workers``, or none free while a query runs long."""
        if self._growing or self._stopping:
            return False
        if len(self._all) < self.size:
            return True
        now = asyncio.get_running_loop().time()
        slow = any(now - started >= self.spare_after for started in self._busy.values())
        return slow and self._idle.empty() and len(self._all) < self.max_size

    def _grow_if_needed(self) -> None:
        if self._needs_worker():
            self._growing = True
            asyncio.get_running_loop().create_task(self._grow())

    async def _grow(self) -> None:
        """Start workers in the background, one at a time, while :meth:`_needs_worker` says so."""
        try:
            while True:
                try:
                    worker = await self._spawn()
                except StoreError:
                    await asyncio.sleep(1)
                else:
                    if self._stopping:
                        self._drop(worker)
                        return
                    self._idle.put_nowait(worker)
                self._growing = False
                if not self._needs_worker():
                    return
                self._growing = True
        finally:
            self._growing = False

    async def _replace(self, worker: _Worker) -> None:
        """Stop a worker; start another if the pool needs it."""
        self._all.discard(worker)
        await asyncio.to_thread(worker.stop)
        self._grow_if_needed()

    def _release(self, worker: _Worker) -> None:
        """A worker's query is done: it waits for the next, or leaves if it was a spare no longer needed."""
        if len(self._all) > self.size and not self._idle.empty():
            asyncio.get_running_loop().create_task(self._replace(worker))
        else:
            self._idle.put_nowait(worker)

    def prepare(self) -> None:
        """Take the first snapshot now; raises StoreError if the store cannot be opened."""
        if self._snapshot is None:
            self._snapshot, self._fingerprint, self.triples = self._take_snapshot()
            self.generation += 1
        self.cache.clear()

    async def start(self) -> None:
        """Take the first snapshot (unless prepared) and start the workers."""
        if self._snapshot is None:
            await asyncio.to_thread(self.prepare)
        workers = await asyncio.gather(*(self._spawn() for _ in range(self.size)))
        for worker in workers:
            self._idle.put_nowait(worker)
        if self.reload_interval > 0:
            self._watcher = asyncio.get_running_loop().create_task(self._watch())

    async def stop(self) -> None:
        """Stop the workers and remove the snapshots."""
        self._stopping = True
        if self._watcher:
            self._watcher.cancel()
        for worker in list(self._all):
            self._drop(worker)
        self.remove_snapshots()

    def remove_snapshots(self) -> None:
        """Delete the snapshot files (the workers hold their data in memory)."""
        self.snapshots.remove()

    async def update(self, job: UpdateJob) -> Reply:
        """Run an update in a process of its own, within the deadline; then serve a snapshot that has it.

        Raises QueryTimeout (the process is stopped: its transaction never commits).
        """
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_update_main, args=(child, str(self.store_dir), job), daemon=True)
        await asyncio.to_thread(process.start)
        child.close()
        runner = _Worker(process, parent, self.generation)
        try:
            reply = await asyncio.wait_for(runner.receive(), timeout=self.timeout)
        except TimeoutError:
            raise QueryTimeout(f"the update ran longer than {self.timeout:g} s and was stopped; nothing was applied") from None
        finally:
            await asyncio.to_thread(runner.stop)
        if reply.status == 200:
            try:
                await self.reload()
            except StoreError:  # a writer took the store meanwhile: the watcher serves the change later
                pass
        return reply

    def cached(self, job: Job) -> Reply | None:
        """The cached answer to a job, if there is one."""
        return self.cache.get(job.key())

    async def run(self, job: Job) -> Reply:
        """The answer to a job: from the cache, or from a free worker.

        Raises QueryTimeout or ServerBusy. Cancelled (the client went away), it stops the job's worker.
        """
        key = job.key()
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        generation = self.generation
        reply = await self._run_on_worker(job)
        if reply.status == 200 and generation == self.generation:
            self.cache.put(key, reply)
        return reply

    async def _run_on_worker(self, job: Job) -> Reply:
        self._grow_if_needed()  # a spare, if every worker is taken by a slow query
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout=self.timeout)
        except TimeoutError:
            raise ServerBusy(f"no query worker became free within {self.timeout:g} s") from None
        if worker.generation != self.generation or not worker.process.is_alive():
            self._drop(worker)
            try:
                worker = await self._spawn()
            except StoreError:
                self._grow_if_needed()
                raise
        loop = asyncio.get_running_loop()
        self._busy[worker] = loop.time()
        spare = loop.call_later(self.spare_after, self._grow_if_needed)
        try:
            worker.conn.send(job)
            reply = await asyncio.wait_for(worker.receive(), timeout=self.timeout)
        except TimeoutError:
            loop.create_task(self._replace(worker))
            raise QueryTimeout(f"the query ran longer than {self.timeout:g} s and was stopped") from None
        except (StoreError, OSError):
            loop.create_task(self._replace(worker))
            raise StoreError("a query worker stopped unexpectedly") from None
        except asyncio.CancelledError:  # the client went away: stop the query with its worker
            loop.create_task(self._replace(worker))
            raise
        finally:
            spare.cancel()
            del self._busy[worker]
        self._release(worker)
        return reply
