"""The W3C SPARQL 1.1 query test suite: reading its manifests, comparing results.

Used by ``test_w3c_sparql.py`` to run the suite twice, through the
``clusterkg query`` command and through pyoxigraph directly, with the same
comparison rules: solutions as multisets, blank nodes up to a bijection
(graphs by canonicalisation), numbers compared by value in their datatype,
language tags without regard to case.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
QT = "http://www.w3.org/2001/sw/DataAccess/tests/test-query#"
RS = "http://www.w3.org/2001/sw/DataAccess/tests/result-set#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

KINDS = {
    MF + "QueryEvaluationTest": "eval",
    MF + "PositiveSyntaxTest11": "positive",
    MF + "NegativeSyntaxTest11": "negative",
}
INTEGER_TYPES = {
    XSD + t
    for t in (
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
    )
}

PREFIXES = f"PREFIX mf: <{MF}> PREFIX qt: <{QT}> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"


@dataclass
class W3CTest:
    """One entry of a manifest."""

    iri: str
    name: str
    kind: str  # eval | positive | negative
    query: Path
    data: list[Path] = field(default_factory=list)
    graph_data: list[tuple[str, Path]] = field(default_factory=list)
    result: Path | None = None


def _path(iri: str) -> Path:
    return Path(iri.removeprefix("file://"))


def load_tests(root_manifest: Path) -> list[W3CTest]:
    """Every query-evaluation and syntax test of a manifest and the manifests it includes."""
    root_manifest = root_manifest.resolve()
    store = ox.Store()
    pending = [root_manifest.as_uri()]
    seen: set[str] = set()
    while pending:
        iri = pending.pop()
        if iri in seen:
            continue
        seen.add(iri)
        store.load(path=str(_path(iri)), format=ox.RdfFormat.TURTLE, base_iri=iri, to_graph=ox.NamedNode(iri))
        includes = store.query(
            PREFIXES + "SELECT ?inc WHERE { GRAPH ?g { ?m mf:include/rdf:rest*/rdf:first ?inc } }",
            default_graph=ox.NamedNode(iri),
        )
        pending.extend(row["inc"].value for row in includes)
    entries = store.query(
        PREFIXES
        + """SELECT ?test ?type ?name ?action ?result WHERE { GRAPH ?g {
             ?m mf:entries/rdf:rest*/rdf:first ?test . ?test a ?type ; mf:action ?action .
             OPTIONAL { ?test mf:name ?name } OPTIONAL { ?test mf:result ?result } } }"""
    )
    tests = []
    for row in entries:
        kind = KINDS.get(row["type"].value)
        if kind is None:
            continue
        action = row["action"]
        test = W3CTest(row["test"].value, row["name"].value if row["name"] else "", kind, Path())
        if kind == "eval":
            for quad in store.quads_for_pattern(action, None, None, None):
                predicate, value = quad.predicate.value, quad.object
                if predicate == QT + "query":
                    test.query = _path(value.value)
                elif predicate == QT + "data":
                    test.data.append(_path(value.value))
                elif predicate == QT + "graphData":
                    test.graph_data.append((value.value, _path(value.value)))
            test.result = _path(row["result"].value) if row["result"] else None
        else:
            test.query = _path(action.value)
        tests.append(test)
    return sorted(tests, key=lambda t: t.iri)


# --------------------------------------------------------------------------
# Answers and their comparison
# --------------------------------------------------------------------------


@dataclass
class Outcome:
    """What a run gave: solutions, a boolean or triples; or the error it raised."""

    kind: str  # select | ask | graph | error
    solutions: list[dict[str, object]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    error: str = ""


def canonical(term: object) -> object:
    """A term with its number in canonical form and its language tag in lower case."""
    if not isinstance(term, ox.Literal):
        return term
    datatype = term.datatype.value
    try:
        if datatype in INTEGER_TYPES:
            return ox.Literal(str(int(term.value.strip())), datatype=term.datatype)
        if datatype == XSD + "decimal":
            value = Decimal(term.value.strip())
            text = format(value.normalize(), "f") if value != 0 else "0"
            return ox.Literal(text, datatype=term.datatype)
        if datatype in (XSD + "double", XSD + "float"):
            return ox.Literal(repr(float(term.value.strip())), datatype=term.datatype)
        if datatype == XSD + "boolean" and term.value.strip() in {"0", "1"}:
            return ox.Literal("true" if term.value.strip() == "1" else "false", datatype=term.datatype)
    except (ValueError, InvalidOperation):
        return term
    if term.language:
        return ox.Literal(term.value, language=term.language.lower())
    return term


def outcome_from_answer(answer: object) -> Outcome:
    """An Outcome from a pyoxigraph query answer or parsed result file."""
    if isinstance(answer, ox.QueryBoolean):
        return Outcome("ask", boolean=bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        names = [v.value for v in answer.variables]
        solutions = []
        for solution in answer:
            solutions.append({n: canonical(solution[n]) for n in names if solution[n] is not None})
        return Outcome("select", solutions=solutions)
    return Outcome("graph", triples=[ox.Triple(t.subject, t.predicate, canonical(t.object)) for t in answer])


def _result_set(triples: list[ox.Triple]) -> Outcome | None:
    """Read the RDF result-set vocabulary (rs:ResultSet) if the triples use it."""
    by_subject: dict[object, list[ox.Triple]] = {}
    for triple in triples:
        by_subject.setdefault(triple.subject, []).append(triple)
    sets = [t.subject for t in triples if t.predicate.value == RDF_TYPE and t.object == ox.NamedNode(RS + "ResultSet")]
    if not sets:
        return None

    def values(subject: object, predicate: str) -> list[object]:
        return [t.object for t in by_subject.get(subject, []) if t.predicate.value == predicate]

    result_set = sets[0]
    booleans = values(result_set, RS + "boolean")
    if booleans:
        return Outcome("ask", boolean=booleans[0].value == "true")
    solutions = []
    for solution in values(result_set, RS + "solution"):
        row = {}
        for binding in values(solution, RS + "binding"):
            row[values(binding, RS + "variable")[0].value] = canonical(values(binding, RS + "value")[0])
        solutions.append(row)
    return Outcome("select", solutions=solutions)


def expected_outcome(path: Path) -> Outcome:
    """The expected answer stored in a result file (.srx, .srj, .tsv, .ttl, ...)."""
    suffix = path.suffix.lower()
    formats = {".srx": ox.QueryResultsFormat.XML, ".srj": ox.QueryResultsFormat.JSON, ".tsv": ox.QueryResultsFormat.TSV}
    if suffix in formats:
        return outcome_from_answer(ox.parse_query_results(path=str(path), format=formats[suffix]))
    rdf_format = ox.RdfFormat.from_extension(suffix.lstrip(".")) or ox.RdfFormat.TURTLE
    triples = [q.triple for q in ox.parse(path=str(path), format=rdf_format, base_iri=path.resolve().as_uri())]
    return _result_set(triples) or outcome_from_answer(triples)


def _shape(solution: dict[str, object]) -> tuple:
    return tuple(sorted((k, "_:" if isinstance(v, ox.BlankNode) else str(v)) for k, v in solution.items()))


def same_solutions(expected: list[dict[str, object]], actual: list[dict[str, object]]) -> bool:
    """Equal as multisets of solutions, blank nodes up to a bijection."""
    if len(expected) != len(actual) or Counter(map(_shape, expected)) != Counter(map(_shape, actual)):
        return False
    if not any(isinstance(v, ox.BlankNode) for s in expected for v in s.values()):
        return True
    shapes = [_shape(s) for s in actual]

    def extend(mapping: tuple[dict, dict], left: dict, right: dict) -> tuple[dict, dict] | None:
        forward, backward = dict(mapping[0]), dict(mapping[1])
        for name, value in left.items():
            if isinstance(value, ox.BlankNode):
                other = right[name]
                if forward.get(value.value, other.value) != other.value or backward.get(other.value, value.value) != value.value:
                    return None
                forward[value.value], backward[other.value] = other.value, value.value
        return forward, backward

    def search(index: int, used: frozenset[int], mapping: tuple[dict, dict]) -> bool:
        if index == len(expected):
            return True
        shape = _shape(expected[index])
        for position, solution in enumerate(actual):
            if position in used or shapes[position] != shape:
                continue
            extended = extend(mapping, expected[index], solution)
            if extended is not None and search(index + 1, used | {position}, extended):
                return True
        return False

    return search(0, frozenset(), ({}, {}))


def canonical_graph(triples: list[ox.Triple]) -> set[str]:
    """A graph in a canonical form (blank nodes relabelled), for comparison."""
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, canonical(t.object)) for t in triples)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return {str(quad) for quad in dataset}


def same_outcome(expected: Outcome, actual: Outcome) -> bool:
    """Whether a run gave the expected answer."""
    if actual.kind != expected.kind:
        return False
    if expected.kind == "ask":
        return expected.boolean == actual.boolean
    if expected.kind == "graph":
        return canonical_graph(expected.triples) == canonical_graph(actual.triples)
    return same_solutions(expected.solutions, actual.solutions)


# --------------------------------------------------------------------------
# Running a test with pyoxigraph directly
# --------------------------------------------------------------------------


def engine_store(test: W3CTest) -> ox.Store:
    """An in-memory pyoxigraph store holding a test's data, loaded as the CLI loads it."""
    store = ox.Store()
    for path in test.data:
        store.load(path=str(path), format=ox.RdfFormat.from_extension(path.suffix.lstrip(".")),
                   base_iri=path.resolve().as_uri(), to_graph=ox.DefaultGraph())
    for iri, path in test.graph_data:
        store.load(path=str(path), format=ox.RdfFormat.from_extension(path.suffix.lstrip(".")),
                   base_iri=path.resolve().as_uri(), to_graph=ox.NamedNode(iri))
    return store


def engine_passes(test: W3CTest) -> bool:
    """Whether pyoxigraph itself passes a test."""
    text = test.query.read_text(encoding="utf-8")
    base = test.query.resolve().as_uri()
    if test.kind != "eval":
        try:
            ox.Store().query(text, base_iri=base)
        except SyntaxError:
            return test.kind == "negative"
        except Exception:  # an evaluation problem is not a syntax error
            return test.kind == "positive"
        return test.kind == "positive"
    try:
        expected = expected_outcome(test.result) if test.result else None
        actual = outcome_from_answer(engine_store(test).query(text, base_iri=base))
    except Exception:
        return False
    return expected is not None and same_outcome(expected, actual)
