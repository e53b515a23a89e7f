"""Validating case entries (and any RDF) with SHACL.

``validate_files`` converts entry files (:mod:`clusterkg.entries`) and
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
knowledge base, no closure, no chunks): a general SHACL validator.
"""

from __future__ import annotations

import functools
import gc
import json
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from . import entries as entries_mod
from . import shacl
from .shacl import SH, run_pyshacl
from .entries import CKG, EntryFile, KnownTerms, Location, new_graph
from .errors import InputError
from .namespaces import PREFIXES
from .resources import data_dir, ontology_files

SEVERITIES = {SH + "Violation": "violation", SH + "Warning": "warning", SH + "Info": "info"}
FORMATS = ("text", "json", "ttl")
#: Shapes that report a missing value -> the entry field to fill in.
MISSING_FIELDS = {
    "https://w3id.org/clusterkg/shapes#" + shape: name
    for shape, name in {
        "NameKo": "name_ko", "NameEn": "name_en", "CountryRequired": "country",
        "HasSource": "source", "CitationText": "source.citation", "GovernmentSupportAdvice": "instruments",
    }.items()
}
#: Cases per bounded subgraph.
CHUNK_SIZE = 500

Progress = Callable[[int, int], None]


@dataclass
class Issue:
    """One validation result, in words a person can act on."""

    severity: str  # violation | warning | info
    message_en: str
    message_ko: str
    file: str | None = None
    line: int | None = None
    row: int | None = None
    entity: str | None = None  # the focus node (IRI, or _:id for a blank node)
    field: str | None = None  # the entry field, or the property as a CURIE
    value: str | None = None
    path: str | None = None
    component: str | None = None
    shape: str | None = None

    def where(self) -> str:
        if not self.file:
            return "(data)"
        if self.line:
            return f"{self.file}:{self.line}"
        if self.row:
            return f"{self.file}: row {self.row}"
        return self.file


@dataclass
class Report:
    """The outcome of a validation: issues, and the standard sh:ValidationReport graph."""

    issues: list[Issue] = field(default_factory=list)
    graph: Graph = field(default_factory=new_graph)
    cases: int = 0
    files: int = 0
    top_results: list[Any] = field(default_factory=list, repr=False)

    def count(self, severity: str) -> int:
        return sum(1 for issue in self.issues if issue.severity == severity)

    @property
    def violations(self) -> int:
        return self.count("violation")

    @property
    def ok(self) -> bool:
        """No violations (warnings and infos allowed): exit code 0."""
        return self.violations == 0

    @property
    def conforms(self) -> bool:
        """SHACL's own verdict: no result of any severity."""
        return not self.issues


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
            from .kb import load_graph

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
        self.order = {s: int(o) for s, o in kb.subject_objects(CKG.stageOrder)}
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
        graph = Graph()
        for triple in self.context if context else ():
            graph.add(triple)
        seen: set[Any] = set()
        for s, p, o in triples:
            graph.add((s, p, o))
            if p == RDF.type:
                for cls in self.superclasses.get(o, ()):
                    graph.add((s, RDF.type, cls))
            elif isinstance(o, URIRef) and o not in seen:
                seen.add(o)
                for cls in self.types.get(o, ()):
                    graph.add((o, RDF.type, cls))
                for label in self.labels.get(o, ()):
                    graph.add((o, RDFS.label, label))
        return graph

    def load(self, paths: Iterable[str | Path], fmt: str | None = None) -> list[EntryFile]:
        """Convert files to entries, linking to the knowledge base's places and classes."""
        return entries_mod.load_all(paths, fmt, self.known, self.closure_map)

    def validate(self, files: Sequence[EntryFile], progress: Progress | None = None,
                 workers: int | None = None) -> Report:
        """Validate converted files chunk by chunk (in parallel when there are several), and map results back."""
        report = Report(files=len(files), cases=sum(len(f.entries) for f in files))
        chunks = list(_chunks(files, CHUNK_SIZE))
        seen: set[tuple] = set()
        for done, result in enumerate(self._results(chunks, workers), start=1):
            _merge(report, result, files, seen)
            if progress:
                progress(done, len(chunks))
        _finish(report)
        return report

    def validate_chunk(self, chunk: list[tuple]) -> Graph:
        """pySHACL's report for one bounded subgraph."""
        return run_pyshacl(self.subgraph(chunk), self.shapes)[1]

    def _results(self, chunks: list[list[tuple]], workers: int | None) -> Iterator[Graph]:
        workers = min(workers or default_workers(), len(chunks))
        if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
            for chunk in chunks:
                yield self.validate_chunk(chunk)
            return
        global _WORK
        _WORK = (self, chunks)  # inherited by the forked workers, not pickled
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for data in pool.imap(_validate_chunk_in_worker, range(len(chunks))):
                    yield Graph().parse(data=data, format="nt")
        finally:
            _WORK = None


_WORK: tuple[Validator, list[list[tuple]]] | None = None
WORKERS_ENV = "CLUSTERKG_WORKERS"


def default_workers() -> int:
    """Processes for validating chunks: $CLUSTERKG_WORKERS, else the CPUs this process may use."""
    try:
        return max(1, int(os.environ[WORKERS_ENV]))
    except (KeyError, ValueError):
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _validate_chunk_in_worker(index: int) -> str:
    validator, chunks = _WORK  # type: ignore[misc]
    return validator.validate_chunk(chunks[index]).serialize(format="nt")


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


# --------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------


REPORT_PREFIXES = {**PREFIXES, "sh": SH, "ckgsh": "https://w3id.org/clusterkg/shapes#"}


def _curie(term: Any) -> str:
    text = str(term)
    for prefix, iri in sorted(REPORT_PREFIXES.items(), key=lambda item: -len(item[1])):
        local = text[len(iri):]
        if text.startswith(iri) and local and all(c.isalnum() or c in "-_./" for c in local):
            return f"{prefix}:{text[len(iri):]}"
    if isinstance(term, BNode):
        return f"_:{text}"
    return f"<{text}>" if isinstance(term, URIRef) else text


def _show(term: Any) -> str | None:
    if term is None:
        return None
    if isinstance(term, Literal):
        return str(term)
    return _curie(term)


def _language(message: Literal) -> str | None:
    """A message's language; pySHACL drops the tag of templated SPARQL messages, so guess it then."""
    if message.language:
        return message.language
    return "ko" if entries_mod._language(str(message)) == "ko" else "en"


def _message(report: Graph, result: Any, lang: str) -> str | None:
    messages = [m for m in report.objects(result, URIRef(SH + "resultMessage")) if isinstance(m, Literal)]
    for message in sorted(messages):
        if _language(message) == lang:
            return str(message)
    return None


def _merge(report: Report, result_graph: Graph, files: Sequence[EntryFile], seen: set[tuple]) -> None:
    """Add a pySHACL report's results to ``report``: one issue per distinct result."""
    sh = lambda name: URIRef(SH + name)  # noqa: E731
    # top-level results only: nested ones (sh:detail) are copied along with their parent
    for result in result_graph.objects(None, sh("result")):
        focus = result_graph.value(result, sh("focusNode"))
        path = result_graph.value(result, sh("resultPath"))
        value = result_graph.value(result, sh("value"))
        component = result_graph.value(result, sh("sourceConstraintComponent"))
        severity = result_graph.value(result, sh("resultSeverity"))
        shape = result_graph.value(result, sh("sourceShape"))
        en = _message(result_graph, result, "en")
        ko = _message(result_graph, result, "ko")
        key = (focus, path, value, en)
        _copy_result(result_graph, result, report.graph)
        if key in seen and en is not None:  # one message from two constraints (nodeKind and pattern) is told once
            report.top_results.append(result)
            continue
        seen.add(key)
        location = None
        if value == focus:  # a node-level result: no value of its own
            value = None
        constraint = result_graph.value(result, sh("sourceConstraint"))
        missing = MISSING_FIELDS.get(str(constraint if isinstance(constraint, URIRef) else shape)) if value is None else None
        for entry_file in files:
            location = entry_file.locate(focus, None if missing else path, value)
            if location:
                break
        issue = Issue(
            severity=SEVERITIES.get(str(severity), str(severity)),
            message_en=en or ko or "",
            message_ko=ko or en or "",
            file=location.file if location else None,
            line=location.line if location else None,
            row=location.row if location else None,
            entity=_show(focus),
            field=missing
            or (location.field if location and location.field and path is not None else None)
            or (_curie(path) if isinstance(path, URIRef) else None),
            value=_show(value) if value is not None and value != focus else None,
            path=str(path) if isinstance(path, URIRef) else None,
            component=_curie(component) if component is not None else None,
            shape=_show(shape),
        )
        report.issues.append(issue)
        report.top_results.append(result)


def _copy_result(source: Graph, result: Any, target: Graph) -> None:
    """Copy one sh:ValidationResult (with its blank-node paths) into the merged report."""
    message = URIRef(SH + "resultMessage")
    untagged = [m for m in source.objects(result, message) if isinstance(m, Literal) and not m.language]
    retag = len(untagged) > 1  # pySHACL dropped the tags of templated messages given in several languages
    todo, done = [result], set()
    while todo:
        node = todo.pop()
        if node in done:
            continue
        done.add(node)
        for _, p, o in source.triples((node, None, None)):
            if retag and p == message and o in untagged:
                o = Literal(str(o), lang=_language(o))
            target.add((node, p, o))
            if isinstance(o, BNode):
                todo.append(o)


def _finish(report: Report) -> None:
    sh = lambda name: URIRef(SH + name)  # noqa: E731
    node = BNode()
    report.graph.bind("sh", SH)
    report.graph.add((node, RDF.type, sh("ValidationReport")))
    report.graph.add((node, sh("conforms"), Literal(report.conforms)))
    for result in report.top_results:
        report.graph.add((node, sh("result"), result))
    order = {"violation": 0, "warning": 1, "info": 2}
    report.issues.sort(key=lambda i: (i.file or "~", i.line or i.row or 0, order.get(i.severity, 3), i.message_en))


# --------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------


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
    progress: Progress | None = None,
) -> tuple[Report, list[EntryFile]]:
    """Validate entry files; with ``shapes``, any RDF against any SHACL shapes."""
    if not paths:
        raise InputError("no file to validate")
    with gc_paused():
        if shapes:
            return validate_with_shapes(paths, shapes, fmt=fmt)
        validator = default_validator()
        files = validator.load(paths, fmt)
        return validator.validate(files, progress), files


def validate_with_shapes(
    paths: Sequence[str | Path], shapes: Sequence[str | Path], *, fmt: str | None = None
) -> tuple[Report, list[EntryFile]]:
    """Plain SHACL: the union of the data files against the given shapes, nothing added."""
    for path in shapes:
        if not Path(path).is_file():
            raise InputError(f"{path}: no such shapes file")
    shapes_graph = load_shapes(shapes)
    files = [entries_mod.load(p, fmt) if entries_mod.detect_format(Path(p), fmt) in {"yaml", "csv"}
             else _rdf_file(Path(p), fmt) for p in paths]
    data = Graph()
    for entry_file in files:
        graph = entry_file.graph()
        for prefix, namespace in entry_file.prefixes.items():  # as rdflib binds them when parsing
            data.bind(prefix, namespace, override=True, replace=True)
        for triple in graph:
            data.add(triple)
    _, result = run_pyshacl(data, shapes_graph)
    report = Report(files=len(files), cases=sum(len(f.entries) for f in files))
    _merge(report, result, files, set())
    _finish(report)
    return report, files


def _rdf_file(path: Path, fmt: str | None) -> EntryFile:
    kind = entries_mod.detect_format(path, fmt)
    text = entries_mod.read_text(path)
    if not text.strip():
        raise InputError(f"{path}: the file is empty")
    entry_file = EntryFile(str(path), kind)
    triples = entries_mod.parse_rdf(path, kind, text, prefixes=entry_file.prefixes)
    lines = entries_mod._first_lines(text, kind)
    for triple in triples:
        entry_file.loose.append(triple)
        subject = triple[0]
        if (subject,) not in entry_file.loose_where:
            entry_file.loose_where[(subject,)] = Location(str(path), line=lines.get(str(subject)))
    return entry_file


def validate_graph(graph: Graph, validator: Validator | None = None) -> Report:
    """Validate a whole graph (for example the shipped knowledge base) with the project's shapes."""
    validator = validator or default_validator()
    _, result = run_pyshacl(validator.subgraph(graph, context=False), validator.shapes)
    report = Report()
    _merge(report, result, [], set())
    _finish(report)
    return report


def render(report: Report, fmt: str = "text") -> str:
    """The report as text (for people), JSON, or Turtle (a standard sh:ValidationReport)."""
    if fmt == "ttl":
        return report.graph.serialize(format="turtle")
    if fmt == "json":
        return json.dumps(
            {
                "conforms": report.conforms,
                "ok": report.ok,
                "files": report.files,
                "cases": report.cases,
                "violations": report.violations,
                "warnings": report.count("warning"),
                "infos": report.count("info"),
                "results": [asdict(issue) for issue in report.issues],
            },
            ensure_ascii=False,
            indent=2,
        ) + "\n"
    if fmt != "text":
        raise InputError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")
    lines = []
    for issue in report.issues:
        head = f"{issue.where()}: {issue.severity}"
        if issue.entity:
            head += f" in {issue.entity}"
        if issue.field:
            head += f", field {issue.field}"
        if issue.value is not None:
            head += f" = {issue.value!r}" if len(issue.value) < 80 else f" = {issue.value[:77]!r}..."
        lines.append(head)
        lines.append(f"    {issue.message_en}")
        if issue.message_ko and issue.message_ko != issue.message_en:
            lines.append(f"    {issue.message_ko}")
    summary = (
        f"{report.files} file(s), {report.cases} case(s): {report.violations} violation(s), "
        f"{report.count('warning')} warning(s), {report.count('info')} info(s)"
    )
    lines.append(summary + (" -- conforms" if report.ok else " -- does not conform"))
    return "\n".join(lines) + "\n"


def known_concepts(validator: Validator | None = None) -> dict[str, list[str]]:
    """Short names of the industries, stages and instruments that entries may use, from the ontology."""
    validator = validator or default_validator()
    kinds = {"industry": "Industry", "stage": "LifeCycleStage", "instrument": "PolicyInstrument"}
    result: dict[str, list[str]] = {}
    for kind, cls in kinds.items():
        prefix = f"{entries_mod.CKI_IRI}{kind}-"
        names = [str(s)[len(prefix):] for s, types in validator.types.items()
                 if URIRef(CKG[cls]) in types and str(s).startswith(prefix)]
        if kind == "stage":  # in life-cycle order
            order = {str(s): validator.order.get(s, 0) for s in validator.types}
            names.sort(key=lambda n: order.get(prefix + n, 0))
        else:
            names.sort()
        result[kind] = names
    return result


RDF_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}


def serialize(files: Sequence[EntryFile], fmt: str = "ttl") -> str:
    """The RDF that converted files become."""
    if fmt not in RDF_FORMATS:
        raise InputError(f"unknown RDF format {fmt!r}; choose one of {', '.join(RDF_FORMATS)}")
    graph = new_graph()
    graph.bind("schema", "https://schema.org/")
    for entry_file in files:
        for triple in entry_file.graph():
            graph.add(triple)
    if fmt == "jsonld":
        context = {prefix: iri for prefix, iri in PREFIXES.items()}
        return graph.serialize(format="json-ld", context=context, indent=2)
    return graph.serialize(format=RDF_FORMATS[fmt])
