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
move to it between queries.

An update (``serve --writable``) runs in a process of its own with the same
deadline, on the embedded store itself (:func:`clusterkg.stores.userdata.run_update`),
and the pool takes a new snapshot before it answers, so the next query sees it.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import shutil
import tempfile
from collections import OrderedDict
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


class ReplyCache:
    """Recent successful answers, least recently used first out, within a byte budget.

    Exact, because the workers answer from an immutable snapshot; it is
    cleared whenever the pool moves to a new one.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[tuple, Reply] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: tuple) -> Reply | None:
        reply = self._entries.get(key)
        if reply is not None:
            self._entries.move_to_end(key)
        return reply

    def put(self, key: tuple, reply: Reply) -> None:
        size = self._size(key, reply)
        if size > self.max_bytes // 8 or key in self._entries:
            return
        self._entries[key] = reply
        self.bytes += size
        while self.bytes > self.max_bytes:
            self.bytes -= self._size(*self._entries.popitem(last=False))

    @staticmethod
    def _size(key: tuple, reply: Reply) -> int:
        return len(reply.body) + sum(len(str(part)) for part in key)

    def clear(self) -> None:
        self._entries.clear()
        self.bytes = 0


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


def store_fingerprint(directory: Path) -> tuple:
    """Names, sizes and times of the store's files: changes when a writer has opened it."""
    entries = []
    for folder in (directory, directory / "oxigraph"):
        try:
            with os.scandir(folder) as it:
                for entry in it:
                    if entry.is_file() and entry.name != "lock":
                        st = entry.stat()
                        entries.append((folder.name, entry.name, st.st_size, st.st_mtime_ns))
        except FileNotFoundError:
            continue
    return tuple(sorted(entries))


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
    ) -> None:
        self.store_dir = Path(store_dir) if store_dir else default_store_dir()
        self.size = max(1, workers)
        self.timeout = timeout
        self.max_results = max_results
        self.reload_interval = reload_interval
        self.cache = ReplyCache(cache_bytes)
        self.generation = 0
        self.triples = 0
        self.graphs: dict[str, int] = {}  # named graph -> triples, in the snapshot
        self._tmp = Path(tempfile.mkdtemp(prefix="clusterkg-serve-"))
        self._snapshot: Path | None = None
        self._fingerprint: tuple = ()
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: set[_Worker] = set()
        self._watcher: asyncio.Task | None = None
        self._context = multiprocessing.get_context("spawn")

    # snapshots
    def _take_snapshot(self) -> tuple[Path, tuple, int]:
        self._tmp.mkdir(parents=True, exist_ok=True)
        path = self._tmp / f"snapshot-{self.generation + 1}.nq"
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

    async def _replace(self, worker: _Worker | None) -> None:
        """Stop a worker (if any) and put a fresh one in the idle queue."""
        if worker is not None:
            await asyncio.to_thread(self._drop, worker)
        try:
            self._idle.put_nowait(await self._spawn())
        except StoreError:
            await asyncio.sleep(1)
            asyncio.get_running_loop().create_task(self._replace(None))

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
        if self._watcher:
            self._watcher.cancel()
        for worker in list(self._all):
            self._drop(worker)
        self.remove_snapshots()

    def remove_snapshots(self) -> None:
        """Delete the snapshot files (the workers hold their data in memory)."""
        shutil.rmtree(self._tmp, ignore_errors=True)

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

    async def run(self, job: Job) -> Reply:
        """The answer to a job: from the cache, or from a free worker.

        Raises QueryTimeout or ServerBusy.
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
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout=self.timeout)
        except TimeoutError:
            raise ServerBusy(f"no query worker became free within {self.timeout:g} s") from None
        if worker.generation != self.generation or not worker.process.is_alive():
            self._drop(worker)
            try:
                worker = await self._spawn()
            except StoreError:
                asyncio.get_running_loop().create_task(self._replace(None))
                raise
        try:
            worker.conn.send(job)
            reply = await asyncio.wait_for(worker.receive(), timeout=self.timeout)
        except TimeoutError:
            asyncio.get_running_loop().create_task(self._replace(worker))
            raise QueryTimeout(f"the query ran longer than {self.timeout:g} s and was stopped") from None
        except (StoreError, OSError):
            asyncio.get_running_loop().create_task(self._replace(worker))
            raise StoreError("a query worker stopped unexpectedly") from None
        except asyncio.CancelledError:  # the client went away: the worker may still be busy
            asyncio.get_running_loop().create_task(self._replace(worker))
            raise
        self._idle.put_nowait(worker)
        return reply
