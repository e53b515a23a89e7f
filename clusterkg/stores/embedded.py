"""The embedded store: a persistent pyoxigraph store in a directory.

::

    DIR/oxigraph/     the RocksDB database
    DIR/lock          an advisory lock (shared for readers, exclusive for writers)
    DIR/state.json    the digest of the ontology files the store was built from

It is built from ``ontology/`` on first use and rebuilt (those graphs only,
in one transaction) when the files change; added cases, links and inferences
live in graphs of their own and survive a rebuild. Queries see the union of
all graphs as their default graph.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
import traceback
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from ..errors import ClusterKGError, StoreError, one_line
from ..inputs import check_rdf_file
from ..namespaces import kb_graph
from ..progress import Progress, Say
from ..resources import files_digest, ontology_files
from ..sparql.results import QueryResult, Term
from .base import (
    STORE_ENV,
    add_in_oxigraph,
    engine_error,
    replace_in_oxigraph,
    run_oxigraph_query,
    run_oxigraph_update,
)

LOCK_TIMEOUT_ENV = "CLUSTERKG_LOCK_TIMEOUT"


def default_store_dir() -> Path:
    """The store directory: ``$CLUSTERKG_STORE`` or the user data directory."""
    if os.environ.get(STORE_ENV):
        return Path(os.environ[STORE_ENV]).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("clusterkg", appauthor=False)) / "store"


class EmbeddedStore:
    """A persistent pyoxigraph store in a directory, opened for reading or writing.

    Use :func:`open_embedded` rather than the constructor: it takes the lock
    and makes sure the knowledge base is built and current.
    """

    def __init__(self, directory: Path, store: ox.Store, writable: bool) -> None:
        self.directory = directory
        self.oxigraph = store
        self.writable = writable
        self.where = f"the store {directory}"

    def query(
        self, sparql: str, *, bindings: Mapping[str, Term] | None = None, base_iri: str | None = None
    ) -> QueryResult:
        return run_oxigraph_query(self.oxigraph, sparql, bindings=bindings, base_iri=base_iri, where=self.where)

    def update(self, request: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL update as it is, in one transaction (see :mod:`.userdata` for the user's updates)."""
        self._require_writable()
        run_oxigraph_update(self.oxigraph, request, base_iri=base_iri)

    def graph_names(self) -> list[str]:
        try:
            return sorted(g.value for g in self.oxigraph.named_graphs() if isinstance(g, ox.NamedNode))
        except (OSError, RuntimeError) as exc:
            raise engine_error(exc, self.where, "read") from None

    def replace_graphs(
        self, graphs: Mapping[str, Iterable[ox.Triple]], drop: Iterable[str] = (), *, progress: Progress | None = None
    ) -> None:
        """Replace whole named graphs (and drop others) in one transaction."""
        self._require_writable()
        replace_in_oxigraph(self.oxigraph, graphs, drop, progress, where=self.where)

    def add_to_graphs(self, graphs: Mapping[str, Iterable[ox.Triple]], *, progress: Progress | None = None) -> None:
        """Add triples to named graphs, in one transaction."""
        self._require_writable()
        add_in_oxigraph(self.oxigraph, graphs, progress)

    def load_file(self, path: Path, graph: str, fmt: ox.RdfFormat | None = None) -> None:
        """Replace one named graph with an RDF file, through pyoxigraph's bulk loader.

        Meant for big files: it does not hold the file in memory and is not one
        transaction. A graph that already holds data is checked first by parsing
        the file, so a bad file leaves it as it was; a failure while writing
        leaves the graph empty, never half loaded.
        """
        self._require_writable()
        target = ox.NamedNode(graph)
        fmt = fmt or ox.RdfFormat.from_extension(Path(path).suffix.lstrip(".")) or ox.RdfFormat.N_TRIPLES
        source = Path(path)  # an input that cannot be read is said to be one, not taken for the store's fault
        if not source.is_file():
            raise StoreError(f"could not load {path}: {'not a regular file' if source.exists() else 'no such file'}")
        try:
            os.close(os.open(source, os.O_RDONLY))
        except OSError as exc:
            raise StoreError(f"could not load {path}: {exc.strerror or one_line(exc)}") from None
        if fmt == ox.RdfFormat.RDF_XML:  # streamed, so of any size; its entities bounded
            check_rdf_file(Path(path), fmt, limit=None)
        try:
            if next(iter(self.oxigraph.quads_for_pattern(None, None, None, target)), None) is not None:
                for _ in ox.parse(path=str(path), format=fmt):
                    pass
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"could not load {path}: {one_line(exc)}") from None
        try:
            self.oxigraph.remove_graph(target)
            self.oxigraph.bulk_load(path=str(path), format=fmt, to_graph=target)
        except (OSError, SyntaxError, ValueError, RuntimeError) as exc:
            try:
                self.oxigraph.remove_graph(target)
            except (OSError, RuntimeError):
                pass  # the disk is full, say: the first error is the one to report
            if isinstance(exc, OSError | RuntimeError):
                raise engine_error(exc, self.where, "write to") from None
            raise StoreError(f"could not load {path}: {one_line(exc)}") from None

    def close(self) -> None:
        """Write what is pending to disk and let the store go (a failure to write is a :class:`StoreError`)."""
        try:
            if self.writable:
                self.oxigraph.flush()
        except (OSError, RuntimeError) as exc:
            raise engine_error(exc, self.where, "write to") from None
        finally:
            del self.oxigraph

    def _require_writable(self) -> None:
        if not self.writable:
            raise StoreError("the store was opened read-only")


def _lock_timeout() -> float:
    try:
        return float(os.environ.get(LOCK_TIMEOUT_ENV, "60"))
    except ValueError:
        return 60.0


@contextmanager
def _locked(path: Path, exclusive: bool) -> Iterator[None]:
    """Hold an advisory lock on ``path``; waits up to the lock timeout.

    A reader of a store it cannot write to (a read-only directory or file
    system) takes the lock through a read-only handle, or goes without one
    when the lock file is missing and cannot be made: no one can change the
    store through this user's rights, and the store itself is opened read-only.
    """
    directory = path.parent
    where = f"the store {directory}"
    handle = None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+")
    except IsADirectoryError:
        raise StoreError(f"the lock file of {where} is a directory ({path}): remove it and run the command "
                         "again") from None
    except OSError as exc:
        if exclusive or _unreadable(directory) is not None:
            raise engine_error(exc, where, "change" if exclusive else "read") from None
        try:
            handle = open(path)
        except FileNotFoundError:
            handle = None
        except OSError as again:
            raise engine_error(again, where, "read") from None
    mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    deadline = time.monotonic() + _lock_timeout()
    try:
        while handle is not None:
            try:
                fcntl.flock(handle, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StoreError(f"the store {directory} is busy: another clusterkg process holds it") from None
                time.sleep(0.05)
        yield
    finally:
        if handle is not None:
            handle.close()


def _unreadable(directory: Path) -> OSError | None:
    """Why the directory cannot be listed (None when it can, or does not exist yet)."""
    try:
        next(iter(directory.iterdir()), None)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return exc
    return None


def _state_path(directory: Path) -> Path:
    return directory / "state.json"


def _stored_digest(directory: Path) -> str | None:
    try:
        return json.loads(_state_path(directory).read_text())["ontology_digest"]
    except (OSError, ValueError, KeyError):
        return None


def knowledge_base_graphs() -> dict[str, list[ox.Triple]]:
    """The shipped knowledge base as named graphs, one per ontology file."""
    graphs: dict[str, list[ox.Triple]] = {}
    for path in ontology_files():
        try:
            quads = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
            graphs[kb_graph(path.stem)] = [q.triple for q in quads]
        except (SyntaxError, OSError) as exc:
            raise StoreError(f"{path.name}: {one_line(exc)}") from None
    return graphs


def _build(directory: Path, digest: str) -> None:
    """(Re)build the knowledge-base graphs; the caller holds the exclusive lock."""
    store = _open_oxigraph(directory, writable=True)
    kb = EmbeddedStore(directory, store, writable=True)
    graphs = knowledge_base_graphs()
    stale = [g for g in kb.graph_names() if g.startswith(kb_graph("")) and g not in graphs]
    kb.replace_graphs(graphs, drop=stale)
    kb.close()
    tmp = _state_path(directory).with_suffix(".tmp")
    try:
        tmp.write_text(json.dumps({"ontology_digest": digest}))
        os.replace(tmp, _state_path(directory))
    except OSError as exc:
        raise engine_error(exc, f"the store {directory}", "write to") from None


def _open_oxigraph(directory: Path, writable: bool) -> ox.Store:
    path = directory / "oxigraph"
    try:
        if writable:
            return ox.Store(str(path))
        return ox.Store.read_only(str(path))
    except (OSError, RuntimeError) as exc:
        raise engine_error(exc, f"the store {directory}", "open") from None


def _release_frames(exc: BaseException) -> None:
    """Clear the frames of an error and of the errors it came from: they hold the database, which must close
    with the store (or the next open in this process finds it locked)."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        error = pending.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        traceback.clear_frames(error.__traceback__)
        pending += [error.__context__, error.__cause__]


@contextmanager
def open_embedded(
    directory: Path | None = None, *, writable: bool = False, notify: Say | None = None
) -> Iterator[EmbeddedStore]:
    """Open the embedded store, building or refreshing the knowledge base first if needed.

    Readers share the store; a writer has it alone. Writes made through a
    writable store are transactional (see :meth:`EmbeddedStore.replace_graphs`).
    ``notify`` is told when a store is built where there was none.
    """
    directory = Path(directory) if directory else default_store_dir()
    if directory.exists() and not directory.is_dir():
        raise StoreError(f"the store path {directory} is not a directory: choose a directory with --store DIR or "
                         f"${STORE_ENV}")
    unreadable = _unreadable(directory)
    if unreadable is not None:
        raise engine_error(unreadable, f"the store {directory}", "read")
    lock = directory / "lock"
    digest = files_digest(ontology_files())
    if _stored_digest(directory) != digest:
        try:
            with _locked(lock, exclusive=True):
                stored = _stored_digest(directory)
                if stored != digest:
                    if notify and stored is None and not (directory / "oxigraph").exists():
                        notify(f"building a new store at {directory} from the shipped knowledge base")
                    _build(directory, digest)
        except StoreError as exc:
            if _stored_digest(directory) is None:  # a new store, or one that cannot be read
                raise
            raise StoreError(f"{exc} (the store must be rebuilt first: the ontology files changed since it was "
                             "built)") from None
    with _locked(lock, exclusive=writable):
        store = EmbeddedStore(directory, _open_oxigraph(directory, writable), writable)
        try:
            yield store
        except BaseException as exc:
            if isinstance(exc, ClusterKGError):
                _release_frames(exc)
            try:
                store.close()
            except StoreError:
                pass  # the error on its way out says more
            raise
        store.close()
