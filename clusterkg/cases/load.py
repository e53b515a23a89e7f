"""Reading case files of any entry format, and the RDF they become."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..errors import InputError
from ..inputs import read_text
from ..namespaces import GEO, PREFIXES, SCHEMA, WDT
from .convert import Converter
from .csv_reader import read_csv
from .model import FORMATS, SUFFIXES, EntryFile, KnownTerms, Location, new_graph
from .rdf_reader import read_rdf
from .rules import check_file
from .terms import Terms
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


#: The most cases one command reads, all files together (the validation of 10,000 takes about half a minute).
MAX_CASES = 10_000


def _too_many(where: str | Path, count: str) -> InputError:
    return InputError(f"{where}: {count}, more than the {MAX_CASES:,} cases one command reads; split the file")


def load(path: str | Path, fmt: str | None = None, known: KnownTerms | None = None,
         closure: dict[str, set[str]] | None = None, *, terms: Terms | None = None,
         delimiter: str = ",") -> EntryFile:
    """Read one entry file and convert it to RDF, then apply the entry rules (:mod:`.rules`).

    ``known`` links places and organisations to the knowledge base's; ``closure``
    (class -> superclasses) lets Turtle and JSON-LD cases use any cluster subclass;
    ``terms`` resolves industries and instruments (with local vocabularies);
    ``delimiter`` is the CSV field separator.
    """
    path = Path(path)
    fmt = detect_format(path, fmt)
    text = read_text(path)
    if not text.strip():
        raise InputError(f"{path}: the file is empty")
    known = known or shipped_terms()
    terms = terms or Terms(known)
    if fmt == "csv" and text.count("\n") > MAX_CASES + 1:  # a row a line at least
        raise _too_many(path, f"{text.count(chr(10)):,} lines of rows")
    if fmt == "yaml":
        result = read_yaml(Converter(str(path), "yaml", known, terms), text)
    elif fmt == "csv":
        result = read_csv(Converter(str(path), "csv", known, terms), text, delimiter)
    else:
        result = read_rdf(path, fmt, text, closure)
    if len(result.entries) > MAX_CASES:
        raise _too_many(path, f"{len(result.entries):,} cases")
    if fmt not in ("yaml", "csv"):
        code_concepts(result, terms)
    check_file(result, known)
    return result


@functools.lru_cache(maxsize=1)
def shipped_terms() -> KnownTerms:
    """The knowledge base's terms, read from the ontology files once (what files are read against by default)."""
    from ..kb import load_graph
    from ..resources import ontology_files

    return KnownTerms.from_graph(load_graph(ontology_files()))


def code_concepts(entry_file: EntryFile, terms: Terms) -> None:
    """Classification codes and vocabulary terms an RDF entry names by IRI: their concept triples, or a problem."""
    from ..linking.industries import SCHEMES
    from .model import CKG, Problem
    from .terms import Unresolved

    schemes = {iri + "/": name for name, iri in SCHEMES.items()}
    for entry in entry_file.entries:
        for s, p, o in entry.triples:
            if p not in (CKG.hasIndustry, CKG.hasMainIndustry, CKG.appliesInstrument):
                continue
            iri = str(o)
            scheme = next((name for prefix, name in schemes.items() if iri.startswith(prefix)), None)
            try:
                if scheme is not None:
                    _, concepts = terms.resolve("industry", f"{scheme}:{iri.rsplit('/', 1)[-1]}")
                    entry_file.concepts.update(concepts)
                elif iri in terms.vocabulary.triples:
                    entry_file.concepts[iri] = terms.vocabulary.triples[iri]
            except Unresolved as exc:
                entry_file.problems.append(Problem(entry_file.locate(s, p, o), exc.message_en, exc.message_ko,
                                                   entity=entry.iri, field=str(p), value=iri))


def load_all(paths: Iterable[str | Path], fmt: str | None = None, known: KnownTerms | None = None,
             closure: dict[str, set[str]] | None = None, *, terms: Terms | None = None,
             delimiter: str = ",") -> list[EntryFile]:
    """Read several files; an id used twice, in one file or across files, is an error."""
    files = [load(p, fmt, known, closure, terms=terms, delimiter=delimiter) for p in paths]
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
    graph.bind("wdt", WDT)
    graph.bind("geo", GEO)
    for entry_file in files:
        for triple in entry_file.graph():
            graph.add(triple)
        for triples in entry_file.concepts.values():
            for triple in triples:
                graph.add(triple)
    try:
        if fmt == "jsonld":
            context = {prefix: iri for prefix, iri in PREFIXES.items()}
            return graph.serialize(format="json-ld", context=context, indent=2)
        return graph.serialize(format=RDF_FORMATS[fmt])
    except RecursionError:  # rdflib writes nested blank nodes by recursion
        raise InputError(f"blank nodes nest too deeply to be written as {fmt}: use --format nt") from None
