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
from rdflib import BNode, Graph

from .errors import InputError, QueryError, one_line
from .inputs import parse_rdf
from .namespaces import PREFIXES, SH, prefix_lines
from .rdfterms import to_oxigraph, to_rdflib
from .sparql.limits import check_limits
from .sparql.syntax import pre_bind

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


@contextmanager
def fast_sparql() -> Iterator[None]:
    """Within the block, rdflib SPARQL queries on plain graphs run on an Oxigraph copy of the graph."""
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
                ox.Quad(*(to_oxigraph(t) for t in triple)) for triple in graph  # type: ignore[arg-type]
            )
            mirrors[id(graph)] = (graph, store)
        return mirrors[id(graph)][1]

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
                if strOrQuery not in within_limits:  # a shape's SPARQL goes to the engine: hold it to the limits
                    check_limits(strOrQuery)
                    within_limits.add(strOrQuery)
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

    # patching the classes for the block is the point: mypy forbids assigning to methods
    processor.SPARQLProcessor.query = query  # type: ignore[method-assign]
    SPARQLQueryHelper.check_invalid_sparql = check_invalid_sparql  # type: ignore[method-assign]
    try:
        yield
    finally:
        processor.SPARQLProcessor.query = original  # type: ignore[method-assign]
        SPARQLQueryHelper.check_invalid_sparql = original_check  # type: ignore[method-assign]
        mirrors.clear()


def run_pyshacl(data: Graph, shapes: Graph) -> tuple[bool, Graph]:
    """pySHACL with no inference and nothing mixed in: standard SHACL (core and SPARQL)."""
    import pyshacl
    from pyshacl.errors import ConstraintLoadError, ReportableRuntimeError, ShapeLoadError, ValidationFailure

    try:
        with fast_sparql():
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


