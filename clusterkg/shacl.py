"""Running pySHACL: standard SHACL (core and SHACL-SPARQL), made fast enough for large inputs.

Nothing here knows the project's shapes; :mod:`clusterkg.cases.validation` does.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from pyparsing import ParseResults
from rdflib import BNode, Graph, Variable

from .errors import InputError, QueryError, one_line
from .inputs import parse_rdf
from .namespaces import PREFIXES, SH, prefix_lines
from .rdfterms import to_oxigraph, to_rdflib
from .sparql.limits import check_limits
from .sparql.syntax import bind_many, pre_bind

if TYPE_CHECKING:
    from rdflib.plugins.sparql.sparql import Query
    from rdflib.term import Identifier

#: The syntaxes a shapes file may be written in, by suffix (Turtle otherwise).
SHAPES_SYNTAXES = {".jsonld": ox.RdfFormat.JSON_LD, ".json": ox.RdfFormat.JSON_LD}


def load_shapes(paths: Sequence[str | Path]) -> Graph:
    """SHACL shapes from Turtle or JSON-LD files."""
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for path in paths:
        path = Path(path)
        declared: dict[str, str] = {}
        raw = parse_rdf(path, SHAPES_SYNTAXES.get(path.suffix.lower(), ox.RdfFormat.TURTLE), prefixes=declared)
        for prefix, namespace in declared.items():  # as rdflib would bind them when parsing
            graph.bind(prefix, namespace, override=True, replace=True)
        for quad in raw:
            if not _inactive(quad):
                graph.add(tuple(to_rdflib(t) for t in (quad.subject, quad.predicate, quad.object)))
    return graph


def _inactive(quad: Any) -> bool:
    """``sh:uniqueLang`` with a value other than the literal ``true``, which SHACL ignores.

    pySHACL also takes other lexical forms of true, such as ``"1"^^xsd:boolean``
    (W3C test core/property/uniqueLang-002), so such triples are left out.
    """
    return quad.predicate.value == SH + "uniqueLang" and getattr(quad.object, "value", None) != "true"


# --------------------------------------------------------------------------
# SPARQL inside pySHACL. pySHACL hands the text of each SPARQL-based
# constraint to rdflib once per focus node, and rdflib parses it every time
# and evaluates it slowly. Within ``fast_sparql()`` such queries run on an
# in-memory Oxigraph copy of the queried graph (the same engine as the
# store), with the focus node's value written in place of $this (SHACL's
# pre-binding); a query Oxigraph refuses, or a blank node to bind, falls
# back to rdflib, parsed once per distinct text. pySHACL's check that
# a query text is allowed (no MINUS, VALUES, ...) also runs once per text. The W3C SHACL core
# and SHACL-SPARQL suites run through this path (tests/test_w3c_shacl.py).
# --------------------------------------------------------------------------


@functools.lru_cache(maxsize=512)
def _prepared(text: str, base: str | None, namespaces: tuple[tuple[str, str], ...]) -> Query:
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    return translateQuery(parseQuery(text), base, dict(namespaces) or None)


def _oxigraph_result(answer: Any, bound: dict[str, Any]) -> dict[str, Any]:
    """A pyoxigraph answer in the form rdflib's SPARQL processor returns, pre-bound values put back."""
    from rdflib.term import Variable

    if isinstance(answer, ox.QueryBoolean):
        return {"type_": "ASK", "askAnswer": bool(answer)}
    if not isinstance(answer, ox.QuerySolutions):
        raise TypeError("only SELECT and ASK are run on Oxigraph")
    names = [v.value for v in answer.variables]
    variables = [Variable(name) for name in names]
    extra = {Variable(name): value for name, value in bound.items() if name not in names}
    bindings = [
        {**extra, **{var: to_rdflib(term) for var, term in zip(variables, solution) if term is not None}}
        for solution in answer
    ]
    return {"type_": "SELECT", "vars_": variables + list(extra), "bindings": bindings}


@functools.lru_cache(maxsize=512)
def _batch_plan(text: str) -> tuple[int, int | None] | None:
    """The (offset, limit) of a SELECT that can run once for many focus nodes; None if it cannot.

    Read from the query's parse tree (its groups as written: the algebra merges a group that holds only
    a group into it). It can when the WHERE group holds only triple patterns (paths too), filters, binds
    and plain nested groups, and every filter or bind of a nested group that reads $this is in a group
    whose triple patterns bind $this. One run with ``VALUES $this {...}`` first in the WHERE group then
    gives, for each focus node, the solutions of the query with that node pre-bound: every filter, bind
    and (NOT) EXISTS sees $this bound, as under substitution; a LIMIT or OFFSET applies to each node's
    solutions. OPTIONAL, UNION, MINUS, GRAPH, VALUES, sub-queries, aggregates and ordering could tell the
    two apart: such queries run once per node.
    """
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        query = parseQuery(text)[1]
    except Exception:  # noqa: BLE001 - pyparsing's errors: the query then runs per node, as pySHACL runs it
        return None
    # parse-tree nodes answer .get() for a missing key with the key: membership is the test
    if query.name != "SelectQuery" or any(k in query for k in ("datasetClause", "groupby", "having", "orderby",
                                                                "valuesClause")):
        return None
    if "projection" in query and any(name.startswith("Aggregate") for name in _names(query["projection"])):
        return None
    if "where" not in query or query["where"].name != "GroupGraphPatternSub" or not _group_ok(query["where"], True):
        return None
    slice_ = query["limitoffset"] if "limitoffset" in query else {}
    limit = slice_["limit"] if "limit" in slice_ else None
    return int(slice_["offset"] if "offset" in slice_ else 0), None if limit is None else int(limit)


_THIS = Variable("this")


def _group_ok(group: Any, top: bool) -> bool:
    parts = group["part"] if "part" in group else ()
    certain = {v for part in parts if part.name == "TriplesBlock" for v in _mentioned(part)}
    for part in parts:
        if part.name == "TriplesBlock":
            continue
        if part.name in ("Filter", "Bind"):
            if part.name == "Bind" and part["var"] == _THIS:
                return False
            if not top and _THIS in _mentioned(part["expr"]) and _THIS not in certain:
                return False
            continue
        if part.name == "GroupOrUnionGraphPattern" and len(part.graph) == 1 and \
                part.graph[0].name == "GroupGraphPatternSub" and _group_ok(part.graph[0], top=False):
            continue
        return False
    return True


def _parts(node: Any) -> Iterator[Any]:
    if isinstance(node, dict):
        yield from node.values()
    elif isinstance(node, (list, tuple, ParseResults)):
        yield from node


def _mentioned(node: Any) -> set[Variable]:
    """Every variable in a part of a parse tree, inside its EXISTS patterns too."""
    if isinstance(node, Variable):
        return {node}
    return set().union(*(_mentioned(part) for part in _parts(node)))


def _names(node: Any) -> Iterator[str]:
    """The names of the parse-tree nodes in a part of a parse tree."""
    name = getattr(node, "name", None) if isinstance(node, dict) else None
    if isinstance(name, str):
        yield name
    for part in _parts(node):
        yield from _names(part)


@contextmanager
def fast_sparql(data: Graph | None = None, triples: Sequence[tuple] = ()) -> Iterator[None]:
    """Within the block, rdflib SPARQL queries on plain graphs run on an Oxigraph copy of the graph.

    ``triples``, the triples of ``data`` each once, are copied instead of reading them back from the graph.
    """
    from rdflib.plugins.sparql import processor
    from rdflib.plugins.sparql.evaluate import evalQuery

    original = processor.SPARQLProcessor.query
    mirrors: dict[int, tuple[Graph, ox.Store]] = {}
    within_limits: set[str] = set()

    def mirror(graph: Graph) -> ox.Store | None:
        if type(graph) is not Graph:  # datasets and conjunctive graphs keep rdflib's semantics
            return None
        if id(graph) not in mirrors:
            store = ox.Store()
            store.bulk_extend(
                # to_oxigraph's union is wider than Quad's places; an rdflib graph's triples convert to valid ones
                ox.Quad(*(to_oxigraph(t) for t in triple))  # type: ignore[arg-type]
                for triple in (triples if graph is data and triples else graph)
            )
            mirrors[id(graph)] = (graph, store)
        return mirrors[id(graph)][1]

    def held_to_limits(text: str) -> None:
        """A shape's SPARQL goes to the engine: held to the limits, once per text."""
        if text not in within_limits:
            check_limits(text)
            within_limits.add(text)

    def query(  # noqa: N803
        self: processor.SPARQLProcessor, strOrQuery: str | Query, initBindings: Mapping[str, Identifier] | None = None,
        initNs: Mapping[str, Any] | None = None, base: str | None = None, DEBUG: bool = False,
    ) -> Mapping[Any, Any]:
        if isinstance(strOrQuery, str):
            store = mirror(self.graph)
            bound = {str(k): v for k, v in (initBindings or {}).items()}
            if store is not None and not any(isinstance(v, BNode) for v in bound.values()):
                declared = prefix_lines({k: str(v) for k, v in (initNs or {}).items()})
                values = {k: to_oxigraph(v) for k, v in bound.items()}
                held_to_limits(strOrQuery)
                try:
                    answer = store.query(declared + pre_bind(strOrQuery, values), base_iri=base)
                    return _oxigraph_result(answer, bound)
                except (SyntaxError, TypeError, ValueError, RuntimeError, OSError):
                    pass  # not for Oxigraph (or a blank node bound): rdflib below
            namespaces = tuple(sorted((k, str(v)) for k, v in (initNs or {}).items()))
            strOrQuery = _prepared(strOrQuery, base, namespaces)
        return evalQuery(self.graph, strOrQuery, initBindings or {}, base)

    from pyshacl.helper.sparql_query_helper import SPARQLQueryHelper

    original_check = SPARQLQueryHelper.check_invalid_sparql
    checked: set[tuple] = set()

    def check_invalid_sparql(
        self: SPARQLQueryHelper, sparql_text: str, valuenode: Any = None, extravars: Iterable[str] | None = None
    ) -> bool:
        """pySHACL's check of a query text, once per text rather than per focus node."""
        key = (sparql_text, valuenode is not None, tuple(sorted(extravars or ())))
        if key not in checked:
            original_check(self, sparql_text, valuenode=valuenode, extravars=extravars)
            checked.add(key)
        return True

    from pyshacl.constraints.sparql.sparql_based_constraints import SPARQLBasedConstraint
    from rdflib.plugins.sparql.processor import SPARQLResult

    original_evaluate = SPARQLBasedConstraint._evaluate_sparql_constraint
    original_validate = SPARQLBasedConstraint._validate_sparql_query
    #: (graph, query text) -> (projected variables, solutions by focus node), while a constraint is evaluated
    answered: dict[tuple[int, str], tuple[list[Variable], dict[Any, list[dict[Variable, Any]]]]] = {}

    def answer_all(constraint: Any, target: Any, focus: list[Any]) -> tuple[int, str] | None:
        """A constraint's query run once for all focus nodes, its solutions kept by node; None if it cannot be."""
        graph = getattr(target, "impl", target)  # pySHACL's wrapper around the rdflib graph
        store = mirror(graph)
        if store is None or not focus or any(isinstance(f, BNode) for f in focus):
            return None
        bound, text = constraint.pre_bind_variables(focus[0])
        text = constraint.apply_prefixes(text)
        if "this" not in bound or set(bound) - {"this", "currentShape"}:
            return None
        namespaces = dict(graph.namespaces())
        try:
            plan = _batch_plan(text)
            if plan is None:
                return None
            held_to_limits(text)
            fixed = {k: to_oxigraph(v) for k, v in bound.items() if k != "this"}
            batched = bind_many(pre_bind(text, fixed), "this", [to_oxigraph(f) for f in focus], drop_slice=True)
            answer = store.query(prefix_lines({k: str(v) for k, v in namespaces.items()}) + batched)
        except (SyntaxError, TypeError, ValueError, RuntimeError, OSError):
            return None  # one query per focus node, as pySHACL runs them
        if not isinstance(answer, ox.QuerySolutions):
            return None
        result = _oxigraph_result(answer, {k: v for k, v in bound.items() if k != "this"})
        by_focus: dict[Any, list[dict[Variable, Any]]] = {}
        for row in result["bindings"]:
            by_focus.setdefault(row[_THIS], []).append(row)
        offset, limit = plan
        if offset or limit is not None:
            by_focus = {f: rows[offset : None if limit is None else offset + limit] for f, rows in by_focus.items()}
        key = (id(graph), text)
        answered[key] = (result["vars_"], by_focus)
        return key

    def evaluate_sparql_constraint(self: Any, constraint: Any, target: Any, f_v_dict: dict) -> Any:
        key = answer_all(constraint, target, list(f_v_dict))
        try:
            return original_evaluate(self, constraint, target, f_v_dict)
        finally:
            if key is not None:
                del answered[key]

    def validate_sparql_query(self: Any, text: str, bound: dict[str, Any], target: Any) -> Any:
        graph = getattr(target, "impl", target)
        found = answered.get((id(graph), text))
        if found is None or "this" not in bound:
            return original_validate(self, text, bound, target)
        variables, by_focus = found
        rows = by_focus.get(bound["this"], [])
        result = SPARQLResult({"type_": "SELECT", "vars_": variables, "bindings": rows})
        return original_validate(self, text, bound, _Answered(result))

    # patching the classes for the block is the point: mypy forbids assigning to methods
    processor.SPARQLProcessor.query = query  # type: ignore[method-assign]
    SPARQLQueryHelper.check_invalid_sparql = check_invalid_sparql  # type: ignore[method-assign]
    SPARQLBasedConstraint._evaluate_sparql_constraint = evaluate_sparql_constraint  # type: ignore[method-assign]
    SPARQLBasedConstraint._validate_sparql_query = validate_sparql_query  # type: ignore[method-assign]
    try:
        yield
    finally:
        processor.SPARQLProcessor.query = original  # type: ignore[method-assign]
        SPARQLQueryHelper.check_invalid_sparql = original_check  # type: ignore[method-assign]
        SPARQLBasedConstraint._evaluate_sparql_constraint = original_evaluate  # type: ignore[method-assign]
        SPARQLBasedConstraint._validate_sparql_query = original_validate  # type: ignore[method-assign]
        mirrors.clear()
        answered.clear()


class _Answered:
    """Stands for the data graph in pySHACL's reading of one focus node's answer, already computed."""

    def __init__(self, result: Any) -> None:
        self.result = result

    def query(self, *args: Any, **kwargs: Any) -> Any:
        return self.result


@contextmanager
def _parameters_as_set() -> Iterator[None]:
    """Within the block, pySHACL tells a shape's constraint parameters by a set rather than a scan of its list.

    For every shape it validates (once per focus node for a nested one), pySHACL tests each predicate of the
    shape for membership in the list of all constraint parameters, by rdflib term equality: 6 % of a chunk's
    validation. A set answers the same (the shape's own order of predicates is kept); pySHACL reads it from
    its module, as its own cache, and copies it only with SHACL-JS or advanced features, which are off here.
    """
    from pyshacl import shape
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP

    missing = object()
    before = getattr(shape, "CONSTRAINT_PARAMS", missing)
    shape.CONSTRAINT_PARAMS = (frozenset(ALL_CONSTRAINT_PARAMETERS), CONSTRAINT_PARAMETERS_MAP)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        if before is missing:
            del shape.CONSTRAINT_PARAMS  # type: ignore[attr-defined]
        else:
            shape.CONSTRAINT_PARAMS = before  # type: ignore[attr-defined]


def run_pyshacl(data: Graph, shapes: Graph, *, triples: Sequence[tuple] = ()) -> tuple[bool, Graph]:
    """pySHACL with no inference and nothing mixed in: standard SHACL (core and SPARQL).

    ``triples``: those of ``data``, each once, if the caller has them (the SPARQL engine's copy is made from them).
    """
    import pyshacl
    from pyshacl.errors import ConstraintLoadError, ReportableRuntimeError, ShapeLoadError, ValidationFailure

    try:
        with fast_sparql(data, triples), _parameters_as_set():
            conforms, report, _ = pyshacl.validate(
                data, shacl_graph=shapes, inference="none", advanced=False, meta_shacl=False,
                allow_warnings=False, allow_infos=False, js=False, abort_on_first=False,
            )
    except (ConstraintLoadError, ShapeLoadError, ReportableRuntimeError, NotImplementedError, QueryError,
            ValueError, RecursionError) as exc:  # ValueError: e.g. a list whose rdf:rest is itself
        raise InputError(f"the shapes cannot be used: {one_line(exc)}") from None
    if isinstance(report, ValidationFailure):  # pySHACL returns, rather than raises, this one
        raise InputError(f"the shapes cannot be used: {one_line(report)}")
    return bool(conforms), report


