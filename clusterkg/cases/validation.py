"""Validating case entries (and any RDF) with SHACL.

``validate_files`` converts entry files (:mod:`clusterkg.cases.load`) and
validates them with pySHACL against the project's shapes (``shapes/``):

* the ontology's class hierarchy is taken into account by adding, once per
  validated graph, the ``rdf:type`` triples of every superclass (the
  closure is computed once from the knowledge base, not by inference on
  every call);
* entries are validated in bounded subgraphs: a chunk of cases, the types of
  the knowledge-base terms they point to, and the small part of the
  knowledge base that advice rules read (claims, excerpts, sections, stages,
  instruments);
* every result is mapped back to the file, line or row, field and value.

With ``shapes=`` any SHACL file is used instead, on the plain data (no
knowledge base, no closure, no chunks): a general SHACL validator, which
reads RDF in any syntax and whose verdict is SHACL's own (:func:`shapes_conform`).
"""

from __future__ import annotations

import functools
import gc
import logging
import multiprocessing
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from .. import shacl
from ..errors import InputError
from ..inputs import parse_rdf, rdf_format, read_text
from ..progress import ProgressStart
from ..rdfterms import to_rdflib
from ..resources import data_dir, ontology_files
from ..shacl import run_pyshacl
from . import load as loading
from . import places
from .issues import ValidationReport, add_problems, finish, merge
from .model import CKG, EntryFile, KnownTerms, Location
from .rdf_reader import first_lines
from .terms import Terms, load_vocabulary

#: Cases per bounded subgraph.
CHUNK_SIZE = 500


def shape_files() -> list[Path]:
    return sorted(data_dir("shapes").glob("*.ttl"))


def load_shapes(paths: Sequence[str | Path] | None = None) -> Graph:
    """The project's shapes, or the given SHACL files."""
    return shacl.load_shapes(paths or shape_files())


#: Classes whose individuals the advice rules read, with all their triples.
CONTEXT_CLASSES = ("Claim", "Excerpt", "Section", "LifeCycleStage", "PolicyInstrument")


class Validator:
    """Shapes, the class-hierarchy closure and the knowledge-base context, loaded once."""

    def __init__(self, kb: Graph | None = None, shapes: Graph | None = None) -> None:
        if kb is None:
            from ..kb import load_graph

            kb = load_graph(ontology_files())
        self.shapes = shapes if shapes is not None else load_shapes()
        self.superclasses = class_closure(kb)
        self.types: dict[Any, set[Any]] = {}
        for subject, cls in kb.subject_objects(RDF.type):
            if isinstance(subject, URIRef):
                self.types.setdefault(subject, set()).update(self.closed({cls}))
        self.labels: dict[Any, list[Any]] = {}
        for subject, label in kb.subject_objects(RDFS.label):
            if subject in self.types:
                self.labels.setdefault(subject, []).append(label)
        self.context = self._advice_context(kb)
        self.order = stage_ranks(kb)
        self.known = KnownTerms.from_graph(kb)
        self.closure_map = {str(c): {str(s) for s in supers} for c, supers in self.superclasses.items()}

    def closed(self, classes: Iterable[Any]) -> set[Any]:
        result: set[Any] = set()
        for cls in classes:
            result.add(cls)
            result |= self.superclasses.get(cls, set())
        return result

    def _advice_context(self, kb: Graph) -> list[tuple]:
        wanted = {URIRef(CKG[name]) for name in CONTEXT_CLASSES}
        subjects = {s for s, types in self.types.items() if types & wanted}
        triples = []
        for subject in subjects:
            for _, p, o in kb.triples((subject, None, None)):
                if p != RDF.type:
                    triples.append((subject, p, o))
            for cls in self.types[subject]:
                triples.append((subject, RDF.type, cls))
        return triples

    def subgraph(self, triples: Iterable[tuple], context: bool = True) -> Graph:
        """A bounded graph to validate: the triples, their type closure, and the advice context."""
        return _graph(self.subgraph_triples(triples, context))

    def subgraph_triples(self, triples: Iterable[tuple], context: bool = True) -> list[tuple]:
        """The triples of :meth:`subgraph`, each once, in the order the graph is given them."""
        found: dict[tuple, None] = dict.fromkeys(self.context) if context else {}
        add = found.setdefault
        seen: set[Any] = set()
        for s, p, o in triples:
            add((s, p, o))
            if p == RDF.type:
                for cls in self.superclasses.get(o, ()):
                    add((s, RDF.type, cls))
            elif isinstance(o, URIRef) and o not in seen:
                seen.add(o)
                for cls in self.types.get(o, ()):
                    add((o, RDF.type, cls))
                for label in self.labels.get(o, ()):
                    add((o, RDFS.label, label))
        return list(found)

    def load(self, paths: Iterable[str | Path], fmt: str | None = None, *, delimiter: str = ",",
             vocabularies: Sequence[str | Path] = ()) -> list[EntryFile]:
        """Convert files to entries, linking to the knowledge base's places, concepts and classes
        (and to the terms of the local vocabulary files)."""
        terms = Terms(self.known, load_vocabulary(list(vocabularies), self.known) if vocabularies else None)
        return loading.load_all(paths, fmt, self.known, self.closure_map, terms=terms, delimiter=delimiter)

    def register(self, files: Sequence[EntryFile]) -> None:
        """Make the types and labels of the codes and vocabulary terms the files name known to the shapes."""
        for entry_file in files:
            for concept, triples in entry_file.concepts.items():
                node = URIRef(concept)
                classes = {o for s, p, o in triples if s == node and p == RDF.type}
                if classes:
                    self.types[node] = self.closed(classes) | self.types.get(node, set())
                labels = [o for s, p, o in triples if s == node and p == RDFS.label]
                if labels:
                    self.labels.setdefault(node, labels)

    def validate(self, files: Sequence[EntryFile], progress_start: ProgressStart | None = None,
                 workers: int | None = None) -> ValidationReport:
        """Validate converted files chunk by chunk (in parallel when there are several), and map results back."""
        report = ValidationReport(files=len(files), cases=sum(len(f.entries) for f in files))
        self.register(files)
        chunks = list(_chunks(files, CHUNK_SIZE))
        progress = progress_start(len(chunks)) if progress_start and len(chunks) > 1 else None
        seen: set[tuple] = set()
        sample = next((entry.triples for entry_file in files for entry in entry_file.entries), [])
        for result in self._results(chunks, workers, sample):
            merge(report, result, files, seen)
            if progress:
                progress(1)
        add_problems(report, [problem for f in files for problem in f.problems])
        finish(report)
        return report

    def validate_chunk(self, chunk: Sequence[tuple]) -> Graph:
        """pySHACL's report for one bounded subgraph."""
        triples = self.subgraph_triples(chunk)
        return run_pyshacl(_graph(triples), self.shapes, triples=triples)[1]

    def _results(self, chunks: list[list[tuple]], workers: int | None, sample: Sequence[tuple] = ()) -> Iterator[Graph]:
        workers = min(workers or default_workers(), len(chunks))
        # What exists now (the entries, the knowledge base) lives to the end: frozen, the collector never
        # scans it (nor, in a forked worker, copies its pages); each chunk's own cyclic garbage (rdflib
        # graphs, pySHACL's shapes) is collected after the chunk, so memory holds one chunk at a time.
        gc.freeze()
        try:
            if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
                for chunk in chunks:
                    result = self.validate_chunk(chunk)
                    gc.collect(0)
                    yield result
                return
            # every entry is converted: the lookup tables (GeoNames, classifications) are not copied into workers
            release_lookup_tables()
            # What the first validation of a process builds (pySHACL's and rdflib's modules, the rules' parsed
            # SPARQL) is built here once, on the first case, and inherited: a worker validates one chunk and
            # exits, so that the pages it copies from this process (touching a chunk's terms copies their
            # pages) are freed with it, and memory holds the chunks being validated, not all those so far.
            self.validate_chunk(sample)
            gc.collect()  # its garbage (pyoxigraph's answers may only be dropped by the thread that made them)
            global _WORK
            _WORK = (self, chunks)  # inherited by the forked workers, not pickled
            try:
                with multiprocessing.get_context("fork").Pool(workers, maxtasksperchild=1) as pool:
                    for data in pool.imap(_validate_chunk_in_worker, range(len(chunks))):
                        yield Graph().parse(data=data, format="nt")
            finally:
                _WORK = None
        finally:
            gc.unfreeze()


_WORK: tuple[Validator, list[list[tuple]]] | None = None


def _graph(triples: Iterable[tuple]) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def release_lookup_tables() -> None:
    """Drop the place and classification tables the conversion read; the next conversion reads them again."""
    from ..linking import geonames, industries
    from . import terms

    geonames.release_tables()
    industries.release_tables()
    terms.release_tables()
    places.geonames_candidates.cache_clear()


WORKERS_ENV = "CLUSTERKG_WORKERS"


def default_workers() -> int:
    """Processes for validating chunks: $CLUSTERKG_WORKERS, else the CPUs this process may use."""
    try:
        return max(1, int(os.environ[WORKERS_ENV]))
    except (KeyError, ValueError):
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _validate_chunk_in_worker(index: int) -> str:
    validator, chunks = _WORK  # type: ignore[misc]
    return validator.validate_chunk(chunks[index]).serialize(format="nt")  # the worker then exits


def stage_ranks(graph: Graph) -> dict[Any, int]:
    """The life-cycle stages ranked for listing: by how many stages precede each (``ckg:precedesStage``), then by IRI.

    The paper orders no stages; the knowledge base reads only the initial stage as coming before the others.
    """
    stages = set(graph.subjects(RDF.type, CKG.LifeCycleStage))
    before = {stage: sum(1 for _ in graph.subjects(CKG.precedesStage, stage)) for stage in stages}
    return {stage: rank for rank, stage in enumerate(sorted(stages, key=lambda s: (before[s], str(s))))}


def class_closure(graph: Graph) -> dict[Any, set[Any]]:
    """Every named class and all its (transitive) named superclasses."""
    direct: dict[Any, set[Any]] = {}
    for sub, sup in graph.subject_objects(RDFS.subClassOf):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef) and sub != sup:
            direct.setdefault(sub, set()).add(sup)
    closure: dict[Any, set[Any]] = {}
    for cls in direct:
        result, todo = set(), list(direct[cls])
        while todo:
            sup = todo.pop()
            if sup not in result and sup != cls:
                result.add(sup)
                todo.extend(direct.get(sup, ()))
        closure[cls] = result
    return closure


def _chunks(files: Sequence[EntryFile], size: int) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    count = 0
    for entry_file in files:
        for entry in entry_file.entries:
            batch.extend(entry.triples)
            count += 1
            if count >= size:
                yield batch
                batch, count = [], 0
    loose = [t for f in files for t in f.loose]
    if batch or loose:
        yield batch + loose


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector during a large load or validation.

    Converting and validating creates millions of small objects that live until
    the end; the collector would scan them over and over (loading 10k YAML
    cases took twice as long with it). Reference counting still frees what
    is dropped; the collector runs once at the end.
    """
    enabled = gc.isenabled()
    gc.disable()
    # an ill-typed value (start_year: "nineteen") is reported by the shapes, not logged by rdflib
    term_logger = logging.getLogger("rdflib.term")
    level = term_logger.level
    term_logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        term_logger.setLevel(level)
        if enabled:
            gc.enable()


@functools.lru_cache(maxsize=1)
def default_validator() -> Validator:
    return Validator()


def validate_files(
    paths: Sequence[str | Path],
    *,
    shapes: Sequence[str | Path] | None = None,
    fmt: str | None = None,
    progress_start: ProgressStart | None = None,
    delimiter: str = ",",
    vocabularies: Sequence[str | Path] = (),
) -> tuple[ValidationReport, list[EntryFile]]:
    """Validate entry files; with ``shapes``, any RDF against any SHACL shapes.

    ``delimiter`` separates CSV fields; ``vocabularies`` are SKOS Turtle files of extra industries and
    instruments that entries may name. What only the store can tell (an id already stored) is checked by
    :func:`clusterkg.cases.rules.store_problems`, which ``clusterkg validate`` and ``add`` both run.
    """
    if not paths:
        raise InputError("no file to validate")
    with gc_paused():
        if shapes:
            return validate_with_shapes(paths, shapes, fmt=fmt, delimiter=delimiter)
        validator = default_validator()
        files = validator.load(paths, fmt, delimiter=delimiter, vocabularies=vocabularies)
        return validator.validate(files, progress_start), files


def validate_with_shapes(
    paths: Sequence[str | Path], shapes: Sequence[str | Path], *, fmt: str | None = None, delimiter: str = ","
) -> tuple[ValidationReport, list[EntryFile]]:
    """Plain SHACL: the union of the data files against the given shapes, nothing added."""
    for path in shapes:
        if not Path(path).is_file():
            raise InputError(f"{path}: no such shapes file")
    shapes_graph = load_shapes(shapes)
    files = [loading.load(p, fmt, delimiter=delimiter) if _is_table(Path(p), fmt) else _rdf_file(Path(p), fmt)
             for p in paths]
    data = Graph()
    for entry_file in files:
        graph = entry_file.graph()
        for prefix, namespace in entry_file.prefixes.items():  # as rdflib binds them when parsing
            data.bind(prefix, namespace, override=True, replace=True)
        for triple in graph:
            data.add(triple)
    _, result = run_pyshacl(data, shapes_graph)
    report = ValidationReport(files=len(files), cases=sum(len(f.entries) for f in files), plain=True)
    merge(report, result, files, set())
    finish(report)
    return report, files


def shapes_conform(report: ValidationReport, *, allow_warnings: bool = False, allow_infos: bool = False) -> bool:
    """SHACL's verdict on plain data (``sh:conforms``), with pySHACL's ``--allow-warnings``/``--allow-infos``.

    ``allow_warnings`` lets warnings and infos pass, ``allow_infos`` infos only; a violation never passes.
    """
    allowed = {"warning", "info"} if allow_warnings else {"info"} if allow_infos else set()
    return all(issue.severity in allowed for issue in report.issues)


def _is_table(path: Path, fmt: str | None) -> bool:
    """Whether a file given to plain SHACL is a YAML or CSV case file (anything else is read as RDF)."""
    if fmt:
        return fmt in {"yaml", "csv"}
    return path.suffix.lower() in {".yaml", ".yml", ".csv"}


def _rdf_file(path: Path, fmt: str | None) -> EntryFile:
    """Any RDF file (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD, by suffix or ``fmt``) as loose triples."""
    text = read_text(path)
    if not text.strip():
        raise InputError(f"{path}: the file is empty")
    syntax = _rdf_syntax(path, fmt)
    kind = {ox.RdfFormat.TURTLE: "ttl", ox.RdfFormat.JSON_LD: "jsonld"}.get(syntax, "")
    entry_file = EntryFile(str(path), kind or "ttl")
    triples = [(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
               for q in parse_rdf(path, syntax, text, prefixes=entry_file.prefixes)]
    lines = first_lines(text, kind) if kind else {}
    for triple in triples:
        entry_file.loose.append(triple)
        subject = triple[0]
        if (subject,) not in entry_file.loose_where:
            entry_file.loose_where[(subject,)] = Location(str(path), line=lines.get(str(subject)))
    return entry_file


def validate_graph(graph: Graph, validator: Validator | None = None) -> ValidationReport:
    """Validate a whole graph (for example the shipped knowledge base) with the project's shapes."""
    validator = validator or default_validator()
    _, result = run_pyshacl(validator.subgraph(graph, context=False), validator.shapes)
    report = ValidationReport()
    merge(report, result, [], set())
    finish(report)
    return report


def convert_files(paths: Sequence[str | Path], fmt: str = "ttl", input_format: str | None = None, *,
                  delimiter: str = ",", vocabularies: Sequence[str | Path] = ()) -> str:
    """The RDF that case files become (``clusterkg convert``), linked to the knowledge base's places, with the
    concepts (codes, vocabulary terms) they name."""
    files = default_validator().load(paths, input_format, delimiter=delimiter, vocabularies=vocabularies)
    return loading.serialize(files, fmt)


def _rdf_syntax(path: Path, fmt: str | None) -> ox.RdfFormat:
    """The RDF syntax of a data file for plain SHACL: ``--input-format`` (ttl, jsonld) or the suffix."""
    if fmt in ("ttl", "jsonld"):
        return ox.RdfFormat.TURTLE if fmt == "ttl" else ox.RdfFormat.JSON_LD
    return rdf_format(path)
