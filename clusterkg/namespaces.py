"""Every IRI namespace the code needs, in one place: the project's own, the W3C
vocabularies, and those of the open data it links to.

Plain strings, so that importing this module costs nothing. Prefixed forms
are written and read here too (:func:`prefix_lines`, :func:`compact`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

BASE = "https://w3id.org/clusterkg/"
CKG = BASE + "ontology#"  # classes and properties
CKI = BASE + "id/"  # individuals: clusters, claims, excerpts, ...
GRAPH = BASE + "graph/"  # named graphs in a store
CODE = BASE + "code/"  # code lists of industry classifications: CODE + "isic4/2610"
SHAPES = BASE + "shapes#"  # the project's SHACL shapes

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
ORG = "http://www.w3.org/ns/org#"
CITO = "http://purl.org/spar/cito/"
SH = "http://www.w3.org/ns/shacl#"
SD = "http://www.w3.org/ns/sparql-service-description#"
RESULTS = "http://www.w3.org/2005/sparql-results#"

#: Open data the project links to.
WD = "http://www.wikidata.org/entity/"
WDT = "http://www.wikidata.org/prop/direct/"
GEONAMES = "https://sws.geonames.org/"
GEO = "http://www.opengis.net/ont/geosparql#"
SSSOM = "https://w3id.org/sssom/"
SEMAPV = "https://w3id.org/semapv/vocab/"

XSD_STRING = XSD + "string"

#: Prefixes used in queries, exports and reports.
PREFIXES: dict[str, str] = {
    "ckg": CKG,
    "cki": CKI,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "prov": PROV,
    "dcterms": DCTERMS,
    "schema": SCHEMA,
    "org": ORG,
    "cito": CITO,
}


def prefix_lines(prefixes: Mapping[str, str] | None = None, *, separator: str = "\n") -> str:
    """``PREFIX p: <iri>`` declarations for a query's prologue (default: the project's prefixes).

    >>> prefix_lines({**PREFIXES, "geo": GEO}).splitlines()[-1]
    'PREFIX geo: <http://www.opengis.net/ont/geosparql#>'
    """
    return "".join(f"PREFIX {p}: <{iri}>{separator}" for p, iri in (PREFIXES if prefixes is None else prefixes).items())


def curie(iri: str, prefixes: Mapping[str, str] | None = None, *, allowed: str | None = "-_.") -> str | None:
    """``prefix:local`` for an IRI in one of the namespaces, or None.

    The longest matching namespace wins; the local part must be letters,
    digits and the ``allowed`` punctuation (anything, if ``allowed`` is None).

    >>> curie("https://w3id.org/clusterkg/id/cluster-bucheon")
    'cki:cluster-bucheon'
    >>> curie("https://example.org/x") is None
    True
    """
    for prefix, namespace in sorted((prefixes or PREFIXES).items(), key=lambda item: -len(item[1])):
        local = iri[len(namespace):]
        if iri.startswith(namespace) and local and (allowed is None or all(c.isalnum() or c in allowed for c in local)):
            return f"{prefix}:{local}"
    return None


def compact(iri: str, prefixes: Mapping[str, str] | None = None, *, allowed: str | None = "-_.") -> str:
    """``prefix:local`` where a namespace fits (see :func:`curie`), else ``<iri>``.

    >>> compact("http://www.w3.org/2000/01/rdf-schema#label")
    'rdfs:label'
    >>> compact("https://example.org/x")
    '<https://example.org/x>'
    """
    return curie(iri, prefixes, allowed=allowed) or f"<{iri}>"


def shorten_iris(text: str) -> str:
    """A message with the IRIs it contains in prefixed form.

    >>> shorten_iris("see https://w3id.org/clusterkg/id/cluster-bucheon (and more)")
    'see cki:cluster-bucheon (and more)'
    """
    return re.sub(r"https?://[^\s,()<>]+", lambda m: compact(m.group(0), allowed=None), text)


def kb_graph(stem: str) -> str:
    """The named graph holding one file of the shipped knowledge base."""
    return f"{GRAPH}kb/{stem}"


def case_graph(slug: str) -> str:
    """The named graph holding one added case."""
    return f"{GRAPH}case/{slug}"


#: The user's own graphs (``clusterkg load``, ``clusterkg update``) when the user names no IRI, and the
#: default graph of an update.
USER_GRAPH = GRAPH + "user/"
USER_DEFAULT_GRAPH = USER_GRAPH + "default"


def user_graph(name: str) -> str:
    """The user graph of a short name (``mydata``): ``https://w3id.org/clusterkg/graph/user/mydata``."""
    return USER_GRAPH + name


def is_own_graph(iri: str) -> bool:
    """Whether a graph is clusterkg's own (the shipped knowledge base, cases, links, inferences), not the user's.

    Every graph under ``https://w3id.org/clusterkg/graph/`` but the user graphs is clusterkg's; any other
    IRI names a user graph.

    >>> is_own_graph(kb_graph("cases")), is_own_graph(USER_DEFAULT_GRAPH), is_own_graph("http://example.org/g")
    (True, False, False)
    """
    return iri.startswith(GRAPH) and not iri.startswith(USER_GRAPH)


#: Graphs written by later steps, each kept apart from the stated facts.
LINKS_GRAPH = GRAPH + "links"
OPENDATA_GRAPH = GRAPH + "links/opendata"  # identifiers from offline open data (GeoNames, ISO, KSIC/ISIC)
ENRICHMENT_GRAPH = GRAPH + "enrichment"
CONCEPTS_GRAPH = GRAPH + "concepts"  # classification codes and vocabulary terms that added cases name
INFERRED_GRAPH = GRAPH + "inferred"
