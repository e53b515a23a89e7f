"""IRIs that the code needs: the ontology namespace, ids, and graph names.

Plain strings, so that importing this module costs nothing.
"""

from __future__ import annotations

BASE = "https://w3id.org/clusterkg/"
CKG = BASE + "ontology#"  # classes and properties
CKI = BASE + "id/"  # individuals: clusters, claims, excerpts, ...
GRAPH = BASE + "graph/"  # named graphs in a store

#: Prefixes used in queries, exports and reports.
PREFIXES: dict[str, str] = {
    "ckg": CKG,
    "cki": CKI,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "org": "http://www.w3.org/ns/org#",
    "cito": "http://purl.org/spar/cito/",
}


def kb_graph(stem: str) -> str:
    """The named graph holding one file of the shipped knowledge base."""
    return f"{GRAPH}kb/{stem}"


def case_graph(slug: str) -> str:
    """The named graph holding one added case."""
    return f"{GRAPH}case/{slug}"


#: Graphs written by later steps, each kept apart from the stated facts.
LINKS_GRAPH = GRAPH + "links"
OPENDATA_GRAPH = GRAPH + "links/opendata"  # identifiers from offline open data (GeoNames, ISO, KSIC/ISIC)
ENRICHMENT_GRAPH = GRAPH + "enrichment"
INFERRED_GRAPH = GRAPH + "inferred"
