"""Binding values into SPARQL text: any variable of any query form, as a term, never as pasted text."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from clusterkg.errors import QueryError
from clusterkg.sparql.bindings import bind

DATA = """
<urn:a> <urn:p> "x" ; <urn:q> "en"@en , "ko"@ko ; <urn:r> <urn:b> .
<urn:b> <urn:p> "y" ; <urn:q> "b-en"@en .
"""

HOSTILE = [
    ox.Literal('x" } ; DROP ALL ; SELECT * { ?s ?p ?o'),
    ox.Literal("x' } # comment"),
    ox.Literal("line\nbreak\r\t\\u0022 \\"),
    ox.Literal('"""'),
    ox.Literal("}", language="en"),
    ox.Literal("12", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
    ox.NamedNode("urn:a"),
    ox.NamedNode("http://example.org/a?b=c&d=%7D#x"),
]

#: Queries where ?v is selected: pyoxigraph's own substitution gives the reference answer.
PROJECTED = [
    "SELECT ?v ?s WHERE { ?s <urn:p> ?o OPTIONAL { ?s <urn:q> ?l FILTER(?l = ?v) } }",
    "SELECT ?v (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(?o != ?v) } GROUP BY ?v",
    "CONSTRUCT { ?s <urn:seen> ?v } WHERE { ?s <urn:p> ?o }",
    "SELECT ?v ?s WHERE { ?s <urn:r> ?x { SELECT ?x WHERE { ?x <urn:q> ?l OPTIONAL { ?x <urn:p> ?v } } } }",
    "SELECT ?v ?s WHERE { VALUES ?s { <urn:a> <urn:b> } ?s <urn:p> ?o BIND(?v AS ?copy) }",
    "SELECT * WHERE { ?s ?p ?v OPTIONAL { ?v ?q ?w } }",
    "SELECT ?v ?s WHERE { { ?s <urn:p> ?v } UNION { ?s <urn:q> ?v } } ORDER BY ?v ?s",
]


def _store() -> ox.Store:
    store = ox.Store()
    store.load(DATA.encode(), format=ox.RdfFormat.TURTLE)
    return store


def _answer(result) -> object:
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        return sorted(names), sorted(tuple(sorted((n, str(row[n])) for n in names)) for row in result)
    return sorted(str(t) for t in result)


@pytest.mark.parametrize("query", PROJECTED)
@pytest.mark.parametrize("value", HOSTILE, ids=str)
def test_values_give_the_answers_of_substitution(query: str, value) -> None:
    store = _store()
    expected = _answer(store.query(query, substitutions={ox.Variable("v"): value}))
    assert _answer(store.query(bind(query, {"v": value}))) == expected


@pytest.mark.parametrize("value", HOSTILE, ids=str)
def test_a_value_never_changes_the_shape(value) -> None:
    query = "SELECT ?s WHERE { ?s ?p ?o FILTER(?o = ?v) } # ?v in a comment"
    placeholder = ox.NamedNode("urn:placeholder")
    shape = bind(query, {"v": placeholder})
    assert bind(query, {"v": value}) == shape.replace(str(placeholder), str(value))
    assert shape.count(str(placeholder)) == 1  # in the FILTER, not in the comment


@pytest.mark.parametrize(
    ("query", "value", "expected"),
    [
        # variables the query does not select: what Jena's ParameterizedSparqlString gives
        ("SELECT ?x WHERE { BIND(?v AS ?x) }", ox.Literal("x"), [("x", '"x"')]),
        ("SELECT ?s WHERE { ?s <urn:p> ?v }", ox.Literal("y"), [("s", "<urn:b>")]),
        ("SELECT ?s WHERE { ?s <urn:q> ?l FILTER(lang(?l) = ?v) }", ox.Literal("ko"), [("s", "<urn:a>")]),
        ("SELECT ?s WHERE { OPTIONAL { ?s <urn:r> ?v } FILTER(BOUND(?s)) }", ox.NamedNode("urn:b"), [("s", "<urn:a>")]),
        ("SELECT ?s WHERE { ?s <urn:p> ?o FILTER(BOUND(?v)) } ORDER BY ?s", ox.Literal("x"),
         [("s", "<urn:a>"), ("s", "<urn:b>")]),
    ],
)
def test_any_variable_can_be_bound(query: str, value, expected: list[tuple[str, str]]) -> None:
    rows = [tuple((v.value, str(row[v.value])) for v in result.variables)[0]
            for result in [_store().query(bind(query, {"v": value}))] for row in result]
    assert rows == expected


def test_select_star_keeps_the_bound_variable() -> None:
    result = _store().query(bind("SELECT * WHERE { ?s <urn:p> ?v }", {"v": ox.Literal("x")}))
    assert sorted(v.value for v in result.variables) == ["s", "v"]
    assert [(str(r["s"]), str(r["v"])) for r in result] == [("<urn:a>", '"x"')]


def test_ask_describe_and_construct_are_bound_too() -> None:
    store = _store()
    query = "ASK { ?s ?p ?o FILTER(sameTerm(?o, ?v)) }"
    assert bool(store.query(bind(query, {"v": ox.Literal("ko", language="ko")})))
    assert not bool(store.query(bind(query, {"v": ox.Literal("ko")})))
    described = _answer(store.query(bind("DESCRIBE ?s # the end", {"s": ox.NamedNode("urn:a")})))
    assert '<urn:a> <urn:p> "x"' in described
    assert _answer(store.query(bind("CONSTRUCT WHERE { ?s <urn:p> ?o }", {"s": ox.NamedNode("urn:a")}))) == [
        '<urn:a> <urn:p> "x"'
    ]


def test_grouping_and_ordering_by_a_bound_variable() -> None:
    text = bind("SELECT ?v (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?v ORDER BY ?v", {"v": ox.Literal("k")})
    assert "GROUP BY (\"k\")" in text and "ORDER BY (\"k\")" in text
    assert [str(r["n"].value) for r in _store().query(text)] == ["6"]


def test_a_variable_the_query_assigns_is_refused() -> None:
    for query, how in [("SELECT ?x WHERE { BIND(1 AS ?v) }", "AS"), ("SELECT (1 AS ?v) {}", "AS"),
                       ("SELECT ?x WHERE { VALUES ?v { 1 } }", "VALUES"), ("SELECT * {} VALUES (?a ?v) { (1 2) }", "VALUES")]:
        with pytest.raises(QueryError, match=f"gives it a value itself \\({how}\\)"):
            bind(query, {"v": ox.Literal("1")})


def test_blank_nodes_and_bad_names_are_refused() -> None:
    with pytest.raises(QueryError, match="blank node"):
        bind("SELECT * { ?s ?p ?o }", {"s": ox.BlankNode()})
    with pytest.raises(QueryError, match="invalid variable name"):
        bind("SELECT * { ?s ?p ?o }", {"s) {} #": ox.Literal("x")})
    with pytest.raises(QueryError, match="update"):
        bind("DELETE WHERE { ?s ?p ?o }", {"s": ox.NamedNode("urn:a")})
