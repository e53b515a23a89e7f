"""Where the query workers' snapshots of the store are kept, and when they are removed.

A snapshot is a RocksDB checkpoint of the store (``Store.backup``: its files hard-linked when the
temporary directory is on the store's file system, copied otherwise), which the workers open read-only
(:mod:`.pool`). A server keeps its snapshots in a directory of its own, made mode 0700
(readable by the user who runs the server only) in the system's temporary directory
and named ``clusterkg-serve-PID-XXXXXXXX`` after the server's process; it holds the
latest snapshot and those a worker still reads, and is removed when the server stops: Ctrl-C, SIGTERM, or a
failure to start.

What remains after a SIGKILL (or a power cut): that directory, still 0700, with the
last snapshot in it, a full copy of the store's data. The next ``clusterkg serve``
started by the same user removes every such directory whose server process is gone.
The workers of a killed server leave with it: each one exits within a second of its
server's end, a query it was running stopped.

What a snapshot holds, counted (:func:`snapshot_counts`: its size and the size of each graph, for ``/api/info``
and the service description), takes seconds at a million triples; the pool counts each snapshot in the
background after it serves it (:mod:`.pool`).
"""

from __future__ import annotations

import asyncio
import os
import queue
import select
import shutil
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from ..errors import StoreError, one_line
from ..stores.base import runtime_message
from ..stores.embedded import EmbeddedStore
from ..stores.userdata import graph_sizes

PREFIX = "clusterkg-serve-"


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


#: The triples of the default graph itself (not the union of the graphs that queries see).
DEFAULT_GRAPH_SIZE = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def snapshot_counts(snapshot: Path) -> tuple[int, dict[str, int]]:
    """The number of triples in a snapshot and in each of its named graphs (empty ones too).

    The total is the graphs' sizes plus the default graph's, so that the store is read once; both are
    counted by Oxigraph's queries, which release the GIL, so the server goes on answering meanwhile.
    """
    try:
        oxigraph = ox.Store.read_only(str(snapshot))
        graphs = graph_sizes(EmbeddedStore(snapshot, oxigraph, writable=False))
        solutions = oxigraph.query(DEFAULT_GRAPH_SIZE)
        assert isinstance(solutions, ox.QuerySolutions)
        default = next(iter(solutions))[0]
    except (OSError, RuntimeError) as exc:
        raise StoreError(f"cannot count the snapshot {snapshot}: {runtime_message(str(exc))}") from None
    assert isinstance(default, ox.Literal)
    return int(default.value) + sum(graphs.values()), graphs


def holds_at_most(store: ox.Store, limit: int) -> bool:
    """Whether ``store`` holds at most ``limit`` triples (in all its graphs), counted by Oxigraph no further than
    one past the limit: milliseconds at any size."""
    query = ("SELECT (COUNT(*) AS ?n) WHERE { SELECT * WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } } "
             f"LIMIT {limit + 1} }}")
    solutions = store.query(query)  # the default graph is the default graph itself here, not the union
    assert isinstance(solutions, ox.QuerySolutions)
    count = next(iter(solutions))[0]
    assert isinstance(count, ox.Literal)
    return int(count.value) <= limit


#: What :meth:`SnapshotCounter.counts` gives: the snapshot's generation, its triples, the triples of each named graph.
Counts = tuple[int, int, dict[str, int]]


class _Superseded(Exception):
    """A newer snapshot was taken before this one was counted: nobody needs its counts any more."""


class SnapshotCounter:
    """Counts the snapshots a server serves (:func:`snapshot_counts`), one at a time in a thread of its own.

    A snapshot is counted once, after it is served; one that is superseded before its turn is not counted.
    A snapshot being counted is kept (:meth:`keep`); ``on_done`` is called in the thread after each count.
    Counting begins with :meth:`begin` (a server begins once it answers queries, so that the count does not
    take a CPU from its start), or as soon as the counts are asked for.
    """

    def __init__(self, on_done: Callable[[], None] = lambda: None) -> None:
        self.on_done = on_done
        self._jobs: queue.SimpleQueue[tuple[int, Path, Future[Counts]] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._latest: tuple[int, Future[Counts]] | None = None
        self._counting: dict[Path, Future[Counts]] = {}
        self._begun = False

    def submit(self, generation: int, path: Path) -> None:
        """Count snapshot number ``generation``, the newest one, at ``path``."""
        future: Future[Counts] = Future()
        self._latest = generation, future
        self._counting[path] = future
        self._jobs.put((generation, path, future))
        if self._begun:
            self.begin()

    def begin(self) -> None:
        """Count the snapshots submitted, and those to come as they are."""
        self._begun = True
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="snapshot-counts", daemon=True)
            self._thread.start()

    def keep(self) -> set[Path]:
        """The snapshots being counted or waiting to be."""
        self._counting = {path: future for path, future in self._counting.items() if not future.done()}
        return set(self._counting)

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            generation, path, future = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                if self._latest is None or self._latest[0] != generation:
                    raise _Superseded
                triples, graphs = snapshot_counts(path)
            except (StoreError, _Superseded) as exc:
                future.set_exception(exc)
            except Exception as exc:  # whatever else went wrong: the requests waiting are answered, not left
                future.set_exception(StoreError(f"cannot count the snapshot {path}: {one_line(exc)}"))
            else:
                future.set_result((generation, triples, graphs))
            self.on_done()

    async def counts(self) -> Counts:
        """The newest snapshot's generation, triples and those of each named graph, waiting for its count if
        need be (and for a newer snapshot's, if one is taken meanwhile and the older one cannot be counted)."""
        while True:
            if self._latest is None:
                raise StoreError("the server has not taken a snapshot of the store yet")
            generation, future = self._latest
            self.begin()
            try:  # shielded: a request that goes away leaves the count to the others
                return await asyncio.shield(asyncio.wrap_future(future))
            except (_Superseded, StoreError):
                if self._latest[0] == generation:
                    raise
                # a newer snapshot is served and counted: its counts

    def stop(self) -> None:
        """Stop the thread after the count it is running (the snapshots are being removed)."""
        self._latest = None
        self._jobs.put(None)
        for future in self._counting.values():
            future.cancel()  # those not begun


class SnapshotDir:
    """The private directory of one server's snapshots, made when the first snapshot is taken."""

    def __init__(self, parent: Path | None = None) -> None:
        self.parent = Path(parent or tempfile.gettempdir())
        self.path: Path | None = None

    def checkpoint(self, generation: int) -> Path:
        """The path of snapshot number ``generation`` (a directory not made yet): in the private directory,
        made (0700) if need be."""
        if self.path is None or not self.path.is_dir():
            remove_stale(self.parent)
            self.path = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=self.parent))  # mode 0700
        target = self.path / f"snapshot-{generation}"
        shutil.rmtree(target, ignore_errors=True)  # what a failed attempt left
        return target

    def remove_except(self, keep: set[Path | None]) -> None:
        """Delete every snapshot but those in ``keep``."""
        if self.path is None:
            return
        for entry in self.path.glob("snapshot-*"):
            if entry not in keep:
                shutil.rmtree(entry, ignore_errors=True)

    def remove(self) -> None:
        """Delete the directory and every snapshot in it."""
        if self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)


def remove_stale(parent: Path) -> list[Path]:
    """Remove the snapshot directories in ``parent`` that are this user's and whose server is gone."""
    removed = []
    for entry in parent.glob(PREFIX + "*"):
        pid, dash, rest = entry.name[len(PREFIX):].partition("-")
        if not (pid.isdigit() and dash and rest) or int(pid) == os.getpid():
            continue  # not named by this version, or ours
        try:
            st = entry.lstat()
        except OSError:
            continue
        if not entry.is_dir() or entry.is_symlink() or st.st_uid != os.getuid() or _alive(int(pid)):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's, or not a pid: not ours to judge
    return True


def exit_with_server(conn: Connection) -> None:
    """In a worker: end the process once the server that started it is gone (a SIGKILLed server), that is once
    the server's end of the pipe ``conn`` is closed (the worker's parent is the fork server, which stays while
    a worker does: the pipe, not the parent, tells).

    pyoxigraph releases the GIL while it evaluates, so the watching thread runs during a query too.
    """
    watcher = select.poll()
    watcher.register(conn.fileno(), 0)  # no events asked: only the hang-up and errors are reported

    def watch() -> None:
        while True:
            for _, events in watcher.poll():
                if events & (select.POLLHUP | select.POLLERR | select.POLLNVAL):
                    os._exit(1)

    threading.Thread(target=watch, name="exit-with-server", daemon=True).start()
