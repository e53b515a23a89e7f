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
    """Places, clusters, organisations, concepts: each is attested by an excerpt, or is itself a declared
    reading of the project (its type carries an interpretation: the maturity stage)."""
    provenance_types = {NS.Excerpt, NS.Section, NS.SourceDocument}
    interpreted = {(s, p, o) for s, p, o, _ in interpretations(graph)}
    unattested = []
    for subject in our_subjects(graph):
        if not str(subject).startswith(CKI) or set(graph.objects(subject, RDF.type)) & provenance_types:
            continue
        if not (set(graph.objects(subject, NS.attestedBy)) | set(graph.objects(subject, PROV.wasDerivedFrom))):
            if not any((subject, RDF.type, t) in interpreted for t in graph.objects(subject, RDF.type)):
                unattested.append(str(subject))
    assert not unattested


def axiom_annotations(graph: rdflib.Graph) -> set[tuple]:
    """The statements that an OWL axiom annotation attests with an excerpt (the paper's own assertions)."""
    return {
        (graph.value(a, OWL.annotatedSource), graph.value(a, OWL.annotatedProperty), graph.value(a, OWL.annotatedTarget))
        for a in graph.subjects(RDF.type, OWL.Axiom)
        if graph.value(a, NS.attestedBy) is not None
    }


def interpretations(graph: rdflib.Graph) -> list[tuple]:
    """(subject, property, object, axiom) of every statement declared as the project's reading."""
    return [
        (graph.value(a, OWL.annotatedSource), graph.value(a, OWL.annotatedProperty), graph.value(a, OWL.annotatedTarget), a)
        for a in set(graph.subjects(NS.interpretationNote, None))
    ]


def test_every_cluster_fact_carries_its_excerpt(graph) -> None:
    """Each stated fact about a cluster (type and ckg: properties) has an axiom annotation: the excerpt that
    states it, or the excerpts a declared interpretation is read from."""
    annotated = axiom_annotations(graph) | {(s, p, o) for s, p, o, _ in interpretations(graph)}
    skip = {NS.attestedBy}
    clusters = {s for s in our_subjects(graph) if str(s).startswith(CKI + "cluster-")}
    assert len(clusters) == 11
    missing = []
    for cluster in clusters:
        for p, o in graph.predicate_objects(cluster):
            if p in skip or not (p == RDF.type or str(p).startswith(CKG)):
                continue
            if (cluster, p, o) not in annotated:
                missing.append((str(cluster), str(p), str(o)))
    assert not missing, missing


def test_axiom_annotations_point_at_stated_facts(graph) -> None:
    for source, prop, target in axiom_annotations(graph) | {(s, p, o) for s, p, o, _ in interpretations(graph)}:
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


# --------------------------------------------------------------------------
# The paper's assertions apart from the project's readings
# --------------------------------------------------------------------------
#: Data files whose subjects are the paper's entities (the ontology's terms are in clusterkg.ttl).
DATA_FILES = ("paper", "concepts", "cases")
PROVENANCE_TYPES = {NS.Excerpt, NS.Section, NS.SourceDocument}
#: The links to the provenance themselves.
PROVENANCE_LINKS = {NS.attestedBy, PROV.wasDerivedFrom}
#: Names, renderings and notes of an entity: the entity's own excerpts cover them (Korean altLabels aside).
RENDERINGS = {RDFS.label, SKOS.prefLabel, SKOS.altLabel, SKOS.definition, NS.gloss, SKOS.editorialNote}
#: What kind of thing an entity is, and the scheme it belongs to: the entity's own excerpts cover them.
CLASSIFICATION = {RDF.type, SKOS.inScheme, SKOS.topConceptOf, SKOS.hasTopConcept}
#: Where a cell sits in the comparison table: checked against the source by test_table_cells_sit_in_their_rows.
TABLE_LAYOUT = {NS.onDimension, NS.featureOrder, SKOS.notation}


@pytest.fixture(scope="module")
def data_triples() -> list[tuple]:
    """The triples of the data files (not of the ontology), each parsed on its own."""
    from clusterkg.resources import ontology_files

    triples: list[tuple] = []
    for path in ontology_files():
        if path.stem in DATA_FILES:
            triples.extend(rdflib.Graph().parse(path, format="turtle"))
    assert len(triples) > 2000
    return triples


def entity_excerpts(graph: rdflib.Graph, subject) -> set:
    return set(graph.objects(subject, NS.attestedBy)) | set(graph.objects(subject, PROV.wasDerivedFrom))


def squeeze(text: str) -> str:
    return "".join(text.split())


def test_every_statement_about_a_paper_entity_is_attested_or_an_interpretation(graph, data_triples) -> None:
    """The rule of README "Provenance". A paper entity is a cki: individual of the data files other than the
    source's own record (source document, sections, excerpts), which is the provenance itself. Each statement
    with a paper entity as subject is one of:

    * a link to the provenance (ckg:attestedBy, prov:wasDerivedFrom), pointing at an excerpt;
    * a name, rendering or note (label, definition, gloss, editorial note) or a classification (type,
      scheme) of an entity that its own excerpts attest; a Korean skos:altLabel must besides be written,
      spaces aside, in one of those excerpts (an alias is a claim of identity);
    * a position in the comparison table, checked against the source elsewhere;
    * otherwise (every link and value, and whatever the rules above do not cover) a statement with an OWL axiom
      annotation: ckg:attestedBy an excerpt that states it, or a declared interpretation
      (ckg:interpretationNote in Korean and English, ckg:interpretedFrom).
    """
    attested = axiom_annotations(graph)
    interpreted = {(s, p, o) for s, p, o, _ in interpretations(graph)}
    assert not attested & interpreted  # a statement is the paper's or the project's, never both
    texts = {e: str(graph.value(e, NS.excerptText)) for e in graph.subjects(RDF.type, NS.Excerpt)}
    problems, checked = [], 0
    for s, p, o in data_triples:
        if not isinstance(s, URIRef) or not str(s).startswith(CKI) or set(graph.objects(s, RDF.type)) & PROVENANCE_TYPES:
            continue
        checked += 1
        own = entity_excerpts(graph, s)
        if (s, p, o) in interpreted or (s, p, o) in attested:
            continue
        if p in PROVENANCE_LINKS:
            if o not in texts:
                problems.append((s, p, o, "points at no excerpt"))
        elif p == SKOS.altLabel and getattr(o, "language", None) == "ko":
            if not any(squeeze(str(o)) in squeeze(texts[e]) for e in own if e in texts):
                problems.append((s, p, o, "a Korean alias that no excerpt of the entity writes"))
        elif p in RENDERINGS | CLASSIFICATION | TABLE_LAYOUT:
            if not own and not any((s, RDF.type, t) in interpreted for t in graph.objects(s, RDF.type)):
                problems.append((s, p, o, "an entity that no excerpt attests"))
        else:
            problems.append((s, p, o, "no axiom annotation: neither attested nor declared as an interpretation"))
    assert checked > 800
    assert not problems, "\n".join(" ".join(graph.namespace_manager.normalizeUri(x) if isinstance(x, URIRef) else str(x)
                                             for x in problem) for problem in problems)


def test_interpretations_say_what_they_rest_on(graph) -> None:
    found = interpretations(graph)
    assert len(found) >= 19
    for s, p, o, axiom in found:
        assert (graph.value(axiom, RDF.type)) == OWL.Axiom and (s, p, o) in graph, (s, p, o)
        assert {n.language for n in graph.objects(axiom, NS.interpretationNote)} == {"ko", "en"}, (s, p, o)
        basis = list(graph.objects(axiom, NS.interpretedFrom))
        assert basis and all(set(graph.objects(b, RDF.type)) & {NS.Excerpt, NS.Section} for b in basis), (s, p, o)
        assert graph.value(axiom, NS.attestedBy) is None, (s, p, o)
    assert (NS.interpretationNote, RDFS.subPropertyOf, SKOS.editorialNote) in graph


def test_the_interpretations_query_lists_every_interpretation(graph) -> None:
    from clusterkg import queries
    from clusterkg.resources import ontology_files
    from clusterkg.stores.files import open_files

    store = open_files(ontology_files())
    for lang in ("en", "ko"):
        result = queries.run_named(store, "interpretations", {"lang": lang})
        rows = [dict(zip(result.variables, row)) for row in result.rows]
        expected = interpretations(graph)
        assert len(rows) == len(expected)
        assert all(row["note"].language == lang and row["sections"].value for row in rows)
        listed = {(row["subject"].value, row["property"].value, row["object"].value) for row in rows}
        for s, p, o, _ in expected:
            shown = str(o) if not isinstance(o, BNode) else next(  # a class expression is shown in words
                row["object"].value for row in rows if row["subject"].value == str(s) and row["property"].value == str(p))
            assert (str(s), str(p), shown) in listed, (s, p, o)
    definition = [r for r in rows if r["subject"].value == CKG + "HighTechCluster"]
    assert [r["object"].value for r in definition] == ["지역산업군집 and (주력 산업 some 첨단산업)"]


def test_the_nineteen_readings_of_the_close_reading_are_gone_or_declared(graph) -> None:
    """Issue 14's list: what the paper does not say is either no longer stated or declared as a reading."""
    interpreted = {(s, p, o) for s, p, o, _ in interpretations(graph)}
    ckg, cki = NS, Namespace(CKI)

    def declared(s, p, o) -> bool:
        return (s, p, o) in graph and (s, p, o) in interpreted

    def gone(s, p, o) -> bool:
        return (s, p, o) not in graph

    assert declared(cki["stage-maturity"], RDF.type, ckg.LifeCycleStage)  # 1
    assert not list(graph.objects(cki["stage-maturity"], ckg.attestedBy))
    assert not list(graph.subject_objects(ckg.stageOrder)) and not list(graph.subject_objects(ckg.nextStage))  # 2
    assert (ckg.nextStage, RDF.type, OWL.FunctionalProperty) not in graph
    assert all((s, ckg.precedesStage, o) in interpreted for s, o in graph.subject_objects(ckg.precedesStage))
    svv, tv = cki["cluster-seoul-venture-valley"], cki["cluster-teheran-valley"]  # 3
    assert {str(x) for x in graph.objects(svv, SKOS.altLabel)} == set()
    assert (tv, ckg.stalledAtStage, cki["stage-take-off"]) in axiom_annotations(graph)
    assert not list(graph.objects(svv, ckg.stalledAtStage)) and not list(graph.objects(svv, ckg.illustrates))
    assert not any(svv in (s, o) and tv in (s, o) for s, _, o in graph)  # no link between the two is stated
    assert gone(ckg.HighTechCluster, OWL.disjointWith, ckg.MatureIndustrialCluster)  # 4
    assert not list(graph.subject_objects(OWL.disjointWith))
    definition = graph.value(ckg.HighTechCluster, OWL.equivalentClass)  # 5
    assert declared(ckg.HighTechCluster, OWL.equivalentClass, definition)
    assert declared(svv, RDF.type, ckg.HighTechCluster)  # 6
    assert declared(cki["cluster-dongdaemun-apparel"], RDF.type, ckg.MatureIndustrialCluster)
    bucheon = cki["cluster-bucheon"]  # 7
    for anchor in graph.objects(bucheon, ckg.anchorOrganisation):
        assert declared(bucheon, ckg.anchorOrganisation, anchor)
    assert declared(cki["org-anam-semiconductor"], RDF.type, ckg.Firm) and gone(cki["plant-anam-semiconductor"], RDF.type, ckg.Plant)
    assert declared(cki["plant-fairchild-semiconductor"], ckg.locatedIn, cki["place-bucheon"])  # 8
    assert not list(graph.objects(cki["org-anam-semiconductor"], ckg.locatedIn))
    assert declared(bucheon, ckg.approximateNumberOfFirms, Literal(7000))  # 9
    assert declared(cki["industry-it"], SKOS.broader, cki["industry-knowledge-based"])  # 10
    support = cki["finding-support-by-development-level"]  # 11
    assert not list(graph.objects(support, ckg.recommendsInstrument)) and len(list(graph.objects(support, ckg.mentionsInstrument))) == 4
    assert gone(cki["observation-bio-geographic-integration"], ckg.about, cki["cluster-daejeon-bio"])  # 12
    bio = [s for s in graph.subjects(ckg.about, cki["industry-bio"])]
    assert len(bio) == 4 and not any(o for b in bio for o in graph.objects(b, ckg.about) if str(o).startswith(CKI + "cluster-"))
    conclusion = cki["conclusion-mature-areas-may-be-advantaged"]  # 13
    about = set(graph.objects(conclusion, ckg.about))
    assert about == set(graph.subjects(RDF.type, ckg.FormationCondition)) | set(graph.subjects(RDF.type, ckg.ClusterCharacteristic))
    assert all(declared(conclusion, ckg.about, o) for o in about)
    for place in ("seoul", "incheon", "gyeongin-industrial-region"):  # 14
        assert declared(cki[f"place-{place}"], ckg.locatedIn, cki["place-korea"])
    assert declared(cki["place-seoul"], RDF.type, ckg.City) and declared(cki["place-daejeon"], RDF.type, ckg.City)
    for section in graph.subjects(RDF.type, ckg.Section):  # 15
        number = graph.value(section, ckg.sectionNumber)
        assert "." not in number or declared(section, ckg.sectionNumber, number)
        assert graph.value(section, ckg.sourceMarker) is not None
    assert not list(graph.objects(svv, ckg.appliesInstrument))  # 16
    assert declared(cki["initiative-bucheon-cultural-industry-district"], RDF.type, ckg.FosteringInitiative)  # 17
    assert cki["initiative-bucheon-cultural-industry-district"] not in set(graph.objects(bucheon, ckg.fosteringInitiative))
    characteristics = list(graph.subjects(RDF.type, ckg.ClusterCharacteristic))  # 18
    assert not [c for c in characteristics if graph.value(c, SKOS.notation) is not None]
    assert declared(cki["characteristic-history-and-dynamism"], RDF.type, ckg.ClusterCharacteristic)
    assert declared(cki["finding-initial-stage-needs-resources-finance-tax"], ckg.counters,  # 19
                    cki["myth-incentives-are-the-main-strategy"])


def test_excerpts_and_headings_stand_at_their_offsets_in_the_source(graph, source_text: str) -> None:
    """ckg:sourceOffset counts characters (code points) from 0; every excerpt lies within its section."""
    sections = sorted((int(graph.value(s, NS.sourceOffset)), s) for s in graph.subjects(RDF.type, NS.Section))
    assert len(sections) == 12
    span = {}
    for number, (offset, section) in enumerate(sections):
        heading, marker = str(graph.value(section, NS.heading)), str(graph.value(section, NS.sourceMarker))
        assert source_text[offset:offset + len(heading)] == heading
        assert source_text[offset - len(marker) - 1:offset] == marker + " "  # '1.', '○', '1)' as printed
        span[section] = (offset, sections[number + 1][0] if number + 1 < len(sections) else len(source_text))
    excerpts = list(graph.subjects(RDF.type, NS.Excerpt))
    for excerpt in excerpts:
        offset, text = int(graph.value(excerpt, NS.sourceOffset)), str(graph.value(excerpt, NS.excerptText))
        assert source_text[offset:offset + len(text)] == text, excerpt
        start, end = span[graph.value(excerpt, NS.inSection)]
        assert start <= offset < end, excerpt
    # excerpts are numbered in the order of the source within their section
    for section in span:
        ordered = sorted((int(graph.value(e, NS.sourceOffset)), e) for e in graph.subjects(NS.inSection, section))
        numbers = [int(str(next(x for x in graph.objects(e, RDFS.label) if x.language == "en")).split()[1]) for _, e in ordered]
        assert numbers == list(range(1, len(numbers) + 1)), section


def test_table_cells_sit_in_their_rows(graph) -> None:
    """A cell's dimension is the row its excerpt stands in; parts of a cell and rows are numbered as printed."""
    def offset(node) -> int:
        return int(graph.value(node, NS.sourceOffset))

    dimensions = sorted(graph.subjects(RDF.type, NS.ComparisonDimension), key=lambda d: int(graph.value(d, SKOS.notation)))
    rows = [offset(graph.value(d, NS.attestedBy)) for d in dimensions]
    assert rows == sorted(rows) and len(rows) == 4
    cells: dict[tuple, list] = {}
    for cluster, feature in graph.subject_objects(NS.hasFeature):
        at = offset(graph.value(feature, PROV.wasDerivedFrom))
        dimension = graph.value(feature, NS.onDimension)
        index = dimensions.index(dimension)
        assert rows[index] < at < (rows[index + 1] if index + 1 < len(rows) else at + 1), feature
        cells.setdefault((cluster, dimension), []).append((at, int(graph.value(feature, NS.featureOrder))))
    assert len(cells) == 8
    for parts in cells.values():
        assert [order for _, order in sorted(parts)] == list(range(1, len(parts) + 1))
