"""clusterkg: a knowledge graph of industrial clusters with semantic query.

In Python (and in a notebook), ``kb = clusterkg.open()`` gives the knowledge
base: ``kb.query(...)``, ``kb.compare(...)``, ``kb.myths()``, ``kb.validate(...)``,
``kb.add(...)`` (see :mod:`clusterkg.api`).
"""

from __future__ import annotations

from typing import Any

__all__ = ["KnowledgeBase", "__version__", "open"]


def __getattr__(name: str) -> Any:
    """``open``, ``KnowledgeBase`` and ``__version__`` are loaded on first use, so that the command line starts fast."""
    if name == "__version__":
        from .resources import package_version

        return package_version()
    if name in ("open", "KnowledgeBase"):
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'clusterkg' has no attribute {name!r}")
