"""Running pySHACL: standard SHACL (core and SHACL-SPARQL), made fast enough for large inputs.

Nothing here knows the project's shapes; :mod:`clusterkg.validation` does.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph

from . import entries as entries_mod
from .entries import new_graph
from .errors import InputError

SH = "http://www.w3.org/ns/shacl#"


def load_shapes(paths: Sequence[str | Path]) -> Graph:
    """SHACL shapes from Turtle or JSON-LD files."""
    graph = new_graph()
    for path in paths:
        path = Path(path)
        fmt = entries_mod.SUFFIXES.get(path.suffix.lower(), "ttl")
        if fmt not in {"ttl", "jsonld"}:
            fmt = "ttl"
        declared: dict[str, str] = {}
        raw = entries_mod.parse_rdf(path, fmt, raw=True, prefixes=declared)
        for prefix, namespace in declared.items():  # as rdflib would bind them when parsing
            graph.bind(prefix, namespace, override=True, replace=True)
        for quad in raw:
            if not _inactive(quad):
                graph.add(tuple(entries_mod.to_rdflib(t) for t in (quad.subject, quad.predicate, quad.object)))
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
def _prepared(text: str, base: str | None, namespaces: tuple[tuple[str, str], ...]) -> Any:
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    return translateQuery(parseQuery(text), base, dict(namespaces) or None)


# Strings, IRIs and comments (left alone), or a variable.
_TOKENS = re.compile(
    r'''("""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^<>"{}|^`\\\s]*>|#[^\n]*)'''
    r"|[?$]([A-Za-z_]\w*)"
)
_PROJECTION = re.compile(r"(?i)\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?(.*?)(?=\bWHERE\b|\{)", re.S)


def pre_bind(text: str, bindings: dict[str, Any]) -> str:
    """SHACL pre-binding: every occurrence of a pre-bound variable replaced by its value.

    Bare pre-bound variables leave the projections (``SELECT $this ?value``
    becomes ``SELECT ?value``, or ``SELECT *`` when nothing is left); callers
    add the values back to each solution. Values are IRIs or literals.
    """
    def drop(match: re.Match) -> str:
        kept, depth, out = [], 0, []
        for token in re.findall(r"\(|\)|[^\s()]+", match.group(1)):
            depth += token == "("
            depth -= token == ")"
            if depth == 0 and token[0] in "?$" and token[1:] in bindings:
                continue
            out.append(token)
            kept.append(token)
        projection = " ".join(out).replace("( ", "(").replace(" )", ")") or "*"
        return match.group(0)[: match.start(1) - match.start(0)] + projection + " "

    def substitute(match: re.Match) -> str:
        if match.group(1) is not None or match.group(2) not in bindings:
            return match.group(0)
        return str(bindings[match.group(2)])

    parts, last = [], 0
    for match in _PROJECTION.finditer(text):  # projections first, then the variables everywhere
        parts.append(text[last:match.start()])
        parts.append(drop(match))
        last = match.end()
    parts.append(text[last:])
    return _TOKENS.sub(substitute, "".join(parts))


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
        {**extra, **{var: entries_mod.to_rdflib(term) for var, term in zip(variables, solution) if term is not None}}
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

    def mirror(graph: Graph) -> ox.Store | None:
        if type(graph) is not Graph:  # datasets and conjunctive graphs keep rdflib's semantics
            return None
        if id(graph) not in mirrors:
            store = ox.Store()
            store.bulk_extend(
                ox.Quad(*(entries_mod.to_oxigraph(t) for t in triple)) for triple in graph
            )
            mirrors[id(graph)] = (graph, store)
        return mirrors[id(graph)][1]

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):  # noqa: N803
        if isinstance(strOrQuery, str):
            store = mirror(self.graph)
            bound = {str(k): v for k, v in (initBindings or {}).items()}
            if store is not None and not any(isinstance(v, BNode) for v in bound.values()):
                declared = "".join(f"PREFIX {k}: <{v}>\n" for k, v in (initNs or {}).items())
                values = {k: entries_mod.to_oxigraph(v) for k, v in bound.items()}
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

    def check_invalid_sparql(self, sparql_text, valuenode=None, extravars=None):  # noqa: ANN001
        """pySHACL's check of a query text, once per text rather than per focus node."""
        key = (sparql_text, valuenode is not None, tuple(sorted(extravars or ())))
        if key not in checked:
            original_check(self, sparql_text, valuenode=valuenode, extravars=extravars)
            checked.add(key)
        return True

    processor.SPARQLProcessor.query = query
    SPARQLQueryHelper.check_invalid_sparql = check_invalid_sparql
    try:
        yield
    finally:
        processor.SPARQLProcessor.query = original
        SPARQLQueryHelper.check_invalid_sparql = original_check
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
    except (ConstraintLoadError, ShapeLoadError, ReportableRuntimeError, NotImplementedError) as exc:
        raise InputError(f"the shapes cannot be used: {_one_line(exc)}") from None
    if isinstance(report, ValidationFailure):  # pySHACL returns, rather than raises, this one
        raise InputError(f"the shapes cannot be used: {_one_line(report)}")
    return bool(conforms), report


def _one_line(exc: BaseException) -> str:
    text = getattr(exc, "message", None) or str(exc)
    return " ".join(str(text).split())


