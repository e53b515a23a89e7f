"""clusterkg: a knowledge graph of industrial clusters with semantic query."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    """``__version__`` is read from the installed metadata on first use (it costs ~50 ms)."""
    if name == "__version__":
        from .resources import package_version

        return package_version()
    raise AttributeError(f"module 'clusterkg' has no attribute {name!r}")
