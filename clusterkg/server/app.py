"""``clusterkg serve``: a SPARQL 1.1 Protocol endpoint and a web page over the store.

Routes:

* ``/sparql`` (and ``/update``) -- the SPARQL 1.1 Protocol query operation (GET,
  POST form, POST ``application/sparql-query``), with content negotiation over
  the W3C result formats and RDF formats; ``format=`` overrides the Accept
  header. The base IRI of a query is the endpoint's URL. Updates (POST form
  ``update=``, POST ``application/sparql-update``) are refused (403) unless the
  server runs with ``--writable``; then they change the user's graphs only
  (:mod:`clusterkg.sparql.updates`). Without a query: a service description.
* ``/data`` -- the Graph Store Protocol's read side: ``GET /data?graph=IRI`` and
  ``GET /data?default`` (the default graph: the union of all graphs).
* ``/api/queries`` and ``/api/queries/{name}`` -- the named-query catalogue,
  and one named query run with its parameters (same formats as ``/sparql``).
* ``/api/info`` -- the server's limits and the size of the knowledge base.
* ``/api/table``, ``/api/download``, ``/api/entities``, ``/api/map``, ``/api/compare``, ``/api/entity``,
  ``/api/neighbourhood``, ``/api/provenance``, ``/api/summary`` -- what the web page shows, as data
  (:mod:`.webapi`).
* ``/`` and ``/static/...`` -- the web page, with every file it needs.

Queries run in worker processes with a deadline (:mod:`.pool`);
the workers answer from a snapshot of the embedded store, so writers such as
``clusterkg add`` are never blocked, and the server picks their changes up.
Every request is held to the limits of :mod:`.guard` (request bodies read as a
stream against :data:`~.guard.MAX_BODY`, one CORS policy), and a query whose
client has gone is cancelled. The endpoint's URL, in the service description and
as the base IRI of queries, comes from ``base_url`` (``serve --base-url``, else
the address the server is bound to), never from the request's ``Host`` header.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import queries
from ..errors import ClusterKGError, InputError, NotFoundError, one_line
from ..sparql.protocol import READ_ONLY, RESULT_FORMATS, ProtocolError, check_iris, check_query, service_description
from ..sparql.syntax import has_dataset_clause, star_variables, uses_service
from .guard import BODY_TIMEOUT, CORS, MAX_BODY, BodyLimit, ClientGone, unknown_parameters, unless_disconnected
from .pool import Job, QueryPool, UpdateJob
from .statuses import ERRORS, http_status
from .webapi import WebAPI

WEB_DIR = Path(__file__).resolve().parent / "static"
#: Seconds a stopping server (Ctrl-C, SIGTERM) waits for the answers being sent before it stops their queries.
SHUTDOWN_GRACE = 3


@dataclass
class ServerConfig:
    """What ``clusterkg serve`` was told."""

    host: str = "127.0.0.1"
    port: int = 8000
    timeout: float = 30.0
    max_results: int | None = 10000
    allow_service: bool = False
    workers: int = 2
    store_dir: Path | None = None
    reload_interval: float = 2.0
    cache_mb: float = 64.0
    writable: bool = False
    base_url: str | None = None  # the server's URL as clients reach it, without a trailing slash
    body_timeout: float = BODY_TIMEOUT  # seconds a client has to send a request body

    def url(self) -> str:
        """The server's base URL: ``base_url``, else the address it listens on."""
        if self.base_url:
            return self.base_url.rstrip("/")
        return f"http://{f'[{self.host}]' if ':' in self.host else self.host}:{self.port}"


#: The names clients give the answer's format in: SPARQLWrapper sends all three.
FORMAT_PARAMS = ("format", "output", "results")


def _text(status: int, message: str) -> PlainTextResponse:
    return PlainTextResponse(message + "\n", status_code=status)


def _charset(media: str) -> str:
    """A media type with ``charset=utf-8`` where its registration has the parameter."""
    return media if media.startswith(("application/sparql-results", "application/ld+json")) else media + "; charset=utf-8"


class Endpoint:
    """The request handlers, sharing one query pool."""

    def __init__(self, config: ServerConfig, pool: QueryPool) -> None:
        self.config = config
        self.pool = pool
        self.web = WebAPI(pool, config.allow_service)

    def _endpoint_url(self, request: Request) -> str:
        """The URL of the route, from the configured base URL: the base IRI of queries and updates."""
        return self.config.url() + request.url.path

    async def _run(self, request: Request, job: Job) -> Response:
        reply = self.pool.cached(job)  # only answers to queries that passed the checks are cached
        try:
            if reply is None:
                toks = check_query(job.sparql, allow_service=self.config.allow_service, writable=self.config.writable)
                job.analysis = (has_dataset_clause(job.sparql, toks), star_variables(job.sparql, toks))
                reply = await unless_disconnected(request, self.pool.run(job))
        except ClientGone:  # nobody reads this: the query was stopped
            return _text(503, "the client closed the connection; the query was stopped")
        except ERRORS as exc:
            return _text(*http_status(exc))
        headers = {"Vary": "Accept"}
        media = _charset(reply.media_type) if reply.status == 200 else reply.media_type
        return Response(reply.body, status_code=reply.status, media_type=media, headers=headers)

    async def sparql(self, request: Request) -> Response:
        """The SPARQL 1.1 Protocol query and update operations."""
        params = list(request.query_params.multi_items())
        if request.method == "POST":
            media, _, rest = request.headers.get("content-type", "").partition(";")
            content_type = media.strip().lower()
            charset = next((v.strip().strip('"').lower() for k, _, v in (p.partition("=") for p in rest.split(";"))
                            if k.strip().lower() == "charset"), "utf-8")
            body = await request.body()  # within MAX_BODY (guard.BodyLimit)
            if charset not in ("utf-8", "utf8"):
                return _text(415, f"the request body must be UTF-8, not {charset}")
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                return _text(400, "the request body is not UTF-8")
            if content_type == "application/x-www-form-urlencoded":
                params += parse_qsl(text, keep_blank_values=True)
            elif content_type == "application/sparql-query":
                params.append(("query", text))
            elif content_type == "application/sparql-update":
                params.append(("update", text))
            else:
                return _text(
                    415,
                    f"unsupported Content-Type {content_type or '(none)'!r}: POST a query as "
                    "application/x-www-form-urlencoded or application/sparql-query, an update as "
                    "application/x-www-form-urlencoded or application/sparql-update",
                )
        found = [v for k, v in params if k == "query"]
        updates = [v for k, v in params if k == "update"]
        if updates:
            if not self.config.writable:
                return _text(403, READ_ONLY + " (start the server with --writable to accept them)")
            if request.method != "POST":
                return _text(400, "an update must be sent with POST")
            if found or len(updates) > 1:
                return _text(400, "give one 'update' parameter, and no 'query'")
            return await self._update(request, updates[0], params)
        base = self._endpoint_url(request)
        formats = tuple(v for k, v in params if k in FORMAT_PARAMS)
        if not found:
            return await self._description(request, base, formats)
        if len(found) > 1:
            return _text(400, "more than one 'query' parameter")
        try:
            defaults = check_iris("default-graph-uri", [v for k, v in params if k == "default-graph-uri"])
            named = check_iris("named-graph-uri", [v for k, v in params if k == "named-graph-uri"])
        except ProtocolError as exc:
            return _text(exc.status, exc.message)
        job = Job(sparql=found[0], accept=request.headers.get("accept"), formats=formats, default_graphs=defaults,
                  named_graphs=named, base_iri=base, dataset=bool(defaults or named))
        return await self._run(request, job)

    async def _update(self, request: Request, text: str, params: list[tuple[str, str]]) -> Response:
        """Run an update on the user's graphs (``--writable`` only); the next query sees it."""
        if not text.strip():
            return _text(400, "the update is empty")
        if not self.config.allow_service and uses_service(text):
            return _text(403, "SERVICE (federated query to another endpoint) is disabled; start the server with --allow-service")
        try:
            job = UpdateJob(text, base_iri=self._endpoint_url(request),
                            using=tuple(check_iris("using-graph-uri", [v for k, v in params if k == "using-graph-uri"])),
                            using_named=tuple(check_iris("using-named-graph-uri",
                                                         [v for k, v in params if k == "using-named-graph-uri"])))
            reply = await self.pool.update(job)
        except ERRORS as exc:
            return _text(*http_status(exc))
        return Response(reply.body, status_code=reply.status, media_type=reply.media_type)

    async def _description(self, request: Request, url: str, formats: tuple[str, ...]) -> Response:
        """A SPARQL 1.1 Service Description of this endpoint, in the negotiated RDF format."""
        try:
            _, triples, graphs = await self.pool.counts()
            reply = service_description(url, graphs=graphs, default_triples=triples,
                                        writable=self.config.writable, allow_service=self.config.allow_service,
                                        accept=request.headers.get("accept"), format_param=formats)
        except ProtocolError as exc:
            return _text(exc.status, exc.message)
        except ERRORS as exc:
            return _text(*http_status(exc))
        return Response(reply.body, media_type=_charset(reply.media_type), headers={"Vary": "Accept"})

    async def graph_store(self, request: Request) -> Response:
        """The Graph Store Protocol's read side: ``GET /data?graph=IRI`` or ``GET /data?default``."""
        params = request.query_params
        graphs = params.getlist("graph")
        if ("default" in params) == bool(graphs) or len(graphs) > 1:
            return _text(400, "give one of ?default or ?graph=IRI")
        if graphs:
            try:
                iri = str(ox.NamedNode(graphs[0]))
            except ValueError:
                return _text(400, f"not a graph IRI: {graphs[0]!r}")
            if graphs[0] not in self.pool.graphs:
                return _text(404, f"no graph {iri} in the store")
            sparql = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {iri} {{ ?s ?p ?o }} }}"
        else:
            sparql = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
        formats = tuple(v for k, v in params.multi_items() if k in FORMAT_PARAMS)
        return await self._run(request, Job(sparql=sparql, accept=request.headers.get("accept"), formats=formats))

    async def named_query(self, request: Request) -> Response:
        """Run one named query with parameters from the URL (or a POSTed form); an IRI parameter takes an
        entity's name too."""
        name = request.path_params["name"]
        params = dict(request.query_params)
        if request.method == "POST":
            params.update(parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True))
        try:
            known = [param.name for param in queries.get(name).params]
        except NotFoundError as exc:
            return _text(404, one_line(exc))
        refused = unknown_parameters(params, [*known, *FORMAT_PARAMS], f"query {name!r}")
        if refused:
            return refused
        formats = tuple(v for v in (params.pop(key, None) for key in FORMAT_PARAMS) if v)
        try:
            sparql = await self.web.prepare(name, params)
        except queries.MissingParameters as exc:
            wanted = "&".join(f"{p.name}=..." for p in exc.params)
            return _text(400, f"query {exc.query.name!r} needs {', '.join(p.name for p in exc.params)}: add {wanted}")
        except ERRORS as exc:
            status, message = http_status(exc)
            if isinstance(exc, NotFoundError) and not ("named query" in str(exc) or "has no parameter" in str(exc)):
                status = 400  # an entity's name given for a parameter that names nothing: the value is wrong
            return _text(status, message)
        job = Job(sparql=sparql, accept=request.headers.get("accept"), formats=formats,
                  base_iri=self._endpoint_url(request))
        return await self._run(request, job)

    async def info(self, request: Request) -> Response:
        """The server's limits and the size of what it serves (the snapshot's counts, waited for if need be)."""
        try:
            generation, triples, _ = await self.pool.counts()
        except ERRORS as exc:
            return _text(*http_status(exc))
        return JSONResponse(
            {
                "endpoint": "/sparql",
                "timeout_s": self.config.timeout,
                "max_results": self.config.max_results,
                "allow_service": self.config.allow_service,
                "writable": self.config.writable,
                "workers": self.pool.size,
                "max_workers": self.pool.max_size,
                "running": self.pool.running,
                "max_body_bytes": MAX_BODY,
                "body_timeout_s": self.config.body_timeout,
                "triples": triples,
                "snapshot": generation,
                "cache_mb": self.config.cache_mb,
                "cached_answers": len(self.pool.cache),
                "result_formats": list(RESULT_FORMATS.values()),
            }
        )

    async def index(self, request: Request) -> Response:
        return FileResponse(WEB_DIR / "index.html", media_type="text/html; charset=utf-8")


def make_pool(config: ServerConfig) -> QueryPool:
    """The query pool that ``config`` asks for."""
    return QueryPool(
        config.store_dir,
        workers=config.workers,
        timeout=config.timeout,
        max_results=config.max_results,
        reload_interval=config.reload_interval,
        cache_bytes=int(config.cache_mb * (1 << 20)),
    )


def create_app(config: ServerConfig, pool: QueryPool | None = None) -> Starlette:
    """The ASGI application; starts the pool's workers when it starts."""
    pool = pool or make_pool(config)
    endpoint = Endpoint(config, pool)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await pool.start()
        try:
            yield
        finally:
            await pool.stop()

    routes = [
        Route("/", endpoint.index),
        Route("/sparql", endpoint.sparql, methods=["GET", "POST"]),
        Route("/update", endpoint.sparql, methods=["GET", "POST"]),
        Route("/data", endpoint.graph_store, methods=["GET"]),
        Route("/api/info", endpoint.info),
        Route("/api/queries", endpoint.web.catalogue),
        Route("/api/queries/{name}", endpoint.named_query, methods=["GET", "POST"]),
        Route("/api/table", endpoint.web.table, methods=["POST"]),
        Route("/api/download", endpoint.web.download),
        Route("/api/download/{name}", endpoint.web.download),
        Route("/api/entities", endpoint.web.entities),
        Route("/api/map", endpoint.web.map),
        Route("/api/compare", endpoint.web.compare),
        Route("/api/entity", endpoint.web.entity),
        Route("/api/neighbourhood", endpoint.web.neighbourhood),
        Route("/api/provenance", endpoint.web.provenance),
        Route("/api/summary", endpoint.web.summary),
        Mount("/static", app=StaticFiles(directory=WEB_DIR), name="static"),
    ]
    guard = Middleware(BodyLimit, limit=MAX_BODY, body_timeout=config.body_timeout)
    return Starlette(routes=routes, lifespan=lifespan, middleware=[CORS, guard])


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (or ``localhost``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port; raises InputError if that is impossible."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise InputError(f"cannot listen on {host}: {exc.strerror}") from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(1024)
    except OSError as exc:
        sock.close()
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.set_inheritable(True)
    return sock


def check_base_url(url: str) -> str:
    """``url`` without its trailing slash, if it is an absolute http(s) URL with no query or fragment;
    raises InputError if not."""
    parts = urlsplit(url)
    try:
        ox.NamedNode(url)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
    except ValueError:
        parts = parts._replace(scheme="")
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment or "#" in url:
        raise InputError(f"--base-url must be an absolute http:// or https:// URL without a query, not {url[:200]!r}")
    return url.rstrip("/")


def serve(config: ServerConfig, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve until interrupted. Store and address problems raise before serving starts.

    ``on_ready`` is called with the base URL once the store is open and the
    address is bound (with the actual port when ``config.port`` is 0).
    """
    import uvicorn

    if config.timeout <= 0:
        raise InputError("--timeout must be positive")
    if config.body_timeout <= 0:
        raise InputError("--body-timeout must be positive")
    if config.max_results is not None and config.max_results < 1:
        raise InputError("--max-results must be at least 1")
    if config.workers < 1:
        raise InputError("--workers must be at least 1")
    if config.cache_mb < 0:
        raise InputError("--cache-mb must not be negative")
    if config.writable and not is_loopback(config.host):
        raise InputError("--writable serves updates on a loopback address only (--host 127.0.0.1, ::1 or localhost)")
    if config.base_url is not None:
        config.base_url = check_base_url(config.base_url)
    pool = make_pool(config)
    try:
        pool.prepare()  # build/open the store now, so that its errors come out as one line
        sock = listen(config.host, config.port)
    except ClusterKGError:
        pool.remove_snapshots()
        raise
    host, port = sock.getsockname()[:2]
    config = replace(config, host=host, port=port)  # the address bound: the base URL unless --base-url gives one
    if on_ready:
        on_ready(replace(config, base_url=None).url())
    app = create_app(config, pool)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on",
                                           timeout_graceful_shutdown=SHUTDOWN_GRACE))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        pool.remove_snapshots()
