"""``clusterkg load``, ``graphs``, ``drop``, ``update`` and ``push``: the user's own data, and copying the store."""

from __future__ import annotations

import json
import sys

import click

from ..errors import InputError
from ..inputs import base_for
from ..namespaces import USER_DEFAULT_GRAPH, USER_GRAPH
from ..stores import StoreSettings, open_store
from ..stores.remote import DEFAULT_BATCH_SIZE, DEFAULT_TIMEOUT, TIMEOUT_ENV
from .output import echo_table, progress

batch_option = click.option(
    "--batch-size", type=click.IntRange(min=1), default=DEFAULT_BATCH_SIZE, show_default=True,
    help="At an endpoint: triples per update request (a batch the server finds too big is split).")
timeout_option = click.option(
    "--timeout", type=click.IntRange(min=1),
    help=f"At an endpoint: seconds to wait for each request (default: ${TIMEOUT_ENV} or {DEFAULT_TIMEOUT}).")


@click.command()
@click.argument("files", nargs=-1, metavar="FILE...")
@click.option("--graph", metavar="IRI",
              help=f"Load into this graph: an IRI, or a short name for {USER_GRAPH}NAME "
                   f"(default: each file into {USER_GRAPH}FILENAME).")
@click.option("--format", "fmt", metavar="FORMAT",
              help="The files' RDF syntax: ttl, nt, nq, trig, rdfxml, jsonld (default: from the suffix; "
                   "standard input: ttl).")
@click.option("--replace", is_flag=True, help="Empty the graphs loaded into first (default: add to them).")
@batch_option
@timeout_option
@click.pass_obj
def load(settings: StoreSettings, files: tuple[str, ...], graph: str | None, fmt: str | None, replace: bool,
         batch_size: int, timeout: int | None) -> None:
    """Load RDF files (any syntax; '-' for standard input) into graphs of your own in the store.

    Every file is read first (a syntax error names the file, line and column,
    and nothing is written), then all go into the store in one transaction
    (at an endpoint, one update request per batch). The shipped knowledge base
    and clusterkg's other graphs are never written. Works on the embedded store
    and, with --endpoint, on an endpoint.

    \b
    Examples:
      clusterkg load regions.ttl firms.nq
      clusterkg load --graph http://example.org/firms firms.ttl
      curl -s https://example.org/data.nt | clusterkg load - --format nt --graph imported
    """
    if not files:
        if settings.endpoint:  # the former meaning of 'load': copy the store to an endpoint
            click.echo("Note: 'clusterkg load' without files, copying the store to an endpoint, is now "
                       "'clusterkg push'; this form goes away in the next release.", err=True)
            _push(settings, batch_size, timeout)
            return
        raise click.UsageError("give the RDF files to load (FILE..., '-' for standard input); "
                               "to copy the store to an endpoint use 'clusterkg push --endpoint URL'")
    from ..stores.userdata import load_files

    stdin = sys.stdin.buffer.read() if "-" in files else None
    with open_store(settings, writable=True, timeout=timeout, batch_size=batch_size) as store, \
            progress("Reading") as reading, progress("Writing") as writing:
        summary = load_files(store, files, graph=graph, fmt=fmt, replace=replace, stdin=stdin,
                             reading=reading, writing=writing)
    verb = "Replaced" if replace else "Loaded"
    click.echo(f"{verb} {summary.triples} triples from {summary.files} file(s):")
    echo_table(["graph", "triples"], [[f"<{name}>", str(count)] for name, count in summary.graphs.items()])


@click.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="An aligned table, or JSON: [{graph, triples, origin}].")
@click.pass_obj
def graphs(settings: StoreSettings, fmt: str) -> None:
    """List the graphs of the store with their number of triples and where they come from.

    'shipped' graphs are the knowledge base of ontology/; 'case', 'links',
    'identifiers', 'enrichment' and 'inferences' are written by clusterkg's
    commands; 'yours' are the graphs you loaded or updated.
    """
    from ..stores.userdata import graph_sizes, origin

    with open_store(settings) as store:
        sizes = graph_sizes(store)
    rows = [{"graph": name, "triples": count, "origin": origin(name)} for name, count in sorted(sizes.items())]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    echo_table(["graph", "triples", "origin"], [[f"<{r['graph']}>", str(r["triples"]), str(r["origin"])] for r in rows])
    click.echo(f"{len(rows)} graph(s), {sum(sizes.values())} triples")


@click.command()
@click.argument("names", nargs=-1, required=True, metavar="GRAPH...")
@click.pass_obj
def drop(settings: StoreSettings, names: tuple[str, ...]) -> None:
    """Drop graphs of your own (an IRI, or a short name under .../graph/user/), all or none.

    clusterkg's own graphs are refused: take out a case with 'clusterkg remove',
    the inferences with 'clusterkg reason --write --drop', enrichment with
    'clusterkg enrich --drop', identifiers with 'clusterkg codes --drop'.
    """
    from ..stores.userdata import drop_graphs

    with open_store(settings, writable=True) as store:
        dropped = drop_graphs(store, names)
    for iri in dropped:
        click.echo(f"dropped  <{iri}>")


@click.command()
@click.option("-e", "--expr", "expression", metavar="UPDATE",
              help="Run this update text; the prefixes ckg:, cki:, rdf:, rdfs:, owl:, xsd:, skos:, ... are predeclared.")
@click.option("-f", "--file", "file", metavar="FILE.ru", help="Run the update in FILE ('-' for standard input).")
@click.option("--base", metavar="IRI",
              help="Base IRI for relative IRIs (default: the file's URI with -f, else the current directory's).")
@click.pass_obj
def update(settings: StoreSettings, expression: str | None, file: str | None, base: str | None) -> None:
    """Run a SPARQL 1.1 Update on your own graphs, in one transaction (at an endpoint: one request).

    \b
    The update's default graph is your default graph,
      https://w3id.org/clusterkg/graph/user/default
    and DEFAULT, NAMED and ALL mean your graphs. Its WHERE clause reads your
    default graph (and your named graphs with GRAPH); to read the knowledge
    base, name its graphs with USING (or USING NAMED and GRAPH), e.g.
      USING <https://w3id.org/clusterkg/graph/kb/cases>
    An update that would change one of clusterkg's own graphs is refused and
    nothing is applied. 'clusterkg query' never runs updates.

    \b
    Example:
      clusterkg update -e 'INSERT DATA { <http://example.org/a> rdfs:label "A"@en }'
    """
    from ..stores.userdata import run_update
    from .query import read_query

    if (expression is None) == (file is None):
        raise click.UsageError("give exactly one of -e 'UPDATE' or -f FILE.ru")
    text = read_query(file) if file is not None else expression
    assert text is not None
    base_iri = base if base is not None else base_for(file)
    with open_store(settings, writable=True) as store:
        summary = run_update(store, text, base_iri=base_iri, inline=expression is not None)
    if not summary.changes:
        click.echo("Update applied; the sizes of your graphs are unchanged.")
        return
    click.echo("Update applied:")
    rows = [[f"<{g}>" + (" (default)" if g == USER_DEFAULT_GRAPH else ""), str(a), str(b), f"{b - a:+d}"]
            for g, (a, b) in summary.changes.items()]
    echo_table(["graph", "before", "after", "change"], rows)


@click.command()
@batch_option
@timeout_option
@click.pass_obj
def push(settings: StoreSettings, batch_size: int, timeout: int | None) -> None:
    """Copy the whole embedded store to a SPARQL 1.1 endpoint (--endpoint URL, --update-endpoint URL).

    Every graph of the embedded store (the shipped knowledge base, added
    cases, links, inferences, your own graphs) becomes a named graph of the
    endpoint, replacing the graph of the same name; graphs under
    https://w3id.org/clusterkg/graph/ that the store no longer has are dropped.
    Queries with --endpoint then see the same data.
    """
    if not settings.endpoint:
        raise InputError("no endpoint to push to: give --endpoint URL (and --update-endpoint URL if it differs)")
    _push(settings, batch_size, timeout)


def _push(settings: StoreSettings, batch_size: int, timeout: int | None) -> None:
    from ..stores.copy import push_to_endpoint

    assert settings.endpoint is not None
    with progress("Pushing triples") as start:
        summary = push_to_endpoint(settings.endpoint, settings.update_endpoint, store_dir=settings.store_dir,
                                   batch_size=batch_size, timeout=timeout, progress_start=start)
    click.echo(f"Pushed {summary.triples} triples in {len(summary.graphs)} graphs to {settings.endpoint}.")
    if summary.dropped:
        click.echo(f"Dropped {len(summary.dropped)} graphs the store no longer has: {', '.join(summary.dropped)}")
