"""What the server holds every request to, before and while a handler answers it.

* :class:`BodyLimit` -- an ASGI middleware that reads request bodies as a stream against a limit, on
  every route: a declared ``Content-Length`` over the limit is answered 413 before a byte is read, a
  body (chunked or not) that passes the limit is answered 413 as soon as it does, and nothing of it is
  kept; the rest of the body is dropped as it arrives (up to :data:`DRAIN_BYTES` before the answer is
  complete, so that a client that reads only after sending gets the 413; beyond that by uvicorn, or the
  connection closes), so the server's memory stays flat. A body that has not all arrived within
  ``body_timeout`` seconds of the first read (a client that trickles it) is answered 408 with one line,
  and the connection is closed.
* :data:`CORS` -- the one CORS policy (Starlette's ``CORSMiddleware``): every response to a browser
  on another origin says ``Access-Control-Allow-Origin: *``, and a preflight allows the methods and
  the headers the server reads, never an echo of what was asked.
* :func:`unknown_parameters` -- the 400 of a route that does not know a parameter, naming those it knows.
* :func:`unless_disconnected` -- awaits a handler's work, cancelling it when the client goes away
  (a query then frees its worker: :meth:`.pool.QueryPool.run` kills and replaces it).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Iterable
from typing import TypeVar

from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

T = TypeVar("T")

#: Bytes of a request body (a POSTed query, update, form or JSON document).
MAX_BODY = 1 << 20
#: After a 413, what is read (and dropped) of the rest of the body before the answer is complete, so that a
#: client that sends its whole body before it reads (urllib, SPARQLWrapper) gets the 413, not a reset.
DRAIN_BYTES, DRAIN_SECONDS = 64 << 20, 5.0

#: The methods of the routes, and the headers the server reads beyond the CORS-safelisted ones (``Accept``,
#: ``Accept-Language``, ``Content-Language`` and ``Content-Type`` are always allowed).
CORS = Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST", "OPTIONS"], allow_headers=[],
                  max_age=600)


#: Seconds a client has to send a whole request body (``serve --body-timeout``).
BODY_TIMEOUT = 30.0


class BodyTooLarge(Exception):
    """A request body passed :data:`MAX_BODY`."""


class BodyTimeout(Exception):
    """A request body did not arrive whole within the body timeout."""


def too_large(limit: int) -> PlainTextResponse:
    return PlainTextResponse(f"the request body is larger than {limit} bytes, the server's limit\n", status_code=413)


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes as they are read (see the module's docstring)."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY, body_timeout: float = BODY_TIMEOUT) -> None:
        self.app = app
        self.limit = limit
        self.body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > self.limit:
            waits = "100-continue" in headers.get("expect", "").lower()  # the client sends nothing before an answer
            await self._refuse(receive, send, drain=not waits)
            return
        received = 0
        started = more = complete = timed_out = False
        deadline: float | None = None

        async def limited_receive() -> Message:
            nonlocal received, more, complete, timed_out, deadline
            if complete or timed_out:  # the body is in (or given up on): wait for what comes, however long
                message = await receive()
            else:
                loop = asyncio.get_running_loop()
                deadline = deadline or loop.time() + self.body_timeout
                try:
                    async with asyncio.timeout_at(deadline):
                        message = await receive()
                except TimeoutError:
                    timed_out = True
                    raise BodyTimeout from None
            if message["type"] == "http.request":
                complete = not message.get("more_body")
                received += len(message.get("body", b""))
                more = bool(message.get("more_body"))
                if received > self.limit:
                    raise BodyTooLarge
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, watched_send)
        except BodyTooLarge:
            if started:  # a handler that streamed its answer before reading all of the body
                raise
            await self._refuse(receive, send, drain=more)
        except BodyTimeout:
            if started:
                raise
            response = PlainTextResponse(f"the request body did not arrive within {self.body_timeout:g} s; send it "
                                         "whole, at once\n", status_code=408, headers={"Connection": "close"})
            await response(scope, receive, send)

    async def _refuse(self, receive: Receive, send: Send, *, drain: bool) -> None:
        """Send the 413 at once; then drop what follows of the body (within DRAIN_*) before completing it."""
        response = too_large(self.limit)
        await send({"type": "http.response.start", "status": 413, "headers": response.raw_headers})
        await send({"type": "http.response.body", "body": response.body, "more_body": True})
        if drain:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(DRAIN_SECONDS):
                    dropped = 0
                    while dropped < DRAIN_BYTES:
                        message = await receive()
                        if message["type"] != "http.request":
                            break
                        dropped += len(message.get("body", b""))
                        if not message.get("more_body"):
                            break
        await send({"type": "http.response.body", "body": b"", "more_body": False})


def unknown_parameters(given: Iterable[str], known: Iterable[str], where: str) -> PlainTextResponse | None:
    """A 400 naming the first parameter of ``given`` not in ``known`` and every known one; None if all are known."""
    known = list(known)
    unknown = [name for name in given if name not in known]
    if not unknown:
        return None
    takes = f"its parameters: {', '.join(known)}" if known else "it takes no parameters"
    return PlainTextResponse(f"unknown parameter {unknown[0][:100]!r} for {where}; {takes}\n", status_code=400)


class ClientGone(Exception):
    """The client closed its connection before the answer was ready."""


async def _disconnected(request: Request) -> None:
    """Return once the client has closed the connection (what is left of a body is read and dropped)."""
    while True:
        try:
            if (await request.receive())["type"] == "http.disconnect":
                return
        except (BodyTooLarge, BodyTimeout):  # a body the handler did not want (a GET's): dropped, however long
            continue


async def unless_disconnected(request: Request, work: Awaitable[T]) -> T:
    """The result of ``work``; if the client disconnects first, ``work`` is cancelled and ClientGone raised."""
    task = asyncio.ensure_future(work)
    watcher = asyncio.ensure_future(_disconnected(request))
    try:
        done, _ = await asyncio.wait({task, watcher}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:  # the server is stopping
        task.cancel()
        raise
    finally:
        watcher.cancel()
    if task in done:
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    raise ClientGone
