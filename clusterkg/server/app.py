"""``clusterkg serve``: a SPARQL 1.1 Protocol endpoint and a web page over the store.

Routes:

* ``/sparql`` -- the SPARQL 1.1 Protocol query operation (GET, POST form,
  POST ``application/sparql-query``), with content negotiation over the W3C
  result formats and RDF formats; ``format=`` overrides the Accept header.
  Updates are refused (403). Without a query it returns a service description.
* ``/api/queries`` and ``/api/queries/{name}`` -- the named-query catalogue,
  and one named query run with its parameters (same formats as ``/sparql``).
* ``/api/info`` -- the server's limits and the size of the knowledge base.
* ``/`` and ``/static/...`` -- the web page, with every file it needs.

Queries run in worker processes with a deadline (:mod:`.pool`);
the workers answer from a snapshot of the embedded store, so writers such as
``clusterkg add`` are never blocked, and the server picks their changes up.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import queries
from ..errors import ClusterKGError, InputError, NotFoundError, QueryError, one_line
from ..namespaces import SD
from ..sparql.protocol import READ_ONLY, RESULT_FORMATS, ProtocolError, check_query
from .pool import Job, QueryPool, QueryTimeout, ServerBusy

WEB_DIR = Path(__file__).resolve().parent / "static"
MAX_BODY = 1 << 20  # bytes of a POSTed query


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


#: Browser pages on other origins (a YASGUI page, a notebook) may query the endpoint: it is read-only.
CORS = {"Access-Control-Allow-Origin": "*"}


def _text(status: int, message: str) -> PlainTextResponse:
    return PlainTextResponse(message + "\n", status_code=status, headers=CORS)


class Endpoint:
    """The request handlers, sharing one query pool."""

    def __init__(self, config: ServerConfig, pool: QueryPool) -> None:
        self.config = config
        self.pool = pool

    async def _run(self, job: Job) -> Response:
        try:
            check_query(job.sparql, allow_service=self.config.allow_service)
            reply = await self.pool.run(job)
        except ProtocolError as exc:
            return _text(exc.status, exc.message)
        except (QueryTimeout, ServerBusy) as exc:
            return _text(503, str(exc))
        except ClusterKGError as exc:
            return _text(500, one_line(exc))
        headers = {"Vary": "Accept", **CORS}
        media = reply.media_type
        if reply.status == 200 and not media.startswith(("application/sparql-results", "application/ld+json")):
            media += "; charset=utf-8"
        return Response(reply.body, status_code=reply.status, media_type=media, headers=headers)

    async def sparql(self, request: Request) -> Response:
        """The SPARQL 1.1 Protocol query operation."""
        params = list(request.query_params.multi_items())
        if request.method == "POST":
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            body = await request.body()
            if len(body) > MAX_BODY:
                return _text(413, f"the request body is larger than {MAX_BODY} bytes")
            if content_type == "application/x-www-form-urlencoded":
                params += parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
            elif content_type == "application/sparql-query":
                params.append(("query", body.decode("utf-8", "replace")))
            elif content_type == "application/sparql-update":
                return _text(403, READ_ONLY)
            else:
                return _text(
                    415,
                    f"unsupported Content-Type {content_type or '(none)'!r}: POST a query as "
                    "application/x-www-form-urlencoded or application/sparql-query",
                )
        queries = [v for k, v in params if k == "query"]
        if any(k == "update" for k, _ in params):
            return _text(403, READ_ONLY)
        if not queries:
            return self._description(request)
        if len(queries) > 1:
            return _text(400, "more than one 'query' parameter")
        formats = [v for k, v in params if k in ("format", "output")]
        job = Job(
            sparql=queries[0],
            accept=request.headers.get("accept"),
            format=formats[-1] if formats else None,
            default_graphs=[v for k, v in params if k == "default-graph-uri"],
            named_graphs=[v for k, v in params if k == "named-graph-uri"],
        )
        return await self._run(job)

    def _description(self, request: Request) -> Response:
        """A SPARQL 1.1 Service Description of this endpoint, in Turtle."""
        url = str(request.url.replace(query=""))
        formats = ", ".join(
            f"<http://www.w3.org/ns/formats/{n}>"
            for n in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                      "Turtle", "N-Triples", "RDF_XML", "JSON-LD")
        )
        body = (
            f"@prefix sd: <{SD}> .\n\n<{url}> a sd:Service ;\n  sd:endpoint <{url}> ;\n"
            f"  sd:supportedLanguage sd:SPARQL11Query ;\n  sd:feature sd:UnionDefaultGraph ;\n"
            f"  sd:resultFormat {formats} .\n"
        )
        return Response(body, media_type="text/turtle; charset=utf-8", headers=CORS)

    async def preflight(self, request: Request) -> Response:
        """CORS preflight of a browser on another origin."""
        return Response(status_code=204, headers={
            **CORS,
            "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
            "Access-Control-Allow-Headers": request.headers.get("access-control-request-headers", "*"),
            "Access-Control-Max-Age": "600",
        })

    async def update(self, request: Request) -> Response:
        """Updates are never accepted."""
        return _text(403, READ_ONLY)

    async def queries(self, request: Request) -> Response:
        """The named-query catalogue as JSON."""
        return JSONResponse(queries.catalogue_json(), headers=CORS)

    async def named_query(self, request: Request) -> Response:
        """Run one named query with parameters from the URL (or a POSTed form)."""
        params = dict(request.query_params)
        if request.method == "POST":
            params.update(parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True))
        fmt = params.pop("format", None)
        try:
            sparql, bindings = queries.prepare(request.path_params["name"], params)
        except NotFoundError as exc:
            return _text(404, one_line(exc))
        except (InputError, QueryError) as exc:
            return _text(400, one_line(exc))
        job = Job(sparql=sparql, accept=request.headers.get("accept"), format=fmt, bindings=bindings)
        return await self._run(job)

    async def info(self, request: Request) -> Response:
        """The server's limits and the size of what it serves."""
        return JSONResponse(
            {
                "endpoint": "/sparql",
                "timeout_s": self.config.timeout,
                "max_results": self.config.max_results,
                "allow_service": self.config.allow_service,
                "workers": self.pool.size,
                "triples": self.pool.triples,
                "snapshot": self.pool.generation,
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
        Route("/sparql", endpoint.preflight, methods=["OPTIONS"]),
        Route("/update", endpoint.update, methods=["GET", "POST"]),
        Route("/api/info", endpoint.info),
        Route("/api/queries", endpoint.queries),
        Route("/api/queries/{name}", endpoint.named_query, methods=["GET", "POST"]),
        Mount("/static", app=StaticFiles(directory=WEB_DIR), name="static"),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


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


def serve(config: ServerConfig, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve until interrupted. Store and address problems raise before serving starts.

    ``on_ready`` is called with the base URL once the store is open and the
    address is bound (with the actual port when ``config.port`` is 0).
    """
    import uvicorn

    if config.timeout <= 0:
        raise InputError("--timeout must be positive")
    if config.max_results is not None and config.max_results < 1:
        raise InputError("--max-results must be at least 1")
    if config.workers < 1:
        raise InputError("--workers must be at least 1")
    if config.cache_mb < 0:
        raise InputError("--cache-mb must not be negative")
    pool = make_pool(config)
    try:
        pool.prepare()  # build/open the store now, so that its errors come out as one line
        sock = listen(config.host, config.port)
    except ClusterKGError:
        pool.remove_snapshots()
        raise
    if on_ready:
        host, port = sock.getsockname()[:2]
        on_ready(f"http://{f'[{host}]' if ':' in host else host}:{port}")
    app = create_app(config, pool)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on"))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        pool.remove_snapshots()
