"""SHACL-SPARQL constraints run once for all focus nodes give pySHACL's own report.

``clusterkg.shacl.run_pyshacl`` runs a SPARQL constraint whose WHERE group is simple enough once, with the
focus nodes in a ``VALUES`` block, instead of once per node (``_batch_plan`` decides, from the parse tree).
Each query here is checked against plain pySHACL on the same graph (rdflib's SPARQL, pre-binding by
substitution, one query per focus node): the results must be the same set. The queries cover what the
batching must get right: filters of the top group and of nested groups, (NOT) EXISTS, BIND, LIMIT and OFFSET
per focus node, and forms that must stay per node (UNION, OPTIONAL, ORDER BY, aggregates, a filter in a
nested group that does not bind $this, the W3C pre-binding-003 shape).
"""

from __future__ import annotations

from collections import Counter

import pyshacl
import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef

from clusterkg import shacl

EX = Namespace("urn:ex:")
SH = Namespace("http://www.w3.org/ns/shacl#")

DATA = """
@prefix ex: <urn:ex:> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:a a ex:C ; rdfs:label "A"@en , "에이"@ko ; ex:p ex:x , ex:y ; ex:n 1 .
ex:b a ex:C ; rdfs:label "B"@en ; ex:p ex:x ; ex:n 2 .
ex:c a ex:C ; ex:p ex:y , ex:z ; ex:n 3 , 4 .
ex:d a ex:C .
ex:x ex:q ex:y . ex:y ex:q ex:z .
"""

#: (query, whether it is batched)
QUERIES = [
    ('SELECT $this WHERE { FILTER NOT EXISTS { $this rdfs:label ?l . FILTER (langMatches(lang(?l), "ko")) } }', True),
    ("SELECT $this ?value WHERE { $this ex:p ?value . FILTER (?value != ex:x) }", True),
    ("SELECT $this ?value WHERE { $this ex:p ?value } LIMIT 1", True),
    ("SELECT $this ?value WHERE { $this ex:n ?value } OFFSET 1", True),
    ("SELECT DISTINCT $this WHERE { $this ex:p/ex:q ?o }", True),
    ("SELECT ?value WHERE { $this ex:p ?value . BIND (STR($this) AS ?s) FILTER (STRLEN(?s) > 0) }", True),
    ("SELECT $this ?value WHERE { { $this ex:p ?v . FILTER NOT EXISTS { $this ex:n 1 } } BIND (?v AS ?value) }", True),
    ("SELECT $this WHERE { { FILTER ($this = ex:a) } }", False),
    ("SELECT $this WHERE { { { FILTER ($this = ex:a) . } FILTER bound($this) . } FILTER (true) . }", False),
    ("SELECT $this WHERE { { BIND ($this AS ?me) } FILTER (bound(?me)) }", False),
    ("SELECT $this ?value WHERE { { $this ex:p ?value } UNION { ?value ex:q $this } }", False),
    ("SELECT $this ?value WHERE { $this a ex:C OPTIONAL { $this ex:p ?value } FILTER (!bound(?value)) }", False),
    ("SELECT $this ?value WHERE { $this ex:p ?value } ORDER BY ?value LIMIT 1", False),
    ("SELECT $this (COUNT(?v) AS ?value) WHERE { $this ex:p ?v } GROUP BY $this HAVING (COUNT(?v) > 1)", False),
]


def _shapes(query: str) -> Graph:
    shapes = Graph()
    shape, constraint = EX.Shape, EX.Constraint
    shapes.add((shape, RDF.type, SH.NodeShape))
    shapes.add((shape, SH.targetClass, EX.C))
    shapes.add((shape, SH.sparql, constraint))
    shapes.add((constraint, SH.select, Literal(query)))
    shapes.add((constraint, SH.prefixes, EX.prefixes))
    for prefix, namespace in (("ex", "urn:ex:"), ("rdfs", "http://www.w3.org/2000/01/rdf-schema#")):
        node = URIRef(f"urn:ex:declare-{prefix}")
        shapes.add((EX.prefixes, SH.declare, node))
        shapes.add((node, SH.prefix, Literal(prefix)))
        shapes.add((node, SH.namespace, Literal(namespace, datatype=URIRef("http://www.w3.org/2001/XMLSchema#anyURI"))))
    return shapes


def _results(report: Graph) -> set[tuple]:
    return {
        (report.value(r, SH.focusNode), report.value(r, SH.value), report.value(r, SH.resultPath))
        for r in report.subjects(RDF.type, SH.ValidationResult)
    }


@pytest.mark.parametrize(("query", "batched"), QUERIES, ids=[q for q, _ in QUERIES])
def test_batched_constraints_give_pyshacls_results(query: str, batched: bool) -> None:
    text = "PREFIX ex: <urn:ex:>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" + query
    assert (shacl._batch_plan(text) is not None) == batched
    data = Graph().parse(data=DATA, format="turtle")
    conforms, report, _ = pyshacl.validate(data, shacl_graph=_shapes(query), inference="none", advanced=False)
    expected = _results(report)
    ours_conform, ours = shacl.run_pyshacl(Graph().parse(data=DATA, format="turtle"), _shapes(query))
    assert ours_conform == conforms
    sliced = ("LIMIT" in query or "OFFSET" in query) and "ORDER" not in query
    if not sliced:
        assert _results(ours) == expected
        return
    # a slice without ORDER BY keeps any n solutions: the same number per focus node, each a solution
    unlimited = query.split("LIMIT")[0].split("OFFSET")[0]
    _, everything = shacl.run_pyshacl(Graph().parse(data=DATA, format="turtle"), _shapes(unlimited))
    assert _results(ours) <= _results(everything)
    assert Counter(f for f, _, _ in _results(ours)) == Counter(f for f, _, _ in expected)


def test_the_queries_find_something() -> None:
    """The comparison above is not between two empty reports: most queries report focus nodes."""
    found = 0
    for query, _ in QUERIES:
        _, report = shacl.run_pyshacl(Graph().parse(data=DATA, format="turtle"), _shapes(query))
        found += bool(_results(report))
    assert found >= len(QUERIES) - 2


def test_limit_applies_to_each_focus_node() -> None:
    _, report = shacl.run_pyshacl(Graph().parse(data=DATA, format="turtle"),
                                  _shapes("SELECT $this ?value WHERE { $this ex:p ?value } LIMIT 1"))
    focus = [f for f, _, _ in _results(report)]
    assert sorted(focus) == sorted([EX.a, EX.b, EX.c])  # one result each, not one in all
