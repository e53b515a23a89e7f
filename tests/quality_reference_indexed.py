"""The quality report's queries as they were before they were made to read fewer terms' texts: the reference
that the present ones must agree with, row for row (tests/test_quality_indexed.py). Not part of the package."""

BEFORE = {
    'missing_label': """
SELECT DISTINCT ?entity ?value WHERE {
  ?entity a ?kind .
  FILTER(?kind IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty, owl:AnnotationProperty))
  FILTER(STRSTARTS(STR(?entity), STR(ckg:)))

  VALUES ?lang { "ko" "en" }
  FILTER NOT EXISTS { ?entity rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), ?lang)) }
  BIND(CONCAT("no rdfs:label@", ?lang) AS ?value)
}""",
    'missing_individual_label': """
SELECT DISTINCT ?entity ?value WHERE {
  { SELECT DISTINCT ?entity WHERE { ?entity a ?type } }
  FILTER(STRSTARTS(STR(?entity), STR(cki:)))
  MINUS { ?entity a ?skipped VALUES ?skipped { ckg:Excerpt ckg:Section owl:Axiom dcterms:BibliographicResource } }
  VALUES ?lang { "ko" "en" }
  MINUS { ?entity rdfs:label|skos:prefLabel ?label VALUES ?lang { "ko" "en" } FILTER(LANGMATCHES(LANG(?label), ?lang)) }
  BIND(CONCAT("no label@", ?lang) AS ?value)
}""",
    'multiple_labels': """
SELECT ?entity (CONCAT(STR(COUNT(DISTINCT ?label)), " rdfs:label@", ?lang) AS ?value) WHERE {
  ?entity rdfs:label ?label .
  FILTER(STRSTARTS(STR(?entity), STR(ckg:)) || STRSTARTS(STR(?entity), STR(cki:)))
  BIND(LANG(?label) AS ?lang)
}
GROUP BY ?entity ?lang
HAVING (COUNT(DISTINCT ?label) > 1)""",
    'undeclared_iri': """
SELECT DISTINCT ?entity ?value WHERE {
  {  # used with no rdf:type at all: the distinct terms of each position, less every typed one (a hash anti-join)
    { SELECT DISTINCT ?entity WHERE { ?entity ?p ?o } }
    UNION { SELECT DISTINCT ?entity WHERE { ?s ?entity ?o } }
    UNION { SELECT DISTINCT ?entity WHERE { ?s ?p ?entity FILTER(isIRI(?entity)) } }
    MINUS { ?entity a ?type }
  }
  UNION {  # a term of ckg: with a type, but not the type of a class or property
    { SELECT DISTINCT ?entity WHERE { ?entity a ?type } }
    FILTER(STRSTARTS(STR(?entity), STR(ckg:)))
    MINUS { ?entity a ?kind VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty } }
  }
  FILTER(isIRI(?entity))
  BIND(STRSTARTS(STR(?entity), STR(ckg:)) AS ?isTerm)
  FILTER(?isTerm || STRSTARTS(STR(?entity), STR(cki:)))
  BIND(IF(?isTerm, "used, never declared as a class or property", "used, never given an rdf:type") AS ?value)
}""",
    'unused_property': """
SELECT DISTINCT ?entity ?value WHERE {
  ?entity a ?kind .
  FILTER(?kind IN (owl:ObjectProperty, owl:DatatypeProperty, owl:AnnotationProperty))
  FILTER(STRSTARTS(STR(?entity), STR(ckg:)))
  FILTER NOT EXISTS { ?s ?entity ?o }
  FILTER NOT EXISTS { ?sub rdfs:subPropertyOf+ ?entity . FILTER EXISTS { ?s ?sub ?o } }
  BIND("never used" AS ?value)
}""",
    'claim_without_provenance': """
SELECT DISTINCT ?entity ?value WHERE {
  ?entity a/rdfs:subClassOf* ckg:Claim .
  FILTER NOT EXISTS { ?entity prov:wasDerivedFrom ?excerpt . FILTER EXISTS { ?excerpt a ckg:Excerpt } }
  BIND("no prov:wasDerivedFrom an excerpt" AS ?value)
}""",
    'finding_counters_no_myth': """
SELECT DISTINCT ?entity ?value WHERE {
  ?entity a ckg:Finding .
  FILTER NOT EXISTS { ?entity ckg:counters ?myth . ?myth a ckg:Myth }
  BIND("counters no myth" AS ?value)
}""",
}
