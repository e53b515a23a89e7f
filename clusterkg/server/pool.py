"""Queries run in worker processes, each with a deadline.

pyoxigraph cannot cancel a query in-process, so a server runs every query
in one of a few worker processes. A query that passes its deadline is
stopped by killing its worker, which is then replaced; the other workers
go on serving.

Each worker reads a *snapshot* of the embedded store on disk, opened
read-only: a RocksDB checkpoint of the store (``Store.backup``: its files
hard-linked where the file system allows, so a snapshot costs milliseconds
and no copy of the data, and the workers share the operating system's page
cache rather than each holding the store in memory). A small store (up to
:data:`IN_MEMORY_TRIPLES`, the paper's knowledge base with a few hundred cases)
is copied from it into each worker's memory instead, a few MiB, where joins run
several times faster. Taking the snapshot
holds the store's shared lock for a moment only, so ``clusterkg add`` and
other writers are never blocked by a running server. The pool watches the
store directory and takes a new snapshot when a writer has changed it; each
worker opens it before its next query (no restart; no reload of the data
beyond a small store's copy), and
a snapshot no worker reads any more is removed. Snapshots are kept in a
private directory that is removed when the server stops (:mod:`.snapshots`).

A new snapshot is served as soon as it is taken; its triples and each graph's
(for ``/api/info`` and the service description: seconds at a million triples)
are counted after, in a thread (:meth:`QueryPool.counts`); a request that needs
them first waits for them. Whether workers copy a snapshot into memory is read as
it is taken, by counting up to :data:`IN_MEMORY_TRIPLES` + 1 triples.

Per query, the server lexes the text once (:func:`~clusterkg.sparql.protocol.check_query`)
and hands the worker what it read from the tokens (:attr:`Job.analysis`); a
worker writes SELECT answers with Oxigraph's own serialisers, counting the rows
against the limit as they are written.

A slow query cannot keep a short one waiting: while a query has run longer
than ``spare_after`` seconds and no worker is free, the pool starts one more
(up to twice ``workers`` processes); the extra ones leave once they are idle.
Long queries may hold all but one of those processes: a query that is still
running after ``spare_after`` seconds while as many others have run that long
is stopped (its worker killed and replaced) and answered :class:`ServerBusy`,
so one process is always left to the short queries, however many stuck ones
clients send.
A query whose client has gone is cancelled: its worker is killed and
replaced, as after a timeout.

An update (``serve --writable``) runs in a process of its own with the same
deadline, on the embedded store itself (:func:`clusterkg.stores.userdata.run_update`),
and the pool takes a new snapshot before it answers, so the next query sees it.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ..errors import StoreError
from ..sparql.protocol import Reply
from ..stores.base import runtime_message
from ..stores.embedded import default_store_dir, open_embedded
from .cache import ReplyCache
from .snapshots import Counts, SnapshotCounter, SnapshotDir, holds_at_most, store_fingerprint
from .worker import IN_MEMORY_TRIPLES, Job, UpdateJob, update_main, worker_context, worker_main

__all__ = ["IN_MEMORY_TRIPLES", "Job", "QueryPool", "QueryTimeout", "ServerBusy", "UpdateJob"]


class QueryTimeout(Exception):
    """The query ran past its deadline and was stopped."""


class ServerBusy(Exception):
    """No worker became free in time."""


# --- the pool, in the server's event loop --------------------------------------



class _Worker:
    def __init__(self, process: multiprocessing.process.BaseProcess, conn: Connection, generation: int,
                 snapshot: Path | None = None) -> None:
        self.process = process
        self.conn = conn
        self.generation = generation
        self.snapshot = snapshot  # the snapshot it has open

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
        self.graphs: frozenset[str] = frozenset()  # the named graphs of the snapshot
        self.in_memory = False  # whether the workers copy the snapshot into memory
        self.snapshots = SnapshotDir()
        self._counter = SnapshotCounter(self._counted)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._snapshot: Path | None = None
        self._fingerprint: tuple = ()
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: set[_Worker] = set()
        self._busy: dict[_Worker, float] = {}  # worker -> when (loop time) its query started
        self._evicted: set[_Worker] = set()  # workers killed to keep one free for short queries
        self._growing = self._stopping = False
        self._watcher: asyncio.Task | None = None
        self._context = worker_context()

    @property
    def running(self) -> int:
        """The number of queries running now."""
        return len(self._busy)

    # snapshots
    def _take_snapshot(self) -> tuple[Path, tuple, frozenset[str], bool]:
        path = self.snapshots.checkpoint(self.generation + 1)
        with open_embedded(self.store_dir) as store:  # no writer can change it meanwhile
            fingerprint = store_fingerprint(self.store_dir)
            try:
                store.oxigraph.backup(str(path))
                small = holds_at_most(store.oxigraph, IN_MEMORY_TRIPLES)
            except (OSError, RuntimeError) as exc:
                raise StoreError(f"cannot take a snapshot of the store in {path.parent}: "
                                 f"{runtime_message(str(exc))}") from None
            graphs = frozenset(store.graph_names())
        return path, fingerprint, graphs, small

    def _serve(self, taken: tuple[Path, tuple, frozenset[str], bool]) -> None:
        """Make a snapshot just taken the one served, and count it in the background."""
        self._snapshot, self._fingerprint, self.graphs, self.in_memory = taken
        self.generation += 1
        self.cache.clear()
        self._counter.submit(self.generation, taken[0])

    def _counted(self) -> None:
        """In the counting thread, after a count: the snapshot is no longer kept for it."""
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: the server is stopping
                loop.call_soon_threadsafe(self._prune)

    async def counts(self) -> Counts:
        """The current snapshot's generation, its triples and those of each named graph (counted once a
        snapshot, in the background; waits for the count if it is not done)."""
        return await self._counter.counts()

    async def reload(self) -> None:
        """Take a new snapshot; workers move to it between queries."""
        taken = await asyncio.to_thread(self._take_snapshot)
        previous = self._snapshot
        self._serve(taken)
        if previous is not None:
            self._prune()  # workers move to the new snapshot before their next query

    def _prune(self) -> None:
        """Remove the snapshots that are neither the current one, open in a worker, nor being counted."""
        keep = {self._snapshot, *(worker.snapshot for worker in self._all), *self._counter.keep()}
        self.snapshots.remove_except(keep)

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
            target=worker_main, args=(child, str(self._snapshot), self.in_memory, self.max_results), daemon=True
        )
        await asyncio.to_thread(process.start)
        child.close()
        worker = _Worker(process, parent, self.generation, self._snapshot)
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
        self._prune()

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
        self._prune()
        self._grow_if_needed()

    async def _move(self, worker: _Worker) -> _Worker:
        """A worker opens the current snapshot (a new worker replaces it if it cannot)."""
        assert self._snapshot is not None
        snapshot, generation = self._snapshot, self.generation
        try:
            worker.conn.send((str(snapshot), self.in_memory))
            message = await asyncio.wait_for(worker.receive(), timeout=max(60.0, self.timeout))
        except (TimeoutError, StoreError, OSError):
            message = None
        if message != "ready":
            self._drop(worker)
            try:
                return await self._spawn()
            except StoreError:
                self._grow_if_needed()
                raise
        worker.snapshot, worker.generation = snapshot, generation
        self._prune()
        return worker

    def _ran_long(self, worker: _Worker) -> None:
        """A query has run ``spare_after`` seconds: stop it if enough others have (one worker stays for short
        queries); else start a spare if no worker is free."""
        now = asyncio.get_running_loop().time()
        others = sum(1 for w, started in self._busy.items() if w is not worker and now - started >= self.spare_after)
        if others >= self.max_size - 1 and worker in self._busy:
            self._evicted.add(worker)
            worker.process.kill()  # its receive() ends: _run_on_worker answers ServerBusy
            return
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
            self._serve(self._take_snapshot())
        self.cache.clear()

    async def start(self) -> None:
        """Take the first snapshot (unless prepared) and start a worker; the others start in the background."""
        self._loop = asyncio.get_running_loop()
        if self._snapshot is None:
            await asyncio.to_thread(self.prepare)
        self._idle.put_nowait(await self._spawn())  # the first query needs one worker; the others start after it
        self._grow_if_needed()
        self._counter.begin()
        if self.reload_interval > 0:
            self._watcher = asyncio.get_running_loop().create_task(self._watch())

    async def stop(self) -> None:
        """Stop the workers and remove the snapshots."""
        self._stopping = True
        self._loop = None
        if self._watcher:
            self._watcher.cancel()
        self._counter.stop()
        for worker in list(self._all):
            self._drop(worker)
        self.remove_snapshots()

    def remove_snapshots(self) -> None:
        """Delete the snapshots (after the workers have stopped)."""
        self.snapshots.remove()

    async def update(self, job: UpdateJob) -> Reply:
        """Run an update in a process of its own, within the deadline; then serve a snapshot that has it.

        Raises QueryTimeout (the process is stopped: its transaction never commits).
        """
        parent, child = self._context.Pipe()
        process = self._context.Process(target=update_main, args=(child, str(self.store_dir), job), daemon=True)
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
        if not worker.process.is_alive():
            self._drop(worker)
            try:
                worker = await self._spawn()
            except StoreError:
                self._grow_if_needed()
                raise
        elif worker.generation != self.generation:
            try:
                worker = await self._move(worker)
            except asyncio.CancelledError:  # the client went away while the worker opened the snapshot
                asyncio.get_running_loop().create_task(self._replace(worker))
                raise
        loop = asyncio.get_running_loop()
        self._busy[worker] = loop.time()
        spare = loop.call_later(self.spare_after, self._ran_long, worker)
        try:
            worker.conn.send(job)
            reply = await asyncio.wait_for(worker.receive(), timeout=self.timeout)
        except TimeoutError:
            loop.create_task(self._replace(worker))
            raise QueryTimeout(f"the query ran longer than {self.timeout:g} s and was stopped") from None
        except (StoreError, OSError):
            loop.create_task(self._replace(worker))
            if worker in self._evicted:
                self._evicted.discard(worker)
                raise ServerBusy(f"{self.max_size - 1} other queries have run longer than {self.spare_after:g} s "
                                 "and hold every worker but the one kept for short queries; this one was stopped. "
                                 "Try again when they are done, or make the query cheaper") from None
            raise StoreError("a query worker stopped unexpectedly") from None
        except asyncio.CancelledError:  # the client went away: stop the query with its worker
            loop.create_task(self._replace(worker))
            raise
        finally:
            spare.cancel()
            del self._busy[worker]
        self._release(worker)
        return reply
