"""Reading case files of any entry format, and the RDF they become."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from ..errors import InputError
from ..inputs import read_text
from ..namespaces import PREFIXES, SCHEMA
from .convert import Converter
from .csv_reader import read_csv
from .model import FORMATS, SUFFIXES, EntryFile, KnownTerms, Location, new_graph
from .rdf_reader import read_rdf
from .yaml_reader import read_yaml


def detect_format(path: Path, fmt: str | None = None) -> str:
    """The entry format of a file, from ``fmt`` or its suffix."""
    if fmt:
        if fmt not in FORMATS:
            raise InputError(f"unknown entry format {fmt!r}; choose one of {', '.join(FORMATS)}")
        return fmt
    try:
        return SUFFIXES[path.suffix.lower()]
    except KeyError:
        raise InputError(
            f"{path}: cannot tell the format from the suffix {path.suffix or '(none)'!r}; "
            f"use .yaml, .csv, .ttl or .jsonld"
        ) from None


#: The most cases one command reads, all files together (the validation of 10,000 takes about half a minute).
MAX_CASES = 10_000


def _too_many(where: str | Path, count: str) -> InputError:
    return InputError(f"{where}: {count}, more than the {MAX_CASES:,} cases one command reads; split the file")


def load(path: str | Path, fmt: str | None = None, known: KnownTerms | None = None,
         closure: dict[str, set[str]] | None = None) -> EntryFile:
    """Read one entry file and convert it to RDF.

    ``known`` links places and organisations to the knowledge base's; ``closure``
    (class -> superclasses) lets Turtle and JSON-LD cases use any cluster subclass.
    """
    path = Path(path)
    fmt = detect_format(path, fmt)
    text = read_text(path)
    if not text.strip():
        raise InputError(f"{path}: the file is empty")
    known = known or KnownTerms()
    if fmt == "csv" and text.count("\n") > MAX_CASES + 1:  # a row a line at least
        raise _too_many(path, f"{text.count(chr(10)):,} lines of rows")
    if fmt == "yaml":
        entry_file = read_yaml(Converter(str(path), "yaml", known), text)
    elif fmt == "csv":
        entry_file = read_csv(Converter(str(path), "csv", known), text)
    else:
        entry_file = read_rdf(path, fmt, text, closure)
    if len(entry_file.entries) > MAX_CASES:
        raise _too_many(path, f"{len(entry_file.entries):,} cases")
    return entry_file


def load_all(paths: Iterable[str | Path], fmt: str | None = None, known: KnownTerms | None = None,
             closure: dict[str, set[str]] | None = None) -> list[EntryFile]:
    """Read several files; an id used twice, in one file or across files, is an error."""
    files = [load(p, fmt, known, closure) for p in paths]
    total = sum(len(entry_file.entries) for entry_file in files)
    if total > MAX_CASES:
        raise _too_many(f"{len(files)} files", f"{total:,} cases")
    seen: dict[str, Location] = {}
    for entry_file in files:
        for entry in entry_file.entries:
            if entry.iri in seen:
                raise InputError(f"{entry.location}: the case <{entry.iri}> is already given at {seen[entry.iri]}")
            seen[entry.iri] = entry.location
    return files


RDF_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}


def serialize(files: Sequence[EntryFile], fmt: str = "ttl") -> str:
    """The RDF that converted files become."""
    if fmt not in RDF_FORMATS:
        raise InputError(f"unknown RDF format {fmt!r}; choose one of {', '.join(RDF_FORMATS)}")
    graph = new_graph()
    graph.bind("schema", SCHEMA)
    for entry_file in files:
        for triple in entry_file.graph():
            graph.add(triple)
    try:
        if fmt == "jsonld":
            context = {prefix: iri for prefix, iri in PREFIXES.items()}
            return graph.serialize(format="json-ld", context=context, indent=2)
        return graph.serialize(format=RDF_FORMATS[fmt])
    except RecursionError:  # rdflib writes nested blank nodes by recursion
        raise InputError(f"blank nodes nest too deeply to be written as {fmt}: use --format nt") from None
