"""Where the data files (ontology, shapes, queries, mappings) are, and the installed versions.

The data files are the source of truth. In a wheel they are packaged under
``clusterkg/data/``; in a development checkout they sit beside the package.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.resources import files
from pathlib import Path

DATA_KINDS = ("ontology", "shapes", "queries", "mappings")


def data_dir(kind: str) -> Path:
    """Return the directory holding one kind of data file."""
    if kind not in DATA_KINDS:
        raise ValueError(f"unknown data kind {kind!r}")
    packaged = Path(str(files("clusterkg"))) / "data" / kind
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / kind


def ontology_files() -> list[Path]:
    """The Turtle files of the knowledge base, in a stable order."""
    return sorted(data_dir("ontology").glob("*.ttl"))


def files_digest(paths: list[Path]) -> str:
    """A digest of the names and contents of some files, to notice changes."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


@cache
def package_version(name: str = "clusterkg") -> str:
    """The installed version of a package (``0.0.0`` for a checkout that is not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "0.0.0"
