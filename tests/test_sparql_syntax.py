"""The SPARQL front end: a query's form, dataset clauses, SELECT * columns, relative IRIs, syntax errors, from tokens."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from clusterkg.errors import QueryError
from clusterkg.sparql import syntax as sparql_text
from clusterkg.sparql.syntax import require_form as query_form


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT * FROM <urn:g> { ?s ?p ?o }", True),
        ("SELECT * FROM NAMED <urn:g> { GRAPH ?g { ?s ?p ?o } }", True),
        ("PREFIX : <urn:> ASK FROM :g { }", True),
        ("SELECT * { ?s <urn:from> 'FROM <urn:g>' } # FROM <urn:g>", False),
        ("SELECT ?from { ?from ?p ?o }", False),
    ],
)
def test_dataset_clause_is_read_from_tokens(text: str, expected: bool) -> None:
    assert sparql_text.has_dataset_clause(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", ["s", "p", "o"]),
        ("SELECT DISTINCT * { ?zebra ?b ?a . OPTIONAL { ?a ?c ?d } }", ["zebra", "b", "a", "c", "d"]),
        ("PREFIX x: <urn:> SELECT * # ?comment\n { ?o x:p 'a ?string' ; x:q ?s }", ["o", "s"]),
        ("SELECT ?o ?s { ?s ?p ?o }", None),
        ("ASK { ?s ?p ?o }", None),
    ],
)
def test_star_variables_in_order_of_first_appearance(text: str, expected: list[str] | None) -> None:
    assert sparql_text.star_variables(text) == expected


def test_relative_iris() -> None:
    assert sparql_text.has_relative_iri("CONSTRUCT { <s> <p> 1 } WHERE {}")
    assert sparql_text.has_relative_iri("PREFIX : <#> SELECT * {}")
    assert not sparql_text.has_relative_iri("SELECT * { <urn:a> <http://x/p> '<relative>' } # <rel>")


@pytest.mark.parametrize(
    ("query", "terms"),
    [("SELECT * WHERE { ?s ?p }", "'?s ?p' has 2"), ("SELECT * WHERE { ?s }", "'?s' has 1"),
     ("SELECT * WHERE { ?s ?p . }", "'?s ?p' has 2"),
     ("SELECT * WHERE { ?a ?b 'c'@en . ?s <urn:p> }", "'?s <urn:p>' has 2")],
)
def test_an_incomplete_triple_pattern_is_explained(query: str, terms: str) -> None:
    try:
        ox.Store().query(query)
    except SyntaxError as exc:
        message = sparql_text.explain_syntax_error(str(exc), query)
    assert "a triple pattern needs a subject, a predicate and an object" in message, message
    assert terms in message


def test_other_syntax_errors_keep_the_engine_s_words() -> None:
    query = "SELECT ?x WHERE { ?x ?y ?z } LIMIT"
    try:
        ox.Store().query(query)
    except SyntaxError as exc:
        message = sparql_text.explain_syntax_error(str(exc), query)
    assert message.startswith("SPARQL syntax error at line 1") and "triple pattern" not in message


def test_an_escaped_hash_is_no_comment_and_hides_no_service() -> None:
    """Issue 12, item 1: ``ex:x\\#`` is a prefixed name with an escape, not a comment that blanks the line."""
    text = (r"PREFIX ex: <http://example.org/> SELECT * WHERE { OPTIONAL { ?a ex:x\# ?b } "
            r"SERVICE <http://127.0.0.1:9/internal> { ?s ?p ?o } }")
    assert [t.text for t in sparql_text.tokens(text) if t.kind == "pname"] == ["ex:", r"ex:x\#"]
    assert sparql_text.uses_service(text)
    assert not sparql_text.uses_service(text.replace("SERVICE", "# SERVICE"))
