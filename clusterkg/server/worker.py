"""The worker processes' side of the query pool (:mod:`.pool`): what a job is, and how a worker answers it.

A worker opens a snapshot of the store (:mod:`.snapshots`) read-only, or copies a small one into memory
(:data:`IN_MEMORY_TRIPLES`), then answers jobs one at a time. SELECT answers are written by Oxigraph's own
serialisers, the rows counted against the limit as they are written (:func:`native_solutions`); other
answers by :func:`clusterkg.sparql.protocol.answer`. An update runs in a process of its own
(:func:`update_main`) on the store itself.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox

from ..errors import ClusterKGError, StoreError, one_line
from ..namespaces import PREFIXES
from ..sparql import formats
from ..sparql.protocol import ProtocolError, Reply, TooLarge, answer, media_type, negotiate
from ..sparql.syntax import explain_syntax_error, has_dataset_clause, star_variables
from ..sparql.updates import UpdateRefused
from ..stores.base import runtime_message
from ..stores.embedded import open_embedded
from ..stores.userdata import run_update
from .snapshots import exit_with_server


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
    #: (whether the query has FROM/FROM NAMED, the variables of a ``SELECT *`` in order), as read from its
    #: tokens by the server; None: the worker reads them itself
    analysis: tuple[bool, list[str] | None] | None = None

    def key(self) -> tuple:
        """What identifies the answer (the snapshot aside)."""
        return (self.sparql, self.accept, self.formats, tuple(self.default_graphs), tuple(self.named_graphs),
                self.base_iri, self.dataset)




class _RowCounter:
    """A file-like sink for Oxigraph's TSV writer: keeps what is written, and stops it past ``limit`` rows.

    TSV writes one line a row (line breaks inside literals are escaped), after one line of variables.
    """

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.lines = 0
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.lines += data.count(b"\n")
        if self.limit is not None and self.lines > self.limit + 1:
            raise TooLarge(self.limit, "rows")
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        return None


def native_solutions(result: ox.QuerySolutions, job: Job, limit: int | None, star: list[str] | None) -> Reply | None:
    """SELECT solutions written by Oxigraph (rows counted against ``limit`` in TSV, the lossless form, then
    written in the negotiated format); None where the Python writers are needed (a ``SELECT *`` whose
    columns Oxigraph orders otherwise than the query, no columns at all)."""
    variables = [v.value for v in result.variables]
    rank = {name: position for position, name in enumerate(star or ())}
    if not variables or sorted(variables, key=lambda name: (rank.get(name, len(rank)), variables.index(name))) != variables:
        return None
    fmt = negotiate("select", job.accept, job.formats)
    sink = _RowCounter(limit)
    result.serialize(output=cast(IO[bytes], sink), format=ox.QueryResultsFormat.TSV)
    tsv = b"".join(sink.parts)
    if fmt == "tsv":
        return Reply(200, media_type(fmt), tsv)
    target = formats.BY_NAME[fmt].results
    assert target is not None
    solutions = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
    body = solutions.serialize(format=target)
    assert body is not None
    return Reply(200, media_type(fmt), body)


def execute(store: ox.Store, job: Job, limit: int | None) -> Reply:
    """Run one job on the worker's store and serialise its answer.

    The dataset: the protocol's when given, else the query's ``FROM``/``FROM NAMED``, else the union of all graphs.
    """
    kwargs: dict[str, Any] = {"base_iri": job.base_iri}
    dataset_clause, star = job.analysis or (has_dataset_clause(job.sparql), star_variables(job.sparql))
    try:
        if job.dataset:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
        elif not dataset_clause:
            kwargs["use_default_graph_as_union"] = True
        result = store.query(job.sparql, **kwargs)
        native = native_solutions(result, job, limit, star) if isinstance(result, ox.QuerySolutions) else None
        reply = native or answer(result, job.accept, job.formats, limit, PREFIXES, star)
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


def update_main(conn: Connection, store_dir: str, job: UpdateJob) -> None:
    """Entry point of an update process: run the update on the store, send back the reply."""
    exit_with_server(conn)
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


#: Up to this many triples, a worker copies its snapshot into memory (about 1 KiB a triple: at most some
#: 25 MiB a worker), where Oxigraph answers joins several times faster than from RocksDB; a larger store
#: is read on disk.
IN_MEMORY_TRIPLES = 25_000


def _open_snapshot(snapshot: str, in_memory: bool) -> ox.Store | str:
    """The snapshot opened read-only (copied into memory when ``in_memory``), or why it cannot be."""
    try:
        store = ox.Store.read_only(snapshot)
        if in_memory:
            copy = ox.Store()
            copy.extend(store.quads_for_pattern(None, None, None, None))
            return copy
        return store
    except (OSError, RuntimeError) as exc:
        return f"cannot open the snapshot: {runtime_message(str(exc))}"


def worker_main(conn: Connection, snapshot: str, in_memory: bool, limit: int | None) -> None:
    """Entry point of a worker process: open the snapshot, then answer jobs.

    A message ``(path, in_memory)`` moves the worker to that snapshot; it answers "ready".
    """
    exit_with_server(conn)
    store = _open_snapshot(snapshot, in_memory)
    conn.send("ready" if isinstance(store, ox.Store) else store)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if isinstance(job, tuple):
            store = _open_snapshot(*job)
            conn.send("ready" if isinstance(store, ox.Store) else store)
        elif isinstance(store, ox.Store):
            conn.send(execute(store, job, limit))


def worker_context() -> multiprocessing.context.ForkServerContext:
    """How worker and update processes start: forked by multiprocessing's fork server, a process that has
    imported what they run (:mod:`.worker`) once, so that a worker starts in milliseconds instead of importing
    the library anew, and the server process, with its threads and event loop, is never forked itself. The
    fork server leaves when the server does, and its workers with it (:func:`.snapshots.exit_with_server`)."""
    context = multiprocessing.get_context("forkserver")
    assert isinstance(context, multiprocessing.context.ForkServerContext)
    context.set_forkserver_preload([__name__])
    return context


def start_worker_server() -> None:
    """Start the fork server of :func:`worker_context` now, so that it imports the library while the server
    process goes on starting."""
    worker_context()
    from multiprocessing import forkserver

    forkserver.ensure_running()
