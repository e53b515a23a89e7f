"""The quality report of the ontology and its data, in the manner of ROBOT's ``report``.

Each check is a row of :data:`CHECKS`: a name, a severity (``error``,
``warn`` or ``info``), what it looks for, and a SPARQL query run over the
store (or, for the verbatim check, Python code that reads the source text).
A query selects ``?entity`` and ``?value``; each answer is one problem.

Every query is linear in the size of the store: no pattern joins two unrelated
sets of entities (a cross product), a test of existence that joins is nested
(``FILTER EXISTS`` inside ``FILTER NOT EXISTS``, so that it runs with its
variables bound), and sets are subtracted with ``MINUS``, which Oxigraph runs as
one hash anti-join rather than a lookup per row.

A function of a term (``isIRI``, ``STR``, ``LANG``) makes Oxigraph read the
term's text, some microseconds each, where a join, ``MINUS``, ``DISTINCT`` or
``GROUP BY`` compares stored identifiers. So the checks join and subtract first
and test the namespace of what is left; the one function they need on many
terms (a label's language) is called once a label, in a ``BIND``, which the
optimiser does not push below the join it follows. ``python bench/run.py``
measures the report at 10k, 100k and 1M triples.

:func:`run_report` runs them all; :func:`failing` says whether a report fails
at a given level (``--fail-on``).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import InputError
from .inputs import read_text
from .namespaces import CKG, compact, prefix_lines, shorten_iris
from .sparql.results import value_of
from .stores.base import Store
from .tables import format_grid

SEVERITIES = ("error", "warn", "info")
FAIL_LEVELS = ("error", "warn", "info", "none")
SOURCE_ENV = "CLUSTERKG_SOURCE_TEXT"
SOURCE_NAME = "nam-cluster-comparison.ko.txt"
_WORKERS = 2  # queries answered at once: the checks' costs split into two even halves

_PREFIXES = prefix_lines()

#: The terms of the ontology: classes and properties in the ckg: namespace (each kind looked up in the index).
_TERM = """
  ?entity a ?kind .
  VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty }
  FILTER(STRSTARTS(STR(?entity), STR(ckg:)))
"""


@dataclass(frozen=True)
class Check:
    """One check of the report."""

    name: str
    severity: str
    description: str
    query: str = ""
    #: how many times the query reads every triple or every label (the report starts the costliest first)
    scans: int = 0


CHECKS: tuple[Check, ...] = (
    Check("missing_label", "error", "A class or property of ckg: has no rdfs:label in Korean (@ko) or English (@en).", """
SELECT DISTINCT ?entity ?value WHERE {""" + _TERM + """
  VALUES ?lang { "ko" "en" }
  FILTER NOT EXISTS { ?entity rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), ?lang)) }
  BIND(CONCAT("no rdfs:label@", ?lang) AS ?value)
}"""),
    Check("missing_individual_label", "warn",
          "A typed individual of cki: (excerpts, sections, and the axiom annotations and source records that"
          " clusterkg writes for links, enrichment and cases aside) has no rdfs:label or skos:prefLabel in"
          " Korean or English.", """
SELECT DISTINCT ?entity ?value WHERE {
  { SELECT DISTINCT ?entity WHERE { ?entity a ?type } }
  MINUS { ?entity a ?skipped VALUES ?skipped { ckg:Excerpt ckg:Section owl:Axiom dcterms:BibliographicResource } }
  VALUES ?lang { "ko" "en" }
  MINUS {  # each label read once, for its language tag
    { ?entity rdfs:label ?label } UNION { ?entity skos:prefLabel ?label }
    BIND(LANG(?label) AS ?tag)
    VALUES ?lang { "ko" "en" }
    FILTER(LANGMATCHES(?tag, ?lang))
  }
  BIND(STRSTARTS(STR(?entity), STR(cki:)) AS ?isId)  # on the few left, after the anti-joins
  FILTER(?isId)
  BIND(CONCAT("no label@", ?lang) AS ?value)
}""", scans=2),
    Check("missing_definition", "error", "A class of ckg: has no skos:definition.", """
SELECT DISTINCT ?entity ?value WHERE {
  ?entity a owl:Class .
  FILTER(STRSTARTS(STR(?entity), STR(ckg:)))
  FILTER NOT EXISTS { ?entity skos:definition ?definition }
  BIND("no skos:definition" AS ?value)
}"""),
    Check("duplicate_label", "error",
          "Two terms of the same kind (two classes, two properties, two"
          " individuals) share a label in one language.", """
SELECT DISTINCT ?entity ?value WHERE {
  { SELECT ?label WHERE { ?x rdfs:label|skos:prefLabel ?label } GROUP BY ?label HAVING (COUNT(DISTINCT ?x) > 1) }
  ?entity rdfs:label|skos:prefLabel ?label .
  ?other rdfs:label|skos:prefLabel ?label .
  FILTER(?entity != ?other)
  FILTER(STRSTARTS(STR(?entity), STR(ckg:)) || STRSTARTS(STR(?entity), STR(cki:)))
  FILTER(STRSTARTS(STR(?other), STR(ckg:)) || STRSTARTS(STR(?other), STR(cki:)))
  FILTER(EXISTS { ?entity a owl:Class . ?other a owl:Class }
         || EXISTS { ?entity a ?k1 . ?other a ?k2 .
                     FILTER(?k1 IN (owl:ObjectProperty, owl:DatatypeProperty, owl:AnnotationProperty))
                     FILTER(?k2 IN (owl:ObjectProperty, owl:DatatypeProperty, owl:AnnotationProperty)) }
         || (STRSTARTS(STR(?entity), STR(cki:)) && STRSTARTS(STR(?other), STR(cki:))
             && EXISTS { ?entity a ?t1 } && EXISTS { ?other a ?t2 }))
  BIND(CONCAT("label \\"", STR(?label), "\\"@", LANG(?label), " also on ", STR(?other)) AS ?value)
}""", scans=1),
    Check("shared_label", "warn", "A class and a property of ckg: share a label in one language.", """
SELECT DISTINCT ?entity ?value WHERE {
  ?entity a owl:Class ; rdfs:label ?label .
  ?other a ?kind ; rdfs:label ?label .
  FILTER(?kind IN (owl:ObjectProperty, owl:DatatypeProperty, owl:AnnotationProperty))
  FILTER(STRSTARTS(STR(?entity), STR(ckg:)) && STRSTARTS(STR(?other), STR(ckg:)))
  BIND(CONCAT("label \\"", STR(?label), "\\"@", LANG(?label), " also on property ", STR(?other)) AS ?value)
}"""),
    Check("multiple_labels", "error", "A term or individual has more than one rdfs:label in one language.", """
SELECT ?entity ?value WHERE {
  { SELECT ?entity ?lang (COUNT(DISTINCT ?label) AS ?labels) WHERE { ?entity rdfs:label ?label BIND(LANG(?label) AS ?lang) }
    GROUP BY ?entity ?lang HAVING (COUNT(DISTINCT ?label) > 1) }
  BIND(STRSTARTS(STR(?entity), STR(ckg:)) || STRSTARTS(STR(?entity), STR(cki:)) AS ?ours)  # on the groups found
  FILTER(?ours)
  BIND(CONCAT(STR(?labels), " rdfs:label@", ?lang) AS ?value)
}""", scans=1),
    Check("undeclared_iri", "error",
          "An IRI of ckg: is used but not declared as a class or property, or an"
          " IRI of cki: is used but has no rdf:type.", """
SELECT DISTINCT ?entity ?value WHERE {
  {  # used with no rdf:type at all: the distinct terms of each position, less every typed one (a hash anti-join)
    { SELECT DISTINCT ?entity WHERE { ?entity ?p ?o } }
    UNION { SELECT DISTINCT ?entity WHERE { ?s ?entity ?o } }
    UNION { SELECT DISTINCT ?entity WHERE { ?s ?p ?entity } }
    MINUS { ?entity a ?type }
    BIND(isIRI(?entity) AS ?named)  # read after the anti-join, each distinct term once
    FILTER(?named)
    BIND(STRSTARTS(STR(?entity), STR(ckg:)) AS ?isTerm)
    FILTER(?isTerm || STRSTARTS(STR(?entity), STR(cki:)))
  }
  UNION {  # a term of ckg: with a type, but not the type of a class or property
    ?entity a ?type .
    MINUS { ?entity a ?kind VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty } }
    BIND(STRSTARTS(STR(?entity), STR(ckg:)) AS ?isTerm)
    FILTER(?isTerm && isIRI(?entity))
  }
  BIND(IF(?isTerm, "used, never declared as a class or property", "used, never given an rdf:type") AS ?value)
}""", scans=4),
    Check("class_without_instances", "info", "A class of ckg: has no instance (stated, or of one of its sub-classes).", """
SELECT DISTINCT ?entity ?value WHERE {
  ?entity a owl:Class .
  FILTER(STRSTARTS(STR(?entity), STR(ckg:)))
  FILTER NOT EXISTS { ?sub rdfs:subClassOf* ?entity . FILTER EXISTS { ?instance a ?sub } }
  BIND("no instance" AS ?value)
}"""),
    Check("unused_property", "info", "A property of ckg: is used in no triple.", """
SELECT DISTINCT ?entity ?value WHERE {
  ?entity a ?kind .
  VALUES ?kind { owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty }
  FILTER(STRSTARTS(STR(?entity), STR(ckg:)))
  FILTER NOT EXISTS { ?s ?entity ?o }
  FILTER NOT EXISTS { ?sub rdfs:subPropertyOf+ ?entity . FILTER EXISTS { ?s ?sub ?o } }
  BIND("never used" AS ?value)
}"""),
    Check("claim_without_provenance", "error", "A claim (ckg:Claim or a sub-class) is not prov:wasDerivedFrom a ckg:Excerpt.", """
SELECT DISTINCT ?entity ?value WHERE {
  ?class rdfs:subClassOf* ckg:Claim .
  ?entity a ?class .
  MINUS { ?entity prov:wasDerivedFrom ?excerpt . ?excerpt a ckg:Excerpt }
  BIND("no prov:wasDerivedFrom an excerpt" AS ?value)
}"""),
    Check("excerpt_not_verbatim", "error",
          "The ckg:excerptText of an excerpt is not found word for word in the"
          " source text (runs of white space count as one space)."),
    Check("finding_counters_no_myth", "error", "A ckg:Finding counters no ckg:Myth.", """
SELECT DISTINCT ?entity ?value WHERE {
  ?entity a ckg:Finding .
  MINUS { ?entity ckg:counters ?myth . ?myth a ckg:Myth }
  BIND("counters no myth" AS ?value)
}"""),
)

EXCERPT_QUERY = _PREFIXES + "SELECT ?entity ?text WHERE { ?entity ckg:excerptText ?text }"


@dataclass(frozen=True)
class Problem:
    """One problem found: which check, how severe, on what, and what exactly."""

    severity: str
    check: str
    entity: str
    value: str


@dataclass
class Report:
    """The outcome of all checks."""

    problems: list[Problem] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    def count(self, severity: str) -> int:
        return sum(1 for p in self.problems if p.severity == severity)

    def counts(self) -> dict[str, int]:
        return {severity: self.count(severity) for severity in SEVERITIES}


def check(name: str) -> Check:
    for item in CHECKS:
        if item.name == name:
            return item
    raise InputError(f"unknown check {name!r}")


def default_source() -> Path | None:
    """The source text: $CLUSTERKG_SOURCE_TEXT, else ``../shared/source/`` beside a checkout."""
    if os.environ.get(SOURCE_ENV):
        return Path(os.environ[SOURCE_ENV]).expanduser()
    checkout = Path(__file__).resolve().parent.parent
    candidate = checkout.parent / "shared" / "source" / SOURCE_NAME
    return candidate if candidate.is_file() else None


def run_report(store: Store, source: Path | None = None, progress: Callable[[str], None] | None = None) -> Report:
    """Run every check over the store; ``source`` is the text excerpts must come from.

    The queries run two at a time (the costliest first), as the engine, embedded or at an endpoint, answers
    each on its own; their rows are taken in the order of :data:`CHECKS` and the problems sorted as always.
    """
    report = Report()
    queries = sorted((item for item in CHECKS if item.query), key=lambda item: -item.scans)
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        answers = {item.name: pool.submit(_rows, store, item.query) for item in queries}
        try:
            for item in CHECKS:
                if progress:
                    progress(item.name)
                if item.query:
                    for entity, value in answers[item.name].result():
                        report.problems.append(Problem(item.severity, item.name, _text(entity),
                                                       shorten_iris(_text(value))))
            _check_verbatim(store, report, source if source is not None else default_source())
        except BaseException:
            for answer in answers.values():
                answer.cancel()
            raise
    order = {severity: i for i, severity in enumerate(SEVERITIES)}
    report.problems.sort(key=lambda p: (order[p.severity], p.check, p.entity, p.value))
    return report


def _rows(store: Store, query: str) -> list[tuple[object, ...]]:
    return [tuple(row) for row in store.query(_PREFIXES + query).rows]


def _text(term: object) -> str:
    value = getattr(term, "value", "") if term is not None else ""
    return compact(value, allowed=None) if value.startswith(("https://w3id.org/", "http://www.w3.org/")) else value


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _check_verbatim(store: Store, report: Report, source: Path | None) -> None:
    name = "excerpt_not_verbatim"
    if source is None:
        report.skipped[name] = f"no source text (give --source FILE or set {SOURCE_ENV})"
        return
    try:
        text = _normal(read_text(source))
    except InputError as exc:
        raise InputError(f"cannot read the source text {exc}") from None
    for entity, excerpt in store.query(EXCERPT_QUERY).rows:
        excerpt_text = value_of(excerpt)
        if _normal(excerpt_text) not in text:
            shown = excerpt_text if len(excerpt_text) <= 60 else excerpt_text[:57] + "..."
            report.problems.append(Problem(check(name).severity, name, _text(entity), f"not in the source: {shown}"))


def failing(report: Report, fail_on: str) -> bool:
    """Whether the report fails at level ``fail_on`` (``none`` never fails)."""
    if fail_on not in FAIL_LEVELS:
        raise InputError(f"unknown level {fail_on!r}; choose one of {', '.join(FAIL_LEVELS)}")
    if fail_on == "none":
        return False
    levels = SEVERITIES[: SEVERITIES.index(fail_on) + 1]
    return any(p.severity in levels for p in report.problems)


def format_report(report: Report, fmt: str = "text") -> str:
    """The report as an aligned table (text), tab-separated values (tsv) or JSON."""
    if fmt == "json":
        return json.dumps(
            {"counts": report.counts(), "skipped": report.skipped, "problems": [asdict(p) for p in report.problems]},
            ensure_ascii=False, indent=2,
        )
    if fmt == "tsv":
        rows = ["Level\tRule Name\tSubject\tValue"]
        rows += [f"{p.severity.upper()}\t{p.check}\t{p.entity}\t{_clean(p.value)}" for p in report.problems]
        return "\n".join(rows)
    if fmt != "text":
        raise InputError(f"unknown report format {fmt!r}; choose text, tsv or json")
    lines = []
    if report.problems:
        grid = [[p.severity.upper(), p.check, p.entity, p.value] for p in report.problems]
        lines.append(format_grid(["Level", "Rule Name", "Subject", "Value"], grid, 10_000, separator="  ").rstrip("\n"))
    for name, reason in report.skipped.items():
        lines.append(f"SKIP   {name}: {reason}")
    counts = report.counts()
    lines.append(f"{counts['error']} error(s), {counts['warn']} warning(s), {counts['info']} info")
    return "\n".join(lines)


def _clean(value: str) -> str:
    return value.replace("\t", " ").replace("\n", " ")


__all__ = ["CHECKS", "CKG", "Check", "Problem", "Report", "failing", "format_report", "run_report"]
