"""Stores: where the knowledge base lives and is queried.

:func:`open_store` chooses the backend from :class:`StoreSettings`: a remote
SPARQL 1.1 endpoint (:mod:`.remote`) if one is given, else the embedded
pyoxigraph store (:mod:`.embedded`). :mod:`.files` holds RDF files in memory
(``query --data``); :mod:`.copy` pushes one store into another.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from .base import STORE_ENV, Store, StoreSettings
from .embedded import default_store_dir, open_embedded

__all__ = ["STORE_ENV", "Store", "StoreSettings", "default_store_dir", "open_embedded", "open_store"]


@contextmanager
def open_store(
    settings: StoreSettings | None = None, *, writable: bool = False, timeout: int | None = None,
    batch_size: int | None = None,
) -> Iterator[Store]:
    """Open the store the settings name: a remote endpoint if one is given, else the embedded one.

    ``timeout`` and ``batch_size`` apply to an endpoint (see :class:`.remote.EndpointStore`).
    """
    settings = settings or StoreSettings()
    if settings.endpoint:
        from .remote import DEFAULT_BATCH_SIZE, EndpointStore

        remote = EndpointStore(settings.endpoint, update_url=settings.update_endpoint, timeout=timeout,
                               batch_size=batch_size or DEFAULT_BATCH_SIZE)
        try:
            yield remote
        finally:
            remote.close()
        return
    with open_embedded(settings.store_dir, writable=writable, notify=settings.notify) as store:
        yield store
