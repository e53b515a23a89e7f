"""Binding values into SPARQL text for endpoints: same answers as pyoxigraph's substitution, same shape."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from clusterkg.errors import QueryError
from clusterkg.sparql import syntax as sparql_text
from clusterkg.sparql.syntax import bind_values
from clusterkg.sparql.syntax import require_form as query_form

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

QUERIES = [
    "SELECT ?v ?s WHERE { ?s <urn:p> ?o OPTIONAL { ?s <urn:q> ?l FILTER(?l = ?v) } }",
    "SELECT ?v (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(?o != ?v) } GROUP BY ?v",
    "CONSTRUCT { ?s <urn:seen> ?v } WHERE { ?s <urn:p> ?o }",
    "SELECT ?v ?s WHERE { ?s <urn:r> ?x { SELECT ?x WHERE { ?x <urn:q> ?l OPTIONAL { ?x <urn:p> ?v } } } }",
    "SELECT ?v ?s WHERE { VALUES ?s { <urn:a> <urn:b> } ?s <urn:p> ?o BIND(?v AS ?copy) }",
]


def _store() -> ox.Store:
    store = ox.Store()
    store.load(DATA.encode(), format=ox.RdfFormat.TURTLE)
    return store


def _answer(result) -> object:
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QuerySolutions):
        return sorted(tuple(str(t) for t in row) for row in result)
    return sorted(str(t) for t in result)


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("value", HOSTILE, ids=str)
def test_values_give_the_answers_of_substitution(query: str, value) -> None:
    store = _store()
    expected = _answer(store.query(query, substitutions={ox.Variable("v"): value}))
    rewritten = bind_values(query, {"v": value})
    assert _answer(store.query(rewritten)) == expected


@pytest.mark.parametrize("value", HOSTILE, ids=str)
def test_a_value_never_changes_the_shape(value) -> None:
    query = "SELECT ?v ?s WHERE { ?s ?p ?o FILTER(?o = ?v) } # ?v in a comment"
    placeholder = ox.NamedNode("urn:placeholder")
    shape = bind_values(query, {"v": placeholder})
    assert bind_values(query, {"v": value}) == shape.replace(str(placeholder), str(value))
    assert shape.count(str(placeholder)) == 2  # in the VALUES block and in the FILTER, not in the comment


def test_bound_keeps_its_variable() -> None:
    rewritten = bind_values("SELECT ?v WHERE { ?s ?p ?o FILTER(BOUND(?v) && ?o = ?v) }", {"v": ox.Literal("x")})
    assert 'FILTER(BOUND(?v) && ?o = "x")' in rewritten
    assert [str(r[0]) for r in _store().query(rewritten)] == ['"x"']


def test_ask_is_bound_too() -> None:
    query = "ASK { ?s ?p ?o FILTER(sameTerm(?o, ?v)) }"
    assert bool(_store().query(bind_values(query, {"v": ox.Literal("ko", language="ko")})))
    assert not bool(_store().query(bind_values(query, {"v": ox.Literal("ko")})))


def test_short_construct_is_expanded() -> None:
    store = _store()
    rewritten = bind_values("CONSTRUCT WHERE { ?s <urn:p> ?o }", {"s": ox.NamedNode("urn:a")})
    assert _answer(store.query(rewritten)) == ['<urn:a> <urn:p> "x"']


def test_describe_without_where_gets_a_values_block() -> None:
    rewritten = bind_values("DESCRIBE ?s # the end", {"s": ox.NamedNode("urn:a")})
    assert "<urn:a> <urn:p>" in " ".join(_answer(_store().query(rewritten)))


def test_blank_nodes_and_bad_names_are_refused() -> None:
    with pytest.raises(QueryError, match="blank node"):
        bind_values("SELECT * { ?s ?p ?o }", {"s": ox.BlankNode()})
    with pytest.raises(QueryError, match="invalid variable name"):
        bind_values("SELECT * { ?s ?p ?o }", {"s) {} #": ox.Literal("x")})
    with pytest.raises(QueryError, match="update"):
        bind_values("DELETE WHERE { ?s ?p ?o }", {"s": ox.NamedNode("urn:a")})


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("PREFIX select: <urn:x> # ASK\nSELECT * { ?s ?p ?o }", "SELECT"),
        ("BASE <urn:b> ask { }", "ASK"),
        ("PREFIX : <urn:> CONSTRUCT WHERE { ?s :p ?o }", "CONSTRUCT"),
        ('INSERT DATA { <urn:a> <urn:p> "SELECT" }', "INSERT"),
        ("WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH"),
    ],
)
def test_query_form(text: str, form: str) -> None:
    assert query_form(text) == form


def test_no_form_is_an_error() -> None:
    with pytest.raises(QueryError, match="not a SPARQL query"):
        query_form("# nothing here\n{ ?s ?p ?o }")


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("PREFIX select.x: <urn:x> INSERT DATA { <urn:a> <urn:p> <urn:o> }", "INSERT"),
        ("PREFIX # a comment\n ex: <urn:x> SELECT * {}", "SELECT"),
        ("# a comment\rINSERT DATA {}", "INSERT"),
        ("\ufeffASK {}", "ASK"),
        ("PREFIX ex: <http://x/a#b> DELETE WHERE { ?s ?p ?o }", "DELETE"),
        ('SELECT ("INSERT" AS ?x) {}', "SELECT"),
        ("VALUES ?x { 1 } DELETE WHERE { ?s ?p ?o }", ""),
        ("", ""),
        ("SELECT * {}", "SELECT"),
        ("# comment\nPREFIX a: <http://a/>\nBASE <http://b/>\n  ask {}", "ASK"),
        ("PREFIX : <http://a/> CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("PREFIX x: <y> INSERT DATA { <a> <b> <c> }", "INSERT"),
        ("# DELETE\nDELETE WHERE { ?s ?p ?o }", "DELETE"),
        ("drop all", "DROP"),
    ],
)
def test_query_form_reads_only_the_prologue(text: str, form: str) -> None:
    assert sparql_text.query_form(text) == form


def test_an_escaped_hash_is_no_comment_and_hides_no_service() -> None:
    """Issue 12, item 1: ``ex:x\\#`` is a prefixed name with an escape, not a comment that blanks the line."""
    text = (r"PREFIX ex: <http://example.org/> SELECT * WHERE { OPTIONAL { ?a ex:x\# ?b } "
            r"SERVICE <http://127.0.0.1:9/internal> { ?s ?p ?o } }")
    assert [t.text for t in sparql_text.tokens(text) if t.kind == "pname"] == ["ex:", r"ex:x\#"]
    assert sparql_text.uses_service(text)
    assert not sparql_text.uses_service(text.replace("SERVICE", "# SERVICE"))
