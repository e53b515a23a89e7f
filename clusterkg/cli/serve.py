"""``clusterkg serve``: the SPARQL endpoint and the web page."""

from __future__ import annotations

import os

import click

from ..errors import InputError
from ..stores import StoreSettings


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback exposes the knowledge base to the network.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
@click.option("--timeout", default=30.0, show_default=True, type=float, metavar="S",
              help="Stop a query after S seconds (HTTP 503).")
@click.option("--max-results", default=10000, show_default=True, type=click.IntRange(min=1), metavar="N",
              help="Refuse results of more than N rows or triples (HTTP 422).")
@click.option("--allow-service", is_flag=True,
              help="Allow SERVICE (federated queries to other endpoints); refused by default.")
@click.option("--workers", default=min(4, max(2, os.cpu_count() or 2)), show_default="2 to 4, by CPU count",
              type=click.IntRange(min=1),
              help="Worker processes that run queries in parallel; while queries run over a second, up to as many "
                   "more start, so that short ones are not kept waiting.")
@click.option("--reload-interval", default=2.0, show_default=True, type=float, metavar="S",
              help="Look for changes to the store every S seconds and serve them (0: never).")
@click.option("--cache-mb", default=64.0, show_default=True, type=float, metavar="MB",
              help="Keep recent answers in memory, up to MB megabytes (0: no cache). Exact: a new snapshot clears it.")
@click.option("--base-url", metavar="URL",
              help="The server's URL as clients reach it (behind a proxy): the service description and the base IRI "
                   "of queries use it. Default: http://HOST:PORT as bound.")
@click.option("--body-timeout", default=30.0, show_default=True, type=float, metavar="S",
              help="Give a client S seconds to send a request body; a body still arriving after that is cut off "
                   "(HTTP 408).")
@click.option("--writable", is_flag=True,
              help="Accept SPARQL Update on your own graphs, as 'clusterkg update' runs it (loopback addresses only).")
@click.pass_obj
def serve(settings: StoreSettings, host: str, port: int, timeout: float, max_results: int,
          allow_service: bool, workers: int, reload_interval: float, cache_mb: float, base_url: str | None,
          body_timeout: float, writable: bool) -> None:
    """Serve the store as a SPARQL 1.1 endpoint (/sparql) and a web page (/).

    Read-only unless --writable: SPARQL Update is refused (403). With
    --writable, updates (POST update= or application/sparql-update, at
    /sparql or /update) change your own graphs only, never the shipped
    knowledge base, each within --timeout seconds. The Graph Store Protocol's
    read side is served at /data?graph=IRI and /data?default. Each query
    runs in a worker process and is stopped after --timeout seconds. The
    workers answer from a snapshot of the store, so `clusterkg add` can run
    beside the server; its changes are served within --reload-interval seconds.

    \b
    Example:
      clusterkg serve --port 8000
      curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * { ?s ?p ?o } LIMIT 5' \\
           http://127.0.0.1:8000/sparql
    """
    if settings.endpoint:
        raise InputError("serve works on the embedded store; a remote endpoint (--endpoint) can be queried directly")
    from ..server.worker import start_worker_server

    start_worker_server()  # the workers' fork server imports the library while the rest of the server does
    from ..server.app import ServerConfig, is_loopback
    from ..server.app import serve as run_server

    config = ServerConfig(host=host, port=port, timeout=timeout, max_results=max_results,
                          allow_service=allow_service, workers=workers, store_dir=settings.store_dir,
                          reload_interval=reload_interval, cache_mb=cache_mb, writable=writable, base_url=base_url,
                          body_timeout=body_timeout)

    def ready(url: str) -> None:  # the address is bound: only now is anything exposed
        if not is_loopback(host):
            click.echo(f"Warning: listening on {host}: the endpoint is reachable from other machines.", err=True)
        click.echo(f"Serving {url}/ (SPARQL endpoint: {url}/sparql); Ctrl-C to stop.", err=True)

    run_server(config, on_ready=ready)
