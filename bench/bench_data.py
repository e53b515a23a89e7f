"""The benchmark's stores: the knowledge base and ``bench/generate.py``'s synthetic clusters, loaded once."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

import measure

HERE = Path(__file__).resolve().parent


def clusterkg(*args: str) -> list[str]:
    return [shutil.which("clusterkg") or "clusterkg", *args]


def store_of(size: str, workdir: Path) -> Path:
    """A store holding the knowledge base and ``size`` triples of synthetic clusters (made once)."""
    store = workdir / f"store-{size}"
    if not (store / "state.json").exists():
        if size == "paper":
            subprocess_run(clusterkg("--store", str(store), "info"))
            return store
        subprocess_run([sys.executable, str(HERE / "generate.py"), size, str(workdir)])
        subprocess_run(clusterkg("--store", str(store), "load", str(workdir / f"synthetic-{size}.nt")))
    return store


def subprocess_run(command: Sequence[str]) -> None:
    measure.run(command, timeout=3600)
