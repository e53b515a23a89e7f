"""``clusterkg load``: push the knowledge base to a SPARQL endpoint."""

from __future__ import annotations

import click

from ..errors import InputError
from ..stores import StoreSettings
from ..stores.remote import DEFAULT_BATCH_SIZE, DEFAULT_TIMEOUT, TIMEOUT_ENV
from .output import progress


@click.command()
@click.option("--endpoint", "url", metavar="URL", help="The endpoint's SPARQL query URL (default: the global --endpoint).")
@click.option("--update-endpoint", "update_url", metavar="URL", help="Its SPARQL Update URL, if it differs from the query URL.")
@click.option("--batch-size", type=click.IntRange(min=1), default=DEFAULT_BATCH_SIZE, show_default=True,
              help="Triples per update request (a batch the server finds too big is split).")
@click.option("--timeout", type=click.IntRange(min=1),
              help=f"Seconds to wait for each request (default: ${TIMEOUT_ENV} or {DEFAULT_TIMEOUT}).")
@click.pass_obj
def load(settings: StoreSettings, url: str | None, update_url: str | None, batch_size: int, timeout: int | None) -> None:
    """Push the whole knowledge base to a SPARQL 1.1 endpoint.

    Every graph of the embedded store (the shipped knowledge base, added
    cases, links, inferences) becomes a named graph of the endpoint,
    replacing the graph of the same name; clusterkg graphs the store no longer
    has are dropped. Queries with --endpoint then see exactly those graphs.
    """
    from ..stores.copy import push_to_endpoint

    url = url or settings.endpoint
    update_url = update_url or settings.update_endpoint
    if not url:
        raise InputError("no endpoint: give --endpoint URL")
    with progress("Loading triples") as start:
        summary = push_to_endpoint(
            url, update_url, store_dir=settings.store_dir, batch_size=batch_size, timeout=timeout,
            progress_start=start,
        )
    click.echo(f"Loaded {summary.triples} triples in {len(summary.graphs)} graphs into {url}.")
    if summary.dropped:
        click.echo(f"Dropped {len(summary.dropped)} graphs the store no longer has: {', '.join(summary.dropped)}")
