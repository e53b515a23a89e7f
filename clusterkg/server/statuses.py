"""The one reading of the library's errors as HTTP statuses, for every route of the server.

>>> from clusterkg.errors import InputError, NotFoundError, StoreError
>>> http_status(InputError("bad value")), http_status(NotFoundError("no such query")), http_status(StoreError("gone"))
((400, 'bad value'), (404, 'no such query'), (500, 'gone'))
"""

from __future__ import annotations

from ..errors import ClusterKGError, InputError, NotFoundError, QueryError, one_line
from ..sparql.protocol import ProtocolError
from .pool import QueryTimeout, ServerBusy

#: What a handler catches: every exception :func:`http_status` reads.
ERRORS = (ProtocolError, QueryTimeout, ServerBusy, ClusterKGError)


def http_status(exc: BaseException) -> tuple[int, str]:
    """The status and one-line message of an error of :data:`ERRORS`.

    A protocol error carries its own status; a query stopped at its deadline or no free worker is 503
    (the client may try again); something not found is 404; bad input or a bad query 400; any other
    error of the library (a store that cannot be read) 500.
    """
    if isinstance(exc, ProtocolError):
        return exc.status, exc.message
    if isinstance(exc, (QueryTimeout, ServerBusy)):
        return 503, str(exc)
    if isinstance(exc, NotFoundError):
        return 404, one_line(exc)
    if isinstance(exc, (InputError, QueryError)):
        return 400, one_line(exc)
    if isinstance(exc, ClusterKGError):
        return 500, one_line(exc)
    raise TypeError(f"not an error the server answers: {type(exc).__name__}")
