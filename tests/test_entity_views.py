"""An entity in plain words: its page, what each fact rests on, kinds and the neighbourhood graph."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

import clusterkg
from clusterkg import entity_views as views
from clusterkg.errors import NotFoundError
from clusterkg.namespaces import CKG, CKI, DCTERMS, RDF, RDFS, SKOS
from clusterkg.stores import open_embedded

CASES = Path(__file__).resolve().parent / "fixtures" / "cases" / "valid.yaml"
PANGYO = CKI + "cluster-pangyo-techno-valley"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    """The shipped knowledge base and the two cases of valid.yaml (Pangyo, Prato), added as a user would."""
    directory = tmp_path_factory.mktemp("kb-with-cases")
    clusterkg.open(store=directory).add(CASES)
    with open_embedded(directory) as opened:
        yield opened


def test_an_entity_page_in_plain_words(store) -> None:
    page = views.entity_page(store, CKI + "cluster-silicon-valley", "en")
    assert (page.label, page.kind) == ("Silicon Valley", "cluster")
    assert "high-tech cluster" in {k["label"] for k in page.kinds}
    shown = {f.property for f in page.facts}
    assert not shown & {RDF + "type", RDFS + "label", SKOS + "altLabel", CKG + "attestedBy"}  # shown apart or hidden
    industry = next(f for f in page.facts if f.property == CKG + "hasMainIndustry")
    assert industry.label == "has main industry"  # the property's label, not ckg:hasMainIndustry
    assert industry.values[0]["label"] == "knowledge-based industry" and industry.values[0]["basis"] == ["paper"]
    assert page.also_called == []  # 실리콘밸리 is the Korean page's
    assert "실리콘밸리" in views.entity_page(store, CKI + "cluster-silicon-valley", "ko").also_called
    assert page.sources and page.sources[0].kind == "entity" and page.sources[0].section == "1.1"


def test_a_page_in_korean_labels_its_properties_in_korean(store) -> None:
    page = views.entity_page(store, CKI + "cluster-bucheon", "ko")
    assert page.label == "부천 성숙산업 클러스터"
    labels = {f.property: f.label for f in page.facts}
    assert labels[CKG + "hasMainIndustry"] == "주력 산업" and labels[CKG + "locatedIn"] == "위치"
    assert not [label for label in labels.values() if ":" in label]  # no property left as a prefixed name
    referred = {f.property for f in page.referred_by}
    assert CKG + "about" in referred  # the observations about Bucheon point to it


def test_a_cluster_known_only_by_an_abbreviation_is_explained(store) -> None:
    page = views.entity_page(store, CKI + "cluster-msc", "en")
    assert any("The paper names this cluster only as 'MSC'" in d for d in page.description)


def test_an_unknown_entity_is_not_found(store) -> None:
    with pytest.raises(NotFoundError, match="cki:no-such-thing is not in the knowledge base"):
        views.entity_page(store, CKI + "no-such-thing")
    with pytest.raises(NotFoundError, match="^지식베이스에 cki:no-such-thing 개체가 없습니다$"):
        views.entity_page(store, CKI + "no-such-thing", "ko")  # in the page's language


def test_a_fact_stated_by_the_paper_rests_on_its_excerpt(store, source_text: str) -> None:
    [basis] = views.fact_basis(store, CKI + "cluster-silicon-valley", [CKG + "hasMainIndustry"])
    assert basis.kind == "paper" and basis.section == "1.1"
    assert basis.text in source_text and basis.gloss  # the Korean verbatim and its English gloss
    assert basis.object == {"type": "uri", "value": CKI + "industry-knowledge-based"}


def test_a_reading_of_the_project_rests_on_its_excerpts_and_note(store, source_text: str) -> None:
    bases = views.fact_basis(store, CKI + "cluster-bucheon", [CKG + "approximateNumberOfFirms"], lang="en")
    assert bases and {b.kind for b in bases} == {"reading"}
    assert all(b.text in source_text for b in bases)
    assert "this project's interpretation" in bases[0].note


def test_a_cases_fact_rests_on_the_source_the_case_cites(store) -> None:
    [basis] = views.fact_basis(store, PANGYO, [CKG + "numberOfFirms"])
    assert basis.kind == "case" and basis.property == DCTERMS + "source"
    assert basis.text == "Gyeonggi Province, Pangyo Techno Valley annual survey, 2020"
    assert (basis.url, basis.pages) == ("https://example.org/pangyo-survey", "12-14")
    assert views.entity_page(store, PANGYO).sources == [basis]


def test_a_fact_of_one_value_is_told_apart_from_the_others(store) -> None:
    everything = views.fact_basis(store, CKI + "cluster-bucheon", [CKG + "hasMainIndustry"])
    one = views.fact_basis(store, CKI + "cluster-bucheon", [CKG + "hasMainIndustry"],
                           ox.NamedNode(CKI + "industry-metal-processing"))
    assert one and set(map(repr, one)) <= set(map(repr, everything))
    assert all(b.object == {"type": "uri", "value": CKI + "industry-metal-processing"} for b in one)


def test_kinds_colour_the_graph(store) -> None:
    kinds = views.kinds_of(store, [CKI + "cluster-bucheon", CKI + "place-bucheon", CKI + "org-anam-semiconductor",
                                   CKI + "finding-korea-stalled-at-take-off", CKI + "no-such-thing"])
    assert list(kinds.values()) == ["cluster", "place", "organisation", "claim", "other"]
    assert views.kinds_of(store, []) == {}


def test_the_neighbourhood_links_either_way_with_labelled_edges(store) -> None:
    graph = views.neighbourhood(store, CKI + "cluster-bucheon", "en")
    nodes = {n["id"]: n for n in graph["nodes"]}
    assert graph["center"] == CKI + "cluster-bucheon" and nodes[CKI + "cluster-bucheon"]["kind"] == "cluster"
    assert nodes[CKI + "place-bucheon"] == {"id": CKI + "place-bucheon", "label": "Bucheon", "kind": "place"}
    assert any(e["target"] == CKI + "cluster-bucheon" for e in graph["edges"])  # incoming: observations about it
    assert all(e["label"] and e["property"] != RDF + "type" for e in graph["edges"])
    assert all(e["source"] in nodes and e["target"] in nodes for e in graph["edges"])
    small = views.neighbourhood(store, CKI + "cluster-bucheon", "en", limit=3)
    assert len(small["edges"]) == 3
