"""``clusterkg new-case``, ``convert``, ``validate``, ``add`` and ``remove``: your own cases."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import CheckFailed
from ..stores import StoreSettings, open_store
from .output import progress, write_output

ENTRY_FORMATS = ["yaml", "csv", "ttl", "jsonld"]

input_format = click.option(
    "--input-format", type=click.Choice(ENTRY_FORMATS), default=None,
    help="Format of the input files (default: from the suffix: .yaml/.yml, .csv, .ttl, .jsonld/.json).",
)
files_argument = click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))


def _delimiter(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    return "\t" if value in ("\\t", "tab", "TAB") else value


delimiter_option = click.option(
    "--delimiter", default=",", show_default=True, callback=_delimiter,
    help="Field separator of CSV case files (RFC 4180 otherwise): ',' or ';' or 'tab'.",
)
vocabulary_option = click.option(
    "--vocabulary", "vocabularies", multiple=True, type=click.Path(path_type=Path),
    help="A SKOS Turtle file of extra industries or policy instruments that the cases may name (repeatable).",
)


@click.command("new-case")
@click.option("--format", "fmt", type=click.Choice(["yaml", "csv"]), default="yaml", show_default=True,
              help="Template format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of standard output.")
def new_case(fmt: str, output: str | None) -> None:
    """Print a commented template for a new cluster case.

    Fill it in, check it with `clusterkg validate FILE`, then `clusterkg add FILE`.
    The allowed industries, stages and instruments come from the ontology.
    """
    from ..cases.templates import known_concepts, template

    write_output(template(fmt, known_concepts()), output)


@click.command()
@files_argument
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "jsonld"]), default="ttl", show_default=True,
              help="RDF serialisation to print.")
@input_format
@delimiter_option
@vocabulary_option
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of standard output.")
def convert(files: tuple[Path, ...], fmt: str, input_format: str | None, delimiter: str,
            vocabularies: tuple[Path, ...], output: str | None) -> None:
    """Show the RDF that case files (YAML, CSV, Turtle, JSON-LD) become, with the codes they name."""
    from ..cases.validation import convert_files

    write_output(convert_files(files, fmt, input_format, delimiter=delimiter, vocabularies=vocabularies), output)


@click.command()
@files_argument
@click.option("--format", "fmt", type=click.Choice(["text", "json", "ttl"]), default="text", show_default=True,
              help="Report format: text for people, json, or ttl (a standard sh:ValidationReport).")
@click.option("--shapes", "shapes", multiple=True, type=click.Path(path_type=Path),
              help="Validate any RDF (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD) against this SHACL "
                   "file instead of the project's shapes (repeatable): plain SHACL, nothing else mixed in.")
@click.option("--allow-warnings", is_flag=True,
              help="With --shapes: warnings and infos do not fail the validation (as pySHACL's option).")
@click.option("--allow-infos", is_flag=True,
              help="With --shapes: infos do not fail the validation (as pySHACL's option).")
@input_format
@delimiter_option
@vocabulary_option
@click.option("--replace", is_flag=True, help="Check as `add --replace` would: cases already stored may be replaced.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to FILE.")
@click.pass_obj
def validate(settings: StoreSettings, files: tuple[Path, ...], fmt: str, shapes: tuple[Path, ...], allow_warnings: bool,
             allow_infos: bool, input_format: str | None, delimiter: str, vocabularies: tuple[Path, ...], replace: bool,
             output: str | None) -> None:
    """Check case files against the shapes and the store and print what to fix; or any RDF against any shapes (--shapes).

    
    Case files: each result gives the file, line (YAML, Turtle, JSON-LD) or
    row (CSV), the case, the field, the value and a message in English and
    Korean. Everything `add` would refuse is reported (an id already stored,
    a triple about a shipped entity), so exit 0 means `add` takes the files.
    Exit 0 when there is no violation: warnings and infos are the paper's
    advice and never fail a case. Exit 1 with violations.
    --shapes: plain SHACL, as pySHACL: exit 0 when the report's sh:conforms
    is true, 1 when it is false (a result of any severity), unless
    --allow-warnings (warnings and infos pass) or --allow-infos (infos pass).
    Exit 2 when a file cannot be used (missing, unparsable, unknown field).
    """
    from ..cases.issues import add_problems, render
    from ..cases.rules import store_problems
    from ..cases.validation import shapes_conform, validate_files

    if (allow_warnings or allow_infos) and not shapes:
        raise click.UsageError("--allow-warnings and --allow-infos apply to --shapes; "
                               "warnings never fail the validation of case files")
    with progress("Validating (chunks)") as start:
        report, converted = validate_files(files, shapes=shapes or None, fmt=input_format, progress_start=start,
                                           delimiter=delimiter, vocabularies=vocabularies)
    if not shapes:
        with open_store(settings) as store:
            add_problems(report, store_problems(store, converted, replace=replace))
    write_output(render(report, fmt), output)
    if shapes:
        if not shapes_conform(report, allow_warnings=allow_warnings, allow_infos=allow_infos):
            counts = f"{report.violations} violation(s), {report.count('warning')} warning(s), {report.count('info')} info(s)"
            hint = "" if report.violations else " (--allow-warnings or --allow-infos to let them pass)"
            raise CheckFailed(f"the data does not conform to the shapes: {counts}{hint}")
    elif not report.ok:
        raise CheckFailed(f"{report.violations} violation(s) in {len(files)} file(s)")


@click.command()
@files_argument
@click.option("--replace", is_flag=True, help="Replace cases that are already in the store.")
@input_format
@delimiter_option
@vocabulary_option
@click.pass_obj
def add(settings: StoreSettings, files: tuple[Path, ...], replace: bool, input_format: str | None, delimiter: str,
        vocabularies: tuple[Path, ...]) -> None:
    """Validate case files, then add their cases to the store, all or none.

    Each case goes into a named graph of its own. A case already in the store
    is refused unless --replace. Warnings are printed but do not block.
    """
    from ..cases import add as cases
    from ..cases.issues import render
    from ..cases.validation import validate_files

    with progress("Validating (chunks)") as start:
        report, converted = validate_files(files, fmt=input_format, progress_start=start, delimiter=delimiter,
                                           vocabularies=vocabularies)
    if report.issues:
        click.echo(render(report, "text"), err=True, nl=False)
    with open_store(settings, writable=True) as store:
        result = cases.add(store, converted, report, replace=replace)
    for iri in result.added:
        click.echo(f"added    {iri}")
    for iri in result.replaced:
        click.echo(f"replaced {iri}")
    click.echo(f"{len(result.added) + len(result.replaced)} case(s), {result.triples} triples")


@click.command()
@click.argument("case")
@click.pass_obj
def remove(settings: StoreSettings, case: str) -> None:
    """Take an added case out of the store, with all its triples.

    CASE is the case's IRI, CURIE (cki:cluster-...), id or name.
    """
    from ..cases import add as cases

    with open_store(settings, writable=True) as store:
        iri = cases.remove(store, case)
    click.echo(f"removed  {iri}")
