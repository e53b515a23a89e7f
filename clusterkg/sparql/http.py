"""The one HTTP transport to remote SPARQL services: endpoints used as stores, Wikidata, any SPARQL 1.1 server.

A request is a SPARQL 1.1 Protocol POST of URL-encoded form fields
(``query=`` or ``update=``, with ``default-graph-uri`` and the like), sent
with the project's one User-Agent and bounded by a *total* deadline: connecting,
sending and every read of the answer together take at most ``timeout``
seconds, so a server that trickles its answer a byte at a time cannot hold a
command past it. Every failure becomes one :class:`HttpError` (an
:class:`~clusterkg.errors.EndpointError`) with a one-line message, the HTTP
status if there was one, and whether trying again may help.

Requests go through :mod:`urllib.request`, so the usual proxy variables
(``https_proxy``, ``no_proxy``) apply.
"""

from __future__ import annotations

import http.client
import os
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

from ..errors import EndpointError, one_line
from ..resources import package_version

CONTACT_ENV = "CLUSTERKG_CONTACT"
#: Statuses worth another try, later: rate limits and server-side failures.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


def user_agent() -> str:
    """The User-Agent of every request: tool, version, project page, and ``$CLUSTERKG_CONTACT`` if set.

    Public services such as the Wikidata Query Service ask for a contact.
    """
    contact = os.environ.get(CONTACT_ENV, "").strip()
    extra = f"; {contact}" if contact else ""
    return f"clusterkg/{package_version()} (https://w3id.org/clusterkg/{extra}) urllib"


class HttpError(EndpointError):
    """A request that failed: unreachable, too slow, dropped, or answered with an HTTP error.

    ``what`` is the message without the URL (``answered HTTP 503``); ``status`` the HTTP status if the server answered;
    ``retryable`` whether a later try may succeed (429, 5xx, a dropped
    connection); ``retry_after`` the seconds the server asked to wait.
    """

    def __init__(self, url: str, message: str, what: str = "", *, status: int | None = None,
                 retryable: bool = False, retry_after: float | None = None, detail: str = "") -> None:
        super().__init__(message)
        self.url = url
        self.what = what or message
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after
        self.detail = detail


@dataclass
class Response:
    """A successful answer: its body and media type (lower case, parameters removed)."""

    body: bytes
    content_type: str


def post_form(url: str, fields: Iterable[tuple[str, str]], *, accept: str, timeout: float) -> Response:
    """POST URL-encoded ``fields`` to ``url`` and read the whole answer within ``timeout`` seconds."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname
    except ValueError as exc:  # "Invalid IPv6 URL"
        raise HttpError(url, f"the endpoint URL {url!r} is not a URL: {one_line(exc)}") from None
    if parts.scheme not in ("http", "https") or not host:
        raise HttpError(url, f"the endpoint URL must start with http:// or https://: {url!r}")
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode(list(fields), safe="/", quote_via=urllib.parse.quote).encode(), method="POST",
        headers={"Accept": accept, "User-Agent": user_agent(),
                 "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    connections: list[http.client.HTTPConnection] = []
    expired = threading.Event()

    def abort() -> None:  # the deadline: whatever the connection is waiting for stops now
        expired.set()
        for connection in connections:
            if connection.sock is not None:
                try:
                    connection.sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    opener = urllib.request.build_opener(_Http(connections), _Https(connections))
    timer = threading.Timer(timeout, abort)
    timer.daemon = True
    late = HttpError(url, f"{url} did not answer within {timeout:g} s", f"did not answer within {timeout:g} s")
    timer.start()
    try:
        with opener.open(request, timeout=timeout) as answer:
            body = answer.read()
            content_type = answer.headers.get("Content-Type", "") or ""
    except urllib.error.HTTPError as exc:
        raise _status_error(url, exc) from None
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        if expired.is_set():
            raise late from None
        raise _connection_error(url, exc, timeout) from None
    finally:
        timer.cancel()
        for connection in connections:
            connection.close()
    if expired.is_set():
        raise late
    return Response(body, content_type.split(";")[0].strip().lower())


class _Tracking(urllib.request.AbstractHTTPHandler):
    """urllib's handlers, keeping each connection they open so that the deadline can close it."""

    def __init__(self, connections: list[http.client.HTTPConnection]) -> None:
        super().__init__()
        self.connections = connections

    def _open(self, kind: type[http.client.HTTPConnection], req: urllib.request.Request) -> Any:
        def connect(host: str, **kwargs: Any) -> http.client.HTTPConnection:
            connection = kind(host, **kwargs)
            self.connections.append(connection)
            return connection

        return self.do_open(connect, req)


class _Http(_Tracking, urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> Any:
        return self._open(http.client.HTTPConnection, req)


class _Https(_Tracking, urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> Any:
        return self._open(http.client.HTTPSConnection, req)


def _status_error(url: str, exc: urllib.error.HTTPError) -> HttpError:
    try:
        body = exc.read()
    except (OSError, http.client.HTTPException):
        body = b""
    detail = first_line(body)
    what = f"answered HTTP {exc.code}"
    message = f"{url} {what} {exc.reason}".rstrip() + (f": {detail}" if detail else "")
    return HttpError(
        url, message, what, status=exc.code,
        retryable=exc.code in RETRY_STATUSES, retry_after=retry_after(exc.headers.get("Retry-After")), detail=detail,
    )


def _connection_error(url: str, exc: BaseException, timeout: float) -> HttpError:
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, TimeoutError | socket.timeout):
        return HttpError(url, f"{url} did not answer within {timeout:g} s", f"did not answer within {timeout:g} s")
    if isinstance(reason, ConnectionResetError | http.client.RemoteDisconnected | http.client.IncompleteRead):
        return HttpError(url, f"{url} dropped the connection", "dropped the connection", retryable=True)
    if isinstance(exc, urllib.error.URLError):
        return HttpError(url, f"cannot reach the endpoint {url}: {one_line(str(reason))}")
    return HttpError(url, f"request to {url} failed: {one_line(exc) or type(exc).__name__}")


def first_line(body: bytes | str) -> str:
    """The first meaningful line of an error body, shortened (markup lines skipped)."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    for line in text.splitlines():
        line = " ".join(line.split())
        if line and not line.startswith("<"):
            return line[:200] + "..." if len(line) > 200 else line
    return ""


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date).

    >>> retry_after("120"), retry_after(None)
    (120.0, None)
    """
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
