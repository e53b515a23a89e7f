"""``clusterkg reason``, ``clusterkg report`` and ``clusterkg docs``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import CheckFailed
from ..stores import StoreSettings, open_store


def _progress(message: str) -> None:
    click.echo(f"... {message}", err=True)


@click.command()
@click.option(
    "--reasoner", type=click.Choice(["auto", "hermit", "owlrl"]), default="auto", show_default=True,
    help="HermiT (OWL 2 DL, needs Java) or the OWL-RL rules; auto takes HermiT when Java is found.",
)
@click.option("--explain", is_flag=True, help="Name the stated axioms behind an inconsistency and behind each new fact.")
@click.option("--explain-limit", type=click.IntRange(min=0), default=10, show_default=True,
              help="Explain at most this many new facts (each takes a few seconds).")
@click.option("--write", is_flag=True, help="Store the entailed facts in the graph of inferences (replacing it).")
@click.option("--drop", "drop_graph", is_flag=True,
              help="With --write: remove the graph of inferences instead, and stop (nothing is reasoned).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="No progress messages on standard error.")
@click.pass_obj
def reason(settings: StoreSettings, reasoner: str, explain: bool, explain_limit: int, write: bool,
           drop_graph: bool, as_json: bool, quiet: bool) -> None:
    """Check the ontology and data (added cases included) for consistency, and show what follows.

    New facts are those that no sub-class or sub-property axiom alone gives:
    a case's cluster type, the life-cycle stage a finding concerns, places
    reached through ckg:locatedIn, ... With --write, every entailed fact is
    stored in its own named graph (https://w3id.org/clusterkg/graph/inferred),
    never among the stated ones; --write --drop removes that graph again.
    Exit code 1 when the whole is inconsistent or a class is unsatisfiable.
    """
    from ..reasoning import inferences as reasoning

    if drop_graph:
        if not write:
            raise click.UsageError("--drop goes with --write: 'clusterkg reason --write --drop'")
        with open_store(settings, writable=True) as store:
            dropped = reasoning.drop_inferences(store)
        click.echo("graph of inferences dropped" if dropped else "no graph of inferences to drop")
        return

    progress = None if quiet or as_json else _progress
    with open_store(settings, writable=write) as store:
        result = reasoning.reason(store, reasoner=reasoner, explain=explain, explain_limit=explain_limit,
                                  progress=progress)
        written = None
        if write and result.consistent:
            written = reasoning.write_inferences(store, result)
    if as_json:
        data = result.as_dict()
        data["written"] = written
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(reasoning.format_result(result, written))
    if not result.consistent:
        hint = "" if explain else " (run with --explain to see the axioms involved)"
        raise CheckFailed("the knowledge base is inconsistent" + hint)
    if result.unsatisfiable:
        raise CheckFailed(f"{len(result.unsatisfiable)} unsatisfiable class(es)")


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "tsv", "json"]), default="text", show_default=True,
              help="An aligned table, tab-separated values (as ROBOT), or JSON.")
@click.option("--fail-on", type=click.Choice(["error", "warn", "info", "none"]), default="error", show_default=True,
              help="Exit with status 1 when a problem of this severity or worse is found.")
@click.option("--source", type=click.Path(dir_okay=False, path_type=Path),
              help="The source text excerpts must be verbatim in (default: $CLUSTERKG_SOURCE_TEXT, "
                   "else ../shared/source/ beside a checkout; without it that check is skipped).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to FILE.")
@click.pass_obj
def report(settings: StoreSettings, fmt: str, fail_on: str, source: Path | None, output: str | None) -> None:
    """Check the ontology and data for quality problems, like ROBOT's report.

    Checks: missing labels, missing definitions, duplicate and multiple
    labels, undeclared IRIs, classes without instances, unused properties,
    claims without provenance, excerpts not verbatim in the source, findings
    that counter no myth. Each has a severity (error, warn, info); see the
    README for the table.
    """
    from .. import quality
    from .output import write_output

    if source is not None and not source.is_file():
        from ..errors import InputError

        raise InputError(f"no such source text: {source}")
    with open_store(settings) as store:
        found = quality.run_report(store, source=source)
    text = quality.format_report(found, fmt)
    write_output(text + "\n", output)
    if quality.failing(found, fail_on):
        counts = found.counts()
        raise CheckFailed(f"the report failed at level {fail_on}: {counts['error']} error(s), "
                          f"{counts['warn']} warning(s), {counts['info']} info")


@click.command()
@click.option("-o", "--output", "directory", type=click.Path(file_okay=False, path_type=Path),
              default=Path("clusterkg-docs"), show_default=True, help="Directory to write the HTML pages to.")
@click.option("-q", "--quiet", is_flag=True, help="No progress messages on standard error.")
def docs(directory: Path, quiet: bool) -> None:
    """Build the HTML documentation: the ontology (pyLODE), every named query, a tutorial."""
    from ..docs import build_docs

    built = build_docs(directory, progress=None if quiet else _progress)
    click.echo(f"wrote {len(built.pages)} pages to {built.directory}; open {built.directory / 'index.html'}")
