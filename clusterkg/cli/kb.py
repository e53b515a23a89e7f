"""``clusterkg info`` and ``clusterkg export``."""

from __future__ import annotations

import json

import click

from .. import kb
from ..stores import StoreSettings, open_store
from .output import open_output


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.option("--lang", type=click.Choice(["en", "ko"]), default="en", show_default=True, help="Language of the titles.")
@click.pass_obj
def info(settings: StoreSettings, as_json: bool, lang: str) -> None:
    """Show what the knowledge base holds: clusters, claims (myths, findings, observations, conclusions),
    excerpts, the project's interpretations, triples, graphs and the source."""
    with open_store(settings) as store:
        summary = kb.info(store)
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    click.echo(kb.format_info(summary, lang), nl=False)


@click.command()
@click.option(
    "--format", "fmt", type=click.Choice(sorted(kb.EXPORT_FORMATS)), default="ttl", show_default=True,
    help="Serialisation; trig and nq keep the named graphs (cases, links, inferences) apart.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write to FILE instead of standard output.")
@click.pass_obj
def export(settings: StoreSettings, fmt: str, output: str | None) -> None:
    """Export the whole knowledge base, ontology included."""
    with open_store(settings) as store, open_output(output) as stream:
        kb.write_export(store, fmt, stream)
