"""The quality report's queries as they were before issue 16 made them linear: the reference that the
new ones must agree with, row for row (tests/test_quality_linear.py). Not part of the package."""

OLD_QUERIES = {
    'missing_individual_label': """
SELECT DISTINCT ?entity ?value WHERE {
  ?entity a ?type .
  FILTER(STRSTARTS(STR(?entity), STR(cki:)))
  FILTER NOT EXISTS { ?entity a ckg:Excerpt }
  FILTER NOT EXISTS { ?entity a ckg:Section }
  FILTER NOT EXISTS { ?entity a owl:Axiom }
  FILTER NOT EXISTS { ?entity a dcterms:BibliographicResource }
  VALUES ?lang { "ko" "en" }
  FILTER NOT EXISTS { ?entity rdfs:label|skos:prefLabel ?label FILTER(LANGMATCHES(LANG(?label), ?lang)) }
  BIND(CONCAT("no label@", ?lang) AS ?value)
}""",
    'duplicate_label': """
SELECT DISTINCT ?entity ?value WHERE {
  ?entity rdfs:label|skos:prefLabel ?label .
  ?other rdfs:label|skos:prefLabel ?label .
  FILTER(?entity != ?other)
  FILTER(STRSTARTS(STR(?entity), STR(ckg:)) || STRSTARTS(STR(?entity), STR(cki:)))
  FILTER(STRSTARTS(STR(?other), STR(ckg:)) || STRSTARTS(STR(?other), STR(cki:)))
  { ?entity a owl:Class . ?other a owl:Class . BIND("class" AS ?kind) }
  UNION { ?entity a ?k1 . ?other a ?k2 .
          FILTER(?k1 IN (owl:ObjectProperty, owl:DatatypeProperty, owl:AnnotationProperty))
          FILTER(?k2 IN (owl:ObjectProperty, owl:DatatypeProperty, owl:AnnotationProperty)) BIND("property" AS ?kind) }
  UNION { ?entity a ?t1 . ?other a ?t2 . FILTER(STRSTARTS(STR(?entity), STR(cki:)) && STRSTARTS(STR(?other), STR(cki:)))
          BIND("individual" AS ?kind) }
  BIND(CONCAT("label \\"", STR(?label), "\\"@", LANG(?label), " also on ", STR(?other)) AS ?value)
}""",
    'undeclared_iri': """
SELECT DISTINCT ?entity ?value WHERE {
  { ?entity ?p ?o } UNION { ?s ?entity ?o } UNION { ?s ?p ?entity }
  FILTER(isIRI(?entity))
  BIND(STRSTARTS(STR(?entity), STR(ckg:)) AS ?isTerm)
  BIND(STRSTARTS(STR(?entity), STR(cki:)) AS ?isId)
  FILTER(?isTerm || ?isId)
  FILTER(!?isTerm || NOT EXISTS { ?entity a ?kind
    FILTER(?kind IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty, owl:AnnotationProperty)) })
  FILTER(!?isId || NOT EXISTS { ?entity a ?type })
  BIND(IF(?isTerm, "used, never declared as a class or property", "used, never given an rdf:type") AS ?value)
}""",
    'class_without_instances': """
SELECT DISTINCT ?entity ?value WHERE {
  ?entity a owl:Class .
  FILTER(STRSTARTS(STR(?entity), STR(ckg:)))
  FILTER NOT EXISTS { ?instance a/rdfs:subClassOf* ?entity }
  BIND("no instance" AS ?value)
}""",
    'unused_property': """
SELECT DISTINCT ?entity ?value WHERE {
  ?entity a ?kind .
  FILTER(?kind IN (owl:ObjectProperty, owl:DatatypeProperty, owl:AnnotationProperty))
  FILTER(STRSTARTS(STR(?entity), STR(ckg:)))
  FILTER NOT EXISTS { ?s ?entity ?o }
  FILTER NOT EXISTS { ?s ?sub ?o . ?sub rdfs:subPropertyOf+ ?entity }
  BIND("never used" AS ?value)
}""",
    'claim_without_provenance': """
SELECT DISTINCT ?entity ?value WHERE {
  ?entity a/rdfs:subClassOf* ckg:Claim .
  FILTER NOT EXISTS { ?entity prov:wasDerivedFrom ?excerpt . ?excerpt a ckg:Excerpt }
  BIND("no prov:wasDerivedFrom an excerpt" AS ?value)
}""",
}
