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
        if path.suffix.lower() in {".rdf", ".owl", ".xml", ".nq", ".trig"}:
            raise InputError(
                f"{path}: case files are YAML, CSV, Turtle (N-Triples too) or JSON-LD, whose lines the report can "
                "point to; write this file as Turtle first (clusterkg query -e 'CONSTRUCT WHERE { ?s ?p ?o }' "
                "--data FILE --format ttl), or check any RDF against shapes with 'validate --shapes'"
            ) from None
        raise InputError(
            f"{path}: cannot tell the format from the suffix {path.suffix or '(none)'!r}; "
            f"use .yaml, .csv, .ttl, .nt or .jsonld"
        ) from None


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
    if fmt == "yaml":
        return read_yaml(Converter(str(path), "yaml", known), text)
    if fmt == "csv":
        return read_csv(Converter(str(path), "csv", known), text)
    return read_rdf(path, fmt, text, closure)


def load_all(paths: Iterable[str | Path], fmt: str | None = None, known: KnownTerms | None = None,
             closure: dict[str, set[str]] | None = None) -> list[EntryFile]:
    """Read several files; an id used twice, in one file or across files, is an error."""
    files = [load(p, fmt, known, closure) for p in paths]
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
    if fmt == "jsonld":
        context = {prefix: iri for prefix, iri in PREFIXES.items()}
        return graph.serialize(format="json-ld", context=context, indent=2)
    return graph.serialize(format=RDF_FORMATS[fmt])
