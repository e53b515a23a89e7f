"""``clusterkg queries``, ``clusterkg query``, ``clusterkg compare`` and ``clusterkg myths``."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from .. import queries, tables
from ..errors import InputError
from ..inputs import base_for, read_text
from ..sparql.limits import MAX_QUERY_CHARS
from ..stores import Store, StoreSettings, open_store
from .output import open_output

LANGS = click.Choice(["en", "ko"])


@contextmanager
def _data_store(settings: StoreSettings, data: tuple[str, ...], graphs: tuple[str, ...],
                data_format: str | None) -> Iterator[Store]:
    """The store to query: RDF files given on the command line ('-': standard input), or the configured store."""
    if not data and not graphs:
        with open_store(settings) as store:
            yield store
        return
    if settings.endpoint:
        raise InputError("--data/--graph query local files; they cannot be combined with --endpoint")
    from ..stores.files import open_files, parse_graph_option

    stdin = sys.stdin.buffer.read() if "-" in data else None
    store = open_files(data, [parse_graph_option(item) for item in graphs], stdin=stdin, fmt=data_format)
    try:
        yield store
    finally:
        store.close()


def read_query(file: str) -> str:
    """The text of a query or update file ('-': standard input)."""
    if file == "-":
        try:
            data = sys.stdin.buffer.read(4 * MAX_QUERY_CHARS + 1)  # UTF-8 takes at most 4 bytes a character
        except OSError as exc:
            raise InputError(f"cannot read the query from standard input: {exc.strerror or exc}") from None
        if len(data) > 4 * MAX_QUERY_CHARS:
            raise InputError(f"the query on standard input is too long (at most {MAX_QUERY_CHARS:,} characters)")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(f"cannot read the query from standard input: not UTF-8 text (byte {exc.start})") from None
    try:
        return read_text(Path(file))
    except InputError as exc:
        raise InputError(f"cannot read the query file {exc}") from None


@click.command("queries")
@click.argument("name", required=False)
@click.option("--lang", type=LANGS, default="en", show_default=True, help="Language of the titles.")
@click.option("--json", "as_json", is_flag=True, help="Print the catalogue as JSON.")
def list_queries(name: str | None, lang: str, as_json: bool) -> None:
    """List the named queries with their titles and parameters, or show one in full.

    Run one with 'clusterkg query NAME --param NAME=VALUE'.
    """
    chosen = [queries.get(name)] if name else queries.catalogue()
    if as_json:
        items = [queries.query_json(q) for q in chosen]
        click.echo(json.dumps(items if not name else items[0], ensure_ascii=False, indent=2))
        return
    for number, query in enumerate(chosen):
        if number:
            click.echo()
        click.echo(f"{query.name}: {query.title_in(lang)}")
        if name:
            description = query.description.get(lang) or query.description.get("en")
            if description:
                click.echo(f"  {description}")
        for param in query.params:
            if param.required:
                status = "required"
            elif param.default is not None:
                status = f"default {param.default}"
            else:
                status = "optional"
            text = f" -- {param.description}" if param.description else ""
            kind = "name or iri" if param.type == "iri" else param.type  # an entity's name is taken for an IRI
            click.echo(f"  --param {param.name}=<{kind}>  ({status}){text}")
    if name:
        click.echo()
        click.echo(chosen[0].text.rstrip())


@click.command("query")
@click.argument("name", required=False)
@click.option("-f", "--file", "file", metavar="FILE.rq", help="Run the query in FILE ('-' for standard input).")
@click.option("-e", "--expr", "expression", metavar="SPARQL",
              help="Run this query text; the prefixes ckg:, cki:, rdf:, rdfs:, owl:, xsd:, skos:, prov:, ... are predeclared.")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind ?NAME to VALUE: an IRI when written <...>, else a literal; a named query's declared type applies.")
@click.option("--format", "fmt", type=click.Choice(tables.FORMATS), default="table", show_default=True,
              help="table for people; csv/tsv/json/xml (W3C result formats) for SELECT and ASK; "
                   "ttl/nt/jsonld/rdfxml for CONSTRUCT and DESCRIBE (json: JSON-LD, xml: RDF/XML there).")
@click.option("--lang", type=LANGS, default="en", show_default=True,
              help="Language of labels in the table, and of a named query's 'lang' parameter unless given.")
@click.option("--data", multiple=True, metavar="FILE",
              help="Query this RDF file (repeatable; '-' for standard input) as the default graph, instead of the store.")
@click.option("--graph", "graphs", multiple=True, metavar="IRI=FILE", help="Load FILE as the named graph IRI (repeatable).")
@click.option("--data-format", metavar="FORMAT",
              help="RDF syntax of the --data and --graph files (default: from the suffix; standard input: ttl).")
@click.option("--base", metavar="IRI",
              help="Base IRI against which relative IRIs in the query are resolved "
                   "(default: the query file's URI with -f, else the current directory's).")
@click.option("--width", type=click.IntRange(min=30), help="Width of the table (default: the terminal's).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write to FILE instead of standard output.")
@click.pass_obj
def query(
    settings: StoreSettings,
    name: str | None,
    file: str | None,
    expression: str | None,
    params: tuple[str, ...],
    fmt: str,
    lang: str,
    data: tuple[str, ...],
    graphs: tuple[str, ...],
    data_format: str | None,
    base: str | None,
    width: int | None,
    output: str | None,
) -> None:
    """Run a SPARQL query: a named one (see 'clusterkg queries'), -f FILE.rq or -e 'SPARQL'.

    The query command never changes the store: an update is refused (see
    'clusterkg update'). Without FROM the default graph is the union of all
    graphs of the store; with FROM (and FROM NAMED) the query sees exactly the
    graphs it names.

    \b
    Examples:
      clusterkg query myths-and-findings --lang ko
      clusterkg query clusters --param type=ckg:BioCluster --format csv
      clusterkg query -e 'SELECT ?c WHERE { ?c a ckg:MatureIndustrialCluster }'
      clusterkg query -f my.rq --data cases.ttl --format json
      clusterkg query -e 'SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/clusterkg/graph/kb/cases> { ?s ?p ?o }'
    """
    given = [x for x in (name, file, expression) if x is not None]
    if len(given) != 1:
        raise click.UsageError("give exactly one of: a query NAME, -f FILE.rq, -e 'SPARQL'")
    text = read_query(file) if file is not None else expression
    base_iri = base if base is not None else base_for(file)
    if expression is not None and not expression.isascii():
        try:
            expression.encode("utf-8")
        except UnicodeEncodeError as exc:  # bytes the terminal's encoding could not read
            raise InputError(f"the query given with -e is not UTF-8 text (character {exc.start + 1})") from None
    with _data_store(settings, data, graphs, data_format) as store:
        done = queries.execute(store, name=name, text=text, params=queries.parse_assignments(params), lang=lang,
                               base_iri=base_iri, inline=expression is not None)
        chunks = tables.write_chunks(store, done.answer, fmt, lang=lang, width=width, bound=done.bound,
                                     titles=done.titles)
        with open_output(output) as stream:  # a table is written a line at a time, as it is rendered
            for chunk in chunks:
                stream.write(chunk)


@click.command("compare")
@click.argument("first", metavar="A")
@click.argument("second", metavar="B")
@click.option("--lang", type=LANGS, default="en", show_default=True, help="Language of the table.")
@click.option("--width", type=click.IntRange(min=30), help="Width of the table (default: the terminal's).")
@click.pass_obj
def compare(settings: StoreSettings, first: str, second: str, lang: str, width: int | None) -> None:
    """Compare two clusters side by side on the dimensions of the paper's table (section 3.1).

    A and B are clusters named by label (Korean or English, e.g. 'Teheran Valley',
    '동대문'), by local name (bucheon) or by IRI (cki:cluster-bucheon). For the
    same answer in a machine format: 'clusterkg query compare --param a=... --param b=... --format csv'.
    """
    from .. import paper_views as views

    with open_store(settings) as store:
        comparison = views.compare(store, first, second, lang)
    click.echo(views.format_comparison(comparison, width, lang), nl=False)


@click.command("myths")
@click.option("--lang", type=LANGS, default="en", show_default=True, help="Language of labels and excerpts.")
@click.option("--width", type=click.IntRange(min=30), help="Width of the text (default: the terminal's).")
@click.pass_obj
def myths(settings: StoreSettings, lang: str, width: int | None) -> None:
    """The paper's myths about cluster formation (section 1), what the paper says of each (the stereotype
    pair of myth 1, the diagnosis of myth 2) and the findings that counter them."""
    from .. import paper_views as views

    with open_store(settings) as store:
        entries = views.myths(store, lang)
    click.echo(views.format_myths(entries, width, lang), nl=False)
