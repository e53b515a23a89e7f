"""Competency questions: what a reader of the paper should be able to ask the graph.

Each question is a SPARQL query over the embedded store with the exact answer
the paper gives (local names of ``cki:`` individuals, or literal values).
"""

from __future__ import annotations

import pytest

from clusterkg.namespaces import CKI, PREFIXES
from clusterkg.stores import open_embedded

PREFIX = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def local(term) -> str:
    """``cki:`` IRIs as local names, literals as their lexical value."""
    value = term.value
    return value[len(CKI):] if value.startswith(CKI) else value


QUESTIONS: list[tuple[str, str, set]] = [
    (
        "Which findings counter the myth that clusters must be high-tech?",
        "SELECT ?f WHERE { ?f ckg:counters cki:myth-clusters-are-high-tech }",
        {"finding-formation-factors-abound-in-mature-areas", "finding-development-is-not-linear"},
    ),
    (
        "Which findings counter the spontaneous-versus-government-led myth?",
        "SELECT ?f WHERE { ?f ckg:counters cki:myth-spontaneous-vs-government-led }",
        {
            "finding-all-clusters-have-government-support",
            "finding-support-differs-by-country-and-life-cycle",
            "finding-support-by-development-level",
            "finding-deregulation-matters-most",
        },
    ),
    (
        "Which findings counter the myth that incentives are the main strategy?",
        "SELECT ?f WHERE { ?f ckg:counters cki:myth-incentives-are-the-main-strategy }",
        {
            "finding-initial-stage-needs-resources-finance-tax",
            "finding-growth-stage-needs-ict-networks-markets-people",
            "finding-korea-stalled-at-take-off",
        },
    ),
    (
        "Which myths does the paper argue against?",
        "SELECT ?m WHERE { ?m a ckg:Myth }",
        {"myth-spontaneous-vs-government-led", "myth-incentives-are-the-main-strategy", "myth-clusters-are-high-tech"},
    ),
    (
        "Which policies matter at the growth and expansion stage?",
        "SELECT ?i WHERE { ?i ckg:servesStage cki:stage-growth }",
        {
            "instrument-ict-infrastructure",
            "instrument-it-network",
            "instrument-market-support",
            "instrument-human-resource-support",
        },
    ),
    (
        "Which policies matter at the initial stage?",
        "SELECT ?i WHERE { ?i ckg:servesStage cki:stage-initial }",
        {"instrument-resource-investment", "instrument-financial-support", "instrument-tax-incentive"},
    ),
    (
        "Which main industries does Bucheon have?",
        "SELECT ?i WHERE { cki:cluster-bucheon ckg:hasMainIndustry ?i }",
        {
            "industry-machinery-equipment",
            "industry-electrical-electronics",
            "industry-chemical-products",
            "industry-metal-processing",
        },
    ),
    (
        "Which cluster is stalled at the take-off stage?",
        "SELECT ?c WHERE { ?c ckg:stalledAtStage cki:stage-take-off }",
        {"cluster-teheran-valley"},  # the paper's 테헤란밸리, which it never equates with the 서울벤처밸리
    ),
    (
        "Are Teheran Valley and the Seoul Venture Valley two clusters, neither named by the other's name?",
        """SELECT ?c WHERE { VALUES ?c { cki:cluster-teheran-valley cki:cluster-seoul-venture-valley }
             ?c a/rdfs:subClassOf* ckg:IndustrialCluster
             FILTER NOT EXISTS { ?c rdfs:label|skos:altLabel ?name ; rdfs:label|skos:altLabel ?other
                                 FILTER(STR(?name) IN ("테헤란밸리", "Teheran Valley") && STR(?other) = "서울벤처밸리") } }""",
        {"cluster-teheran-valley", "cluster-seoul-venture-valley"},
    ),
    (
        "To which clusters does the paper apply resource, finance and tax instruments?",
        "SELECT ?c WHERE { ?c ckg:appliesInstrument ?i }",
        set(),  # none: the paper says this of Korea as a whole (section 1.2)
    ),
    (
        "About how many firms does the Bucheon cluster have?",
        "SELECT ?n WHERE { cki:cluster-bucheon ckg:approximateNumberOfFirms ?n FILTER(datatype(?n) = xsd:integer) }",
        {"7000"},
    ),
    (
        "How long are the histories of the two compared clusters, in years?",
        "SELECT ?c ?y WHERE { ?c ckg:approximateHistoryYears ?y FILTER(datatype(?y) = xsd:integer) }",
        {("cluster-seoul-venture-valley", "20"), ("cluster-dongdaemun-apparel", "100")},
    ),
    (
        "Which clusters are mature industrial clusters?",
        "SELECT ?c WHERE { ?c a ckg:MatureIndustrialCluster }",
        {"cluster-dongdaemun-apparel", "cluster-bucheon"},
    ),
    (
        "Which clusters are high-tech (knowledge-based) clusters?",
        "SELECT ?c WHERE { ?c a ckg:HighTechCluster }",
        {"cluster-silicon-valley", "cluster-msc", "cluster-seoul-venture-valley"},
    ),
    (
        "Which bio clusters does the paper name in the USA?",
        "SELECT ?c WHERE { ?c a ckg:BioCluster ; ckg:locatedIn+ cki:place-usa }",
        {"cluster-boston-bio", "cluster-san-diego-bio", "cluster-san-francisco-bay-area-bio"},
    ),
    (
        "Which bio clusters does the paper name in Korea?",
        "SELECT ?c WHERE { ?c a ckg:BioCluster ; ckg:locatedIn+ cki:place-korea }",
        {"cluster-daejeon-bio", "cluster-southern-gyeonggi-bio"},
    ),
    (
        "Which cluster is the model of which formation stereotype?",
        "SELECT ?c ?s WHERE { ?c ckg:exemplifiesStereotype ?s }",
        {("cluster-silicon-valley", "stereotype-spontaneous"), ("cluster-msc", "stereotype-government-led")},
    ),
    (
        "What are the conditions of cluster formation (in English)?",
        'SELECT ?l WHERE { ?c a ckg:FormationCondition ; rdfs:label ?l FILTER(lang(?l) = "en") }',
        {"social process", "spatial process", "institutional process", "political process"},
    ),
    (
        "On which firm and plant is the high-tech industry of Bucheon centred?",
        "SELECT ?o ?type WHERE { cki:cluster-bucheon ckg:anchorOrganisation ?o . ?o a ?type }",
        {("org-anam-semiconductor", "https://w3id.org/clusterkg/ontology#Firm"),
         ("plant-fairchild-semiconductor", "https://w3id.org/clusterkg/ontology#Plant")},
    ),
    (
        "Which planned districts are part of Bucheon's innovative environment?",
        "SELECT ?d WHERE { cki:cluster-bucheon ckg:plannedDistrict ?d }",
        {"place-jung-dong", "place-sang-dong"},
    ),
    (
        "What did Bucheon use for place marketing?",
        "SELECT ?a WHERE { cki:cluster-bucheon ckg:placeMarketingAsset ?a }",
        {
            "event-bucheon-fantastic-film-festival",
            "event-bucheon-student-animation-festival",
            "org-bucheon-philharmonic",
            "org-bucheon-cartoon-museum",
            "initiative-bucheon-cultural-industry-district",
        },
    ),
    (
        "Through which initiatives does Bucheon foster high-tech industry?",
        "SELECT ?i WHERE { cki:cluster-bucheon ckg:fosteringInitiative ?i }",
        {"initiative-techno-park", "initiative-technology-industry-district", "initiative-knowledge-industry-district"},
    ),
    (
        "How do the two compared clusters differ in their socio-economic mechanism?",
        """SELECT ?c ?l WHERE { ?c ckg:hasFeature ?f . ?f ckg:onDimension cki:dimension-socio-economic ;
             rdfs:label ?l FILTER(lang(?l) = "ko") }""",
        {("cluster-seoul-venture-valley", "신뢰, 협력, 상호의존의 파트너십"), ("cluster-dongdaemun-apparel", "신뢰, 협력, 상호의존의 공동체")},
    ),
    (
        "Which cases illustrate the finding that Korea's clusters stall at take-off?",
        "SELECT ?c WHERE { ?c ckg:illustrates cki:finding-korea-stalled-at-take-off }",
        {"cluster-teheran-valley"},
    ),
    (
        "Which section of the paper is cut off, and how many excerpts come from it?",
        """SELECT ?s (COUNT(?e) AS ?n) WHERE { ?s ckg:isTruncated true OPTIONAL { ?e ckg:inSection ?s } } GROUP BY ?s""",
        {("section-3-4", "0")},
    ),
    (
        "Which key factors of cluster formation abound in mature industrial areas?",
        "SELECT ?f WHERE { cki:finding-formation-factors-abound-in-mature-areas ckg:mentionsFactor ?f }",
        {"factor-social-capital", "factor-local-networks", "factor-trust"},
    ),
    (
        "What matters more than strengthening support?",
        "SELECT ?i WHERE { cki:finding-deregulation-matters-most ckg:recommendsInstrument ?i }",
        {"instrument-deregulation"},
    ),
    (
        "Which life-cycle stage comes before which? (The paper orders none but the initial stage.)",
        "SELECT ?a ?b WHERE { ?a ckg:precedesStage ?b }",
        {("stage-initial", "stage-take-off"), ("stage-initial", "stage-growth"), ("stage-initial", "stage-maturity")},
    ),
    (
        "Which life-cycle stages does the knowledge base name, and which of them is its own reading?",
        """SELECT ?s ?reading WHERE { ?s a ckg:LifeCycleStage
             BIND(EXISTS { ?x owl:annotatedSource ?s ; owl:annotatedProperty rdf:type ; ckg:interpretationNote ?n }
                  AS ?reading) }""",
        {("stage-initial", "false"), ("stage-take-off", "false"), ("stage-growth", "false"), ("stage-maturity", "true")},
    ),
    (
        "Which claims are about the Daejeon bio cluster?",
        "SELECT ?c WHERE { ?c ckg:about cki:cluster-daejeon-bio }",
        set(),  # none: the bio observations of section 3.2 are about the bio industry in general
    ),
    (
        "Which instruments does the finding on development levels hold important, and which does it mention?",
        """SELECT ?p (COUNT(?i) AS ?n) WHERE { VALUES ?p { ckg:recommendsInstrument ckg:mentionsInstrument }
             OPTIONAL { cki:finding-support-by-development-level ?p ?i } } GROUP BY ?p""",
        {("https://w3id.org/clusterkg/ontology#recommendsInstrument", "0"),
         ("https://w3id.org/clusterkg/ontology#mentionsInstrument", "4")},  # it describes (나타남), it does not recommend
    ),
    (
        "Which findings rest on section 1.2?",
        "SELECT ?f WHERE { ?f a ckg:Finding ; prov:wasDerivedFrom/ckg:inSection cki:section-1-2 }",
        {
            "finding-initial-stage-needs-resources-finance-tax",
            "finding-growth-stage-needs-ict-networks-markets-people",
            "finding-korea-stalled-at-take-off",
        },
    ),
    (
        "On what did Korean cluster policy concentrate, according to the paper?",
        "SELECT ?i WHERE { cki:finding-korea-stalled-at-take-off ckg:mentionsInstrument ?i }",
        {"instrument-resource-investment", "instrument-financial-support", "instrument-tax-incentive"},
    ),
    (
        "What does the paper conclude from the conditions of cluster formation?",
        'SELECT ?c ?l WHERE { ?c a ckg:Conclusion ; rdfs:label ?l FILTER(lang(?l) = "en") }',
        {("conclusion-mature-areas-may-be-advantaged", "Mature industrial areas may be at an advantage over new industrial districts")},
    ),
]


@pytest.fixture(scope="module")
def answer():
    with open_embedded() as store:

        def run(sparql: str) -> set:
            rows = store.query(PREFIX + sparql).rows
            return {local(r[0]) if len(r) == 1 else tuple(local(t) for t in r) for r in rows}

        yield run


def test_enough_questions() -> None:
    assert len(QUESTIONS) >= 20


@pytest.mark.parametrize("question,sparql,expected", QUESTIONS, ids=[q for q, _, _ in QUESTIONS])
def test_competency_question(answer, question: str, sparql: str, expected: set) -> None:
    assert answer(sparql) == expected
