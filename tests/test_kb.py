"""The shipped knowledge base: labels, definitions, provenance, consistency."""

from __future__ import annotations

import shutil

import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, BNode, Literal, Namespace, URIRef

from clusterkg.kb import load_graph
from clusterkg.namespaces import CKG, CKI

SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
PROV = Namespace("http://www.w3.org/ns/prov#")
NS = Namespace(CKG)
OURS = (CKG, CKI)
DECLARATION_TYPES = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}


@pytest.fixture(scope="module")
def graph() -> rdflib.Graph:
    return load_graph()


def our_subjects(graph: rdflib.Graph) -> set[URIRef]:
    return {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef) and str(s).startswith(OURS)}


def test_every_term_and_individual_has_korean_and_english_labels(graph) -> None:
    missing = []
    for subject in our_subjects(graph):
        languages = {label.language for label in graph.objects(subject, RDFS.label) if isinstance(label, Literal)}
        if not {"ko", "en"} <= languages:
            missing.append((str(subject), sorted(filter(None, languages))))
    assert not missing, missing
    assert len(our_subjects(graph)) > 250


def test_every_class_has_a_definition_in_both_languages(graph) -> None:
    classes = [c for c in graph.subjects(RDF.type, OWL.Class) if str(c).startswith(CKG)]
    assert len(classes) >= 40
    for cls in classes:
        languages = {d.language for d in graph.objects(cls, SKOS.definition)}
        assert {"ko", "en"} <= languages, cls


def test_every_claim_has_provenance_verbatim_in_the_source(graph, source_text: str) -> None:
    claim_types = [NS.Myth, NS.Finding, NS.Observation, NS.Conclusion]
    claims = {c for t in claim_types for c in graph.subjects(RDF.type, t)}
    assert len(claims) == 24
    for claim in claims:
        excerpts = list(graph.objects(claim, PROV.wasDerivedFrom))
        assert excerpts, f"{claim} has no provenance"
        for excerpt in excerpts:
            assert (excerpt, RDF.type, NS.Excerpt) in graph
            text = graph.value(excerpt, NS.excerptText)
            assert text is not None and text.language == "ko"
            assert str(text) in source_text, f"{excerpt} is not verbatim in the source"
            assert graph.value(excerpt, NS.gloss).language == "en"
            assert (graph.value(excerpt, NS.inSection), RDF.type, NS.Section) in graph


def test_every_excerpt_is_verbatim_and_none_comes_from_the_cut_off_section(graph, source_text: str) -> None:
    excerpts = list(graph.subjects(RDF.type, NS.Excerpt))
    assert len(excerpts) == 66
    for excerpt in excerpts:
        assert str(graph.value(excerpt, NS.excerptText)) in source_text
    truncated = [s for s in graph.subjects(NS.isTruncated, Literal(True))]
    assert [str(s) for s in truncated] == [CKI + "section-3-4"]
    assert not list(graph.subjects(NS.inSection, truncated[0]))


def test_every_section_heading_is_verbatim(graph, source_text: str) -> None:
    sections = list(graph.subjects(RDF.type, NS.Section))
    assert len(sections) == 12
    for section in sections:
        assert str(graph.value(section, NS.heading)) in source_text


def test_every_paper_entity_points_to_its_excerpt(graph) -> None:
    """Places, clusters, organisations, concepts: each is attested by an excerpt."""
    provenance_types = {NS.Excerpt, NS.Section, NS.SourceDocument}
    unattested = []
    for subject in our_subjects(graph):
        if not str(subject).startswith(CKI) or set(graph.objects(subject, RDF.type)) & provenance_types:
            continue
        if not (set(graph.objects(subject, NS.attestedBy)) | set(graph.objects(subject, PROV.wasDerivedFrom))):
            unattested.append(str(subject))
    assert not unattested


def axiom_annotations(graph: rdflib.Graph) -> set[tuple]:
    return {
        (graph.value(a, OWL.annotatedSource), graph.value(a, OWL.annotatedProperty), graph.value(a, OWL.annotatedTarget))
        for a in graph.subjects(RDF.type, OWL.Axiom)
        if graph.value(a, NS.attestedBy) is not None
    }


def test_every_cluster_fact_carries_its_excerpt(graph) -> None:
    """Each stated fact about a cluster (type and ckg: properties) has an axiom annotation."""
    annotated = axiom_annotations(graph)
    skip = {NS.attestedBy}
    clusters = {s for s in our_subjects(graph) if str(s).startswith(CKI + "cluster-")}
    assert len(clusters) == 10
    missing = []
    for cluster in clusters:
        for p, o in graph.predicate_objects(cluster):
            if p in skip or not (p == RDF.type or str(p).startswith(CKG)):
                continue
            if (cluster, p, o) not in annotated:
                missing.append((str(cluster), str(p), str(o)))
    assert not missing, missing


def test_axiom_annotations_point_at_stated_facts(graph) -> None:
    for source, prop, target in axiom_annotations(graph):
        assert (source, prop, target) in graph, (source, prop, target)


def test_every_myth_is_countered(graph) -> None:
    for myth in graph.subjects(RDF.type, NS.Myth):
        assert list(graph.subjects(NS.counters, myth)), myth


def test_no_blank_node_individuals_need_labels(graph) -> None:
    """Blank nodes are only OWL axioms, restrictions and lists: none stands for a paper entity."""
    allowed = {OWL.Axiom, OWL.Restriction, OWL.Class, OWL.AllDisjointClasses, None}
    for node in {s for s in graph.subjects() if isinstance(s, BNode)}:
        assert graph.value(node, RDF.type) in allowed


@pytest.mark.slow  # HermiT needs Java
def test_hermit_finds_the_ontology_consistent(graph, tmp_path) -> None:
    if shutil.which("java") is None:
        pytest.fail("Java is not installed: HermiT (through owlready2) needs a 'java' executable on PATH")
    import owlready2

    path = tmp_path / "kb.nt"
    graph.serialize(path, format="nt", encoding="utf-8")
    world = owlready2.World()
    ontology = world.get_ontology(path.as_uri()).load()
    with ontology:
        owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
    assert list(world.inconsistent_classes()) == []
    # Something follows that was not stated: a feature's class from its dimension.
    feature = world[CKI + "feature-svv-socio-economic"]
    assert world[CKG + "SocioEconomicMechanism"] in feature.is_a
