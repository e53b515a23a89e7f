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
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

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


def exit_with_parent(interval: float = 0.5) -> None:
    """In a worker: end the process once the server that started it is gone (a SIGKILLed server).

    pyoxigraph releases the GIL while it evaluates, so the watching thread runs during a query too.
    """
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
